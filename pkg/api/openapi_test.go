package api_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/docsd/docs/pkg/api"
	"github.com/docsd/docs/pkg/api/apitest"
)

func loadDescription(t *testing.T, b []byte) *openapi3.T {
	t.Helper()
	doc, err := openapi3.NewLoader().LoadFromData(b)
	if err != nil {
		t.Fatalf("load the description: %v", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("the description is not valid OpenAPI: %v", err)
	}
	return doc
}

func describe(t *testing.T, public []string) *openapi3.T {
	t.Helper()
	b, err := api.OpenAPI(public, "docs_session")
	if err != nil {
		t.Fatal(err)
	}
	return loadDescription(t, b)
}

// operationOf finds r's operation; gin's :id is OpenAPI's {id}, in every
// segment.
func operationOf(t *testing.T, doc *openapi3.T, r api.Route) *openapi3.Operation {
	t.Helper()
	parts := strings.Split(r.Path, "/")
	for i, p := range parts {
		if name, ok := strings.CutPrefix(p, ":"); ok {
			parts[i] = "{" + name + "}"
		}
	}
	path := strings.Join(parts, "/")
	item := doc.Paths.Value(path)
	if item == nil || item.GetOperation(r.Method) == nil {
		t.Fatalf("route %s (%s %s) is not in the description", r.Name, r.Method, r.Path)
	}
	return item.GetOperation(r.Method)
}

func needsCookie(op *openapi3.Operation) bool {
	return op.Security != nil && slices.ContainsFunc(*op.Security, func(req openapi3.SecurityRequirement) bool {
		_, ok := req["docsSession"]
		return ok
	})
}

func TestOpenAPIDescribesTheRouteTable(t *testing.T) {
	doc := describe(t, api.DefaultSkipList())

	t.Run("every route is an operation named after it", func(t *testing.T) {
		for _, r := range api.Routes() {
			if op := operationOf(t, doc, r); op.OperationID != r.Name {
				t.Errorf("%s %s: operationId %q; want %q", r.Method, r.Path, op.OperationID, r.Name)
			}
		}
		paths := map[string]bool{}
		for _, r := range api.Routes() {
			paths[r.Path] = true
		}
		if got, want := doc.Paths.Len(), len(paths); got != want {
			t.Errorf("description has %d paths; want the table's %d", got, want)
		}
	})

	t.Run("the session cookie is an apiKey in a cookie named docs_session", func(t *testing.T) {
		s := doc.Components.SecuritySchemes["docsSession"]
		if s == nil || s.Value.Type != "apiKey" || s.Value.In != "cookie" || s.Value.Name != "docs_session" {
			t.Errorf("security scheme docsSession = %+v; want apiKey in cookie docs_session", s)
		}
	})

	t.Run("public routes need no cookie, every other route needs it", func(t *testing.T) {
		for _, r := range api.Routes() {
			op := operationOf(t, doc, r)
			if got, want := needsCookie(op), !slices.Contains(api.DefaultSkipList(), r.Name); got != want {
				t.Errorf("%s needs the cookie: %v; want %v", r.Name, got, want)
			}
			if !needsCookie(op) && (op.Security == nil || len(*op.Security) != 0 && !slices.ContainsFunc(*op.Security, func(s openapi3.SecurityRequirement) bool { return len(s) == 0 })) {
				t.Errorf("%s: security %v; want an empty requirement, or none", r.Name, op.Security)
			}
		}
	})

	t.Run("every error is a problem document", func(t *testing.T) {
		for _, r := range api.Routes() {
			for status, resp := range operationOf(t, doc, r).Responses.Map() {
				if status >= "400" && resp.Value.Content.Get("application/problem+json") == nil {
					t.Errorf("%s %s: content %v; want application/problem+json", r.Name, status, resp.Value.Content)
				}
			}
		}
	})

	for _, tc := range []struct {
		name, route, status string
		headers             []string
	}{
		{"a created document has its ETag and Location", "document_create", "201", []string{"ETag", "Location"}},
		{"a read document has its ETag", "document", "200", []string{"ETag"}},
		{"a list links its next page", "document_list", "200", []string{"Link"}},
		{"login sets the session cookie", "login", "200", []string{"Set-Cookie"}},
		{"logout clears the session cookie", "logout", "204", []string{"Set-Cookie"}},
		{"a throttled login says when to retry", "login", "429", []string{"Retry-After"}},
		{"a stale If-Match is a 412", "document_update", "412", nil},
		{"a taken username is a 409", "register", "409", nil},
		{"a refused cross-origin change is a 403", "document_create", "403", nil},
		{"a too large body is a 413", "me_update", "413", nil},
		{"a body of another type is a 415", "user_update", "415", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var route api.Route
			for _, r := range api.Routes() {
				if r.Name == tc.route {
					route = r
				}
			}
			resp := operationOf(t, doc, route).Responses.Status(atoi(t, tc.status))
			if resp == nil {
				t.Fatalf("%s has no %s response", tc.route, tc.status)
			}
			for _, h := range tc.headers {
				if resp.Value.Headers[h] == nil {
					t.Errorf("%s %s: headers %v; want %s", tc.route, tc.status, keys(resp.Value.Headers), h)
				}
			}
		})
	}

	t.Run("a GET without input can answer no 4xx", func(t *testing.T) {
		op := operationOf(t, doc, api.Routes()[0])
		for status := range op.Responses.Map() {
			if strings.HasPrefix(status, "4") {
				t.Errorf("health documents %s; want no 4xx", status)
			}
		}
	})
}

func atoi(t *testing.T, s string) int {
	t.Helper()
	var n int
	if err := json.Unmarshal([]byte(s), &n); err != nil {
		t.Fatal(err)
	}
	return n
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// TestServedDescriptionFollowsTheSkipList: GET /openapi.json describes the
// server that answers, so a route taken off the skip list needs the cookie
// there too.
func TestServedDescriptionFollowsTheSkipList(t *testing.T) {
	for _, tc := range []struct {
		name         string
		public       []string
		listIsPublic bool
	}{
		{"with the default skip list the document list is public", api.DefaultSkipList(), true},
		{"with the list off the skip list it needs the cookie", []string{"health", "openapi", "login"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := apitest.NewServerWith(t, apitest.Options{Config: &api.Config{PublicRoutes: tc.public, AllowRegistration: true}})
			resp, err := srv.Client().Get(srv.URL + "/openapi.json")
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			served, err := io.ReadAll(resp.Body)
			if err != nil {
				t.Fatal(err)
			}
			want, err := api.OpenAPI(tc.public, srv.Sessions.CookieName())
			if err != nil {
				t.Fatal(err)
			}
			if string(served) != string(want) {
				t.Errorf("GET /openapi.json differs from api.OpenAPI(%v)", tc.public)
			}
			var list api.Route
			for _, r := range api.Routes() {
				if r.Name == "document_list" {
					list = r
				}
			}
			if got := needsCookie(operationOf(t, loadDescription(t, served), list)); got == tc.listIsPublic {
				t.Errorf("served description: document_list needs the cookie: %v; want %v", got, !tc.listIsPublic)
			}
		})
	}
}

// TestValidationRefusesWhatTheDescriptionLacks breaks the description the
// way a forgotten update would and checks that the tests' client then
// fails the request: what the API tests receive, and what they send that
// the server accepts, is held to the description.
func TestValidationRefusesWhatTheDescriptionLacks(t *testing.T) {
	srv := apitest.NewServer(t)
	for _, tc := range []struct {
		name  string
		path  string
		spoil func(doc map[string]any)
		want  string // in the error; "" for a request that must pass
	}{
		{"the description as generated passes", "/healthz", func(map[string]any) {}, ""},
		{"a request no route matches passes as a problem document", "/nowhere", func(map[string]any) {}, ""},
		{"an undocumented status fails", "/healthz", func(doc map[string]any) {
			delete(at(doc, "paths", "/healthz", "get", "responses"), "200")
		}, "status is not supported"},
		{"an undocumented field fails", "/healthz", func(doc map[string]any) {
			health := at(doc, "components", "schemas", "Health")
			delete(at(health, "properties"), "status")
			delete(health, "required")
		}, "additional properties 'status' not allowed"},
		{"an undocumented content type fails", "/healthz", func(doc map[string]any) {
			content := at(doc, "paths", "/healthz", "get", "responses", "200", "content")
			content["text/plain"] = content["application/json"]
			delete(content, "application/json")
		}, "response header Content-Type has unexpected value"},
		{"a missing required header fails", "/healthz", func(doc map[string]any) {
			at(doc, "paths", "/healthz", "get", "responses", "200")["headers"] = map[string]any{
				"ETag": map[string]any{"required": true, "schema": map[string]any{"type": "string"}},
			}
		}, `response header "ETag" missing`},
		{"a query parameter the description lacks fails once the server accepts it", "/documents?sort=title", func(map[string]any) {}, `query parameter "sort" is not described`},
		{"a route described as needing the cookie that served a caller without one fails", "/documents", func(doc map[string]any) {
			at(doc, "paths", "/documents", "get")["security"] = []any{map[string]any{"docsSession": []any{}}}
		}, "no docs_session cookie was sent"},
		{"an unrouted answer that is no problem document fails", "/nowhere", func(doc map[string]any) {
			problem := at(doc, "components", "schemas", "Problem")
			delete(at(problem, "properties"), "title")
		}, "additional properties 'title' not allowed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b, err := api.OpenAPI(api.DefaultSkipList(), "docs_session")
			if err != nil {
				t.Fatal(err)
			}
			var doc map[string]any
			if err := json.Unmarshal(b, &doc); err != nil {
				t.Fatal(err)
			}
			tc.spoil(doc)
			if b, err = json.Marshal(doc); err != nil {
				t.Fatal(err)
			}
			client := &http.Client{Transport: apitest.ValidatingTransport(t, &http.Transport{}, apitest.Described{Description: b})}
			defer client.CloseIdleConnections()
			_, err = apitest.Send(t.Context(), client, "GET", srv.URL+tc.path, nil, nil, "")
			switch {
			case tc.want == "" && err != nil:
				t.Errorf("GET %s: %v; want no error", tc.path, err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Errorf("GET %s: error %v; want one saying %q", tc.path, err, tc.want)
			}
		})
	}
}

// at walks doc along keys to an object.
func at(doc map[string]any, keys ...string) map[string]any {
	for _, k := range keys {
		doc = doc[k].(map[string]any)
	}
	return doc
}
