package apitest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
)

// Described is what a ValidatingTransport checks answers against.
type Described struct {
	// Description is the OpenAPI description, as api.OpenAPI writes it.
	Description []byte
	// Host limits the checks to requests to this host:port; requests to
	// other servers (a redirector, a fake) pass unchecked. Empty checks all.
	Host string
	// ExtraRoutes says the engine serves routes the description does not
	// know (a test's own fixtures), whose answers then pass unchecked.
	ExtraRoutes bool
}

// ValidatingTransport returns a RoundTripper that checks every response
// base receives against the OpenAPI description: a status, a field, a
// content type or a required header the description does not have fails
// the request with an error that says what, instead of reaching the test.
// A request no route of the description matches must get a problem
// document with 401 (a route outside the table), 404 or 405. The harness's
// client uses it, so every test that talks to the engine checks the
// description as it goes. A request that succeeded (2xx) is checked too: its
// body, its parameters (none the description lacks) and the session cookie
// when the description says the route needs it, so a description that
// asks more than the server does fails as well as one that promises less.
func ValidatingTransport(t testing.TB, base http.RoundTripper, d Described) http.RoundTripper {
	t.Helper()
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(d.Description)
	if err != nil {
		t.Fatalf("load the OpenAPI description: %v", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("the OpenAPI description is not valid: %v", err)
	}
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		t.Fatalf("route the OpenAPI description: %v", err)
	}
	problem := doc.Components.Schemas["Problem"]
	if problem == nil {
		t.Fatal("the OpenAPI description has no Problem schema")
	}
	return &validatingTransport{base: base, router: router, problem: problem.Value, described: d}
}

type validatingTransport struct {
	base      http.RoundTripper
	router    routers.Router
	problem   *openapi3.Schema
	described Described
}

func (v *validatingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := v.base.RoundTrip(req)
	if err != nil || (v.described.Host != "" && req.URL.Host != v.described.Host) {
		return resp, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	if err := v.check(req, resp, body); err != nil {
		return nil, fmt.Errorf("%s %s answered %d %s %.300s, which the OpenAPI description does not allow: %w",
			req.Method, req.URL.Path, resp.StatusCode, resp.Header.Get("Content-Type"), body, err)
	}
	return resp, nil
}

// CloseIdleConnections lets httptest.Server.Close close the client's
// connections through the wrapper.
func (v *validatingTransport) CloseIdleConnections() {
	if c, ok := v.base.(interface{ CloseIdleConnections() }); ok {
		c.CloseIdleConnections()
	}
}

func (v *validatingTransport) check(req *http.Request, resp *http.Response, body []byte) error {
	route, params, err := v.router.FindRoute(req)
	if errors.Is(err, routers.ErrPathNotFound) || errors.Is(err, routers.ErrMethodNotAllowed) {
		if v.described.ExtraRoutes {
			return nil
		}
		return v.checkUnrouted(resp, body)
	}
	if err != nil {
		return err
	}
	if resp.StatusCode < 300 {
		if err := checkAcceptedRequest(req, route, params); err != nil {
			return fmt.Errorf("the request succeeded, but the description refuses it: %w", err)
		}
	}
	return openapi3filter.ValidateResponse(req.Context(), &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route},
		Status:                 resp.StatusCode,
		Header:                 resp.Header,
		Body:                   io.NopCloser(bytes.NewReader(body)),
		Options:                &openapi3filter.Options{IncludeResponseStatus: true},
	})
}

func (v *validatingTransport) checkUnrouted(resp *http.Response, body []byte) error {
	if !slices.Contains([]int{http.StatusUnauthorized, http.StatusNotFound, http.StatusMethodNotAllowed}, resp.StatusCode) {
		return errors.New("no route matches, so only 401, 404 or 405 may answer")
	}
	if mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type")); mt != "application/problem+json" {
		return errors.New("no route matches, so the answer must be application/problem+json")
	}
	var value any
	if err := json.Unmarshal(body, &value); err != nil {
		return fmt.Errorf("problem document: %w", err)
	}
	return v.problem.VisitJSON(value, openapi3.EnableJSONSchema2020())
}

// checkAcceptedRequest validates a request the server accepted: every query
// parameter is described, and openapi3filter finds its parameters, body and
// session cookie as the description asks.
func checkAcceptedRequest(req *http.Request, route *routers.Route, params map[string]string) error {
	for name := range req.URL.Query() {
		if route.Operation.Parameters.GetByInAndName(openapi3.ParameterInQuery, name) == nil {
			return fmt.Errorf("query parameter %q is not described", name)
		}
	}
	req = req.Clone(req.Context())
	opts := &openapi3filter.Options{AuthenticationFunc: credentialSent}
	switch body, err := requestBody(req); {
	case err != nil:
		return err
	case body == nil:
		// Sent and gone (a pipe): only the rest can be checked.
		opts.ExcludeRequestBody = true
		req.Body = http.NoBody
	default:
		req.Body = body
	}
	return openapi3filter.ValidateRequest(req.Context(), &openapi3filter.RequestValidationInput{
		Request: req, PathParams: params, Route: route, Options: opts,
	})
}

// requestBody is a fresh copy of req's body, nil when it cannot be had
// again (or there is none).
func requestBody(req *http.Request) (io.ReadCloser, error) {
	if req.GetBody == nil {
		return nil, nil
	}
	return req.GetBody()
}

// credentialSent holds a requirement met when the request carries its
// credential: the apiKey-in-cookie scheme's cookie, or the bearer scheme's
// Authorization header. Whether the session or token is valid, and what
// the token's scopes are, is the server's call.
func credentialSent(_ context.Context, in *openapi3filter.AuthenticationInput) error {
	s, req := in.SecurityScheme, in.RequestValidationInput.Request
	switch {
	case s.Type == "apiKey" && s.In == "cookie":
		if _, err := req.Cookie(s.Name); err != nil {
			return fmt.Errorf("no %s cookie was sent", s.Name)
		}
	case s.Type == "http" && s.Scheme == "bearer":
		// The scheme's name is case-insensitive (RFC 9110).
		if scheme, _, _ := strings.Cut(req.Header.Get("Authorization"), " "); !strings.EqualFold(scheme, "Bearer") {
			return errors.New("no bearer token was sent")
		}
	default:
		return fmt.Errorf("security scheme %s: only apiKey in a cookie and http bearer are known", in.SecuritySchemeName)
	}
	return nil
}
