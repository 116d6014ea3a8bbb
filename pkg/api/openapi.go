package api

// The OpenAPI 3.1 description, generated from the route table: every route
// with its bodies (the wire types of Route.In and Route.Out), the problems
// it can answer, the headers that matter and whether it needs the session
// cookie under the skip list in force. `docsd openapi` prints it and the
// route "openapi" serves it; the API tests validate every response against
// it.

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/gin-gonic/gin"

	"github.com/docsd/docs/pkg/docs"
)

// object is a node of the description as it is written out.
type object = map[string]any

// sessionScheme and tokenScheme are the names of the security schemes of
// the session cookie and of personal access tokens.
const (
	sessionScheme = "docsSession"
	tokenScheme   = "docsToken"
)

// OpenAPI returns the OpenAPI 3.1 description of the API as JSON, for the
// skip list public and the session cookie named cookieName.
func OpenAPI(public []string, cookieName string) ([]byte, error) {
	g := &generator{schemas: object{}, responses: object{}}
	paths := object{}
	for _, r := range routes {
		path := openAPIPath(r.Path)
		item, _ := paths[path].(object)
		if item == nil {
			item = object{}
			paths[path] = item
		}
		item[strings.ToLower(r.Method)] = g.operation(r, slices.Contains(public, r.Name))
	}
	doc := object{
		"openapi": "3.1.0",
		"info": object{
			"title":   "docsd",
			"version": "1",
			"summary": "Documents over a JSON API where every route is private unless named on the skip list",
			"description": "Every route needs the session cookie from POST /login, or a personal access token of the route's scope, unless the server's skip list " +
				"(auth.public_routes) names it; this description reflects the skip list of the server that made it. " +
				"Errors are RFC 9457 problem documents. A 401 means \"log in\", a 403 \"not allowed\".",
		},
		"servers": []object{{"url": "/", "description": "The server that serves this description"}},
		"paths":   paths,
		"components": object{
			"schemas":   g.schemas,
			"responses": g.responses,
			"securitySchemes": object{
				sessionScheme: object{
					"type": "apiKey", "in": "cookie", "name": cookieName,
					"description": "The session cookie that POST /login sets.",
				},
				tokenScheme: object{
					"type": "http", "scheme": "bearer", "bearerFormat": "docs_pat_",
					"description": "A personal access token from POST /tokens, sent as Authorization: Bearer docs_pat_... " +
						"An operation lists the scope it needs (read, write or admin); one without this scheme takes no token. " +
						"A request may not send both a token and the session cookie.",
				},
			},
		},
	}
	b, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("openapi: %w", err)
	}
	return append(b, '\n'), nil
}

// openAPI serves the description generated for this server's skip list.
func (s *Server) openAPI(c *gin.Context) error {
	c.Data(http.StatusOK, jsonContentType, s.description)
	return nil
}

// openAPIPath writes gin's /documents/:id as /documents/{id}.
func openAPIPath(path string) string {
	parts := strings.Split(path, "/")
	for i, p := range parts {
		if name, ok := strings.CutPrefix(p, ":"); ok {
			parts[i] = "{" + name + "}"
		}
	}
	return strings.Join(parts, "/")
}

func pathParams(path string) []string {
	var names []string
	for p := range strings.SplitSeq(path, "/") {
		if name, ok := strings.CutPrefix(p, ":"); ok {
			names = append(names, name)
		}
	}
	return names
}

// paged says r answers a page of a list: ?limit and ?after, and a Link to
// the next page.
func (r Route) paged() bool {
	return r.Out != nil && reflect.TypeOf(r.Out).Kind() == reflect.Slice
}

// returnsDocument says r answers one document, with its version as ETag.
func (r Route) returnsDocument() bool {
	_, ok := r.Out.(documentJSON)
	return ok
}

func (r Route) successStatus() int {
	switch {
	case r.Status != 0:
		return r.Status
	case r.Out == nil:
		return http.StatusNoContent
	default:
		return http.StatusOK
	}
}

// problemsOf lists the error statuses r can answer under a skip list that
// makes it public or not: those its shape implies, then r.Problems, then
// 500, which any route may answer, and 503 for an unreachable database.
func problemsOf(r Route, public bool) []int {
	var out []int
	add := func(status int, when bool) {
		if when && !slices.Contains(out, status) {
			out = append(out, status)
		}
	}
	takesID := len(pathParams(r.Path)) > 0
	// Every route but a public one that needs no database reads the
	// caller's credentials: both a cookie and a token is a 400, a token
	// that is not valid a 401, and an unknown one counts toward the
	// address's throttle (429).
	credentials := !public || !r.NoDatabase
	add(http.StatusBadRequest, credentials || r.In != nil || takesID || r.paged() || slices.Contains(r.Problems, http.StatusPreconditionFailed))
	add(http.StatusUnauthorized, credentials || r.NeedsUser)
	// Requests that change state are refused from untrusted origins, and
	// a token on a private route outside its scopes.
	add(http.StatusForbidden, r.Access.action != 0 || !isSafeMethod(r.Method) || !public)
	add(http.StatusTooManyRequests, credentials)
	add(http.StatusNotFound, takesID)
	add(http.StatusRequestEntityTooLarge, r.In != nil)
	add(http.StatusUnsupportedMediaType, r.In != nil)
	for _, p := range r.Problems {
		add(p, true)
	}
	add(http.StatusInternalServerError, true)
	// Every route that reads the database, or the caller's session,
	// answers 503 while it cannot be reached or is read-only.
	add(http.StatusServiceUnavailable, !r.NoDatabase || !public)
	slices.Sort(out)
	return out
}

func isSafeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}

// generator collects the named schemas and the problem responses the
// operations refer to.
type generator struct {
	schemas   object
	responses object
}

func (g *generator) operation(r Route, public bool) object {
	op := object{
		"operationId": r.Name,
		"summary":     r.Summary,
		"description": "Access: " + AccessFor(r, pickPublic(r, public)) + ".",
	}
	// A public route takes no credential, or a token of its scope.
	security := []object{}
	if !public {
		security = append(security, object{sessionScheme: []string{}})
	}
	if r.Scope != SessionOnly {
		if public {
			security = append(security, object{})
		}
		security = append(security, object{tokenScheme: []string{string(r.Scope)}})
	}
	op["security"] = security
	var params []object
	for _, name := range pathParams(r.Path) {
		params = append(params, object{"name": name, "in": "path", "required": true,
			"schema": object{"type": "integer", "format": "int64", "minimum": 1}})
	}
	if r.paged() {
		params = append(params,
			object{"name": "limit", "in": "query", "description": "Page size.",
				"schema": object{"type": "integer", "minimum": 1, "maximum": maxPageSize, "default": defaultPageSize}},
			object{"name": "after", "in": "query", "description": "Return the items after this one in the list's order, as the next page's Link says: ids in increasing order, or a history's versions from the newest.",
				"schema": object{"type": "integer", "format": "int64", "minimum": 0}})
	}
	for _, name := range slices.Sorted(maps.Keys(r.Filters)) {
		params = append(params, object{"name": name, "in": "query", "description": r.Filters[name],
			"schema": object{"type": "string"}})
	}
	if slices.Contains(r.Problems, http.StatusPreconditionFailed) {
		params = append(params, object{"name": "If-Match", "in": "header",
			"description": "The ETag of the version the change is based on; a stale one is refused with 412.",
			"schema":      object{"type": "string"}})
	}
	if params != nil {
		op["parameters"] = params
	}
	if r.In != nil {
		op["requestBody"] = object{"required": true, "content": object{
			"application/json": object{"schema": g.schema(reflect.TypeOf(r.In), true)},
		}}
	}
	responses := object{}
	status := r.successStatus()
	success := object{"description": http.StatusText(status)}
	if r.Out != nil {
		success["content"] = object{"application/json": object{"schema": g.schema(reflect.TypeOf(r.Out), false)}}
	}
	if headers := successHeaders(r, status); len(headers) > 0 {
		success["headers"] = headers
	}
	responses[fmt.Sprint(status)] = success
	for _, p := range problemsOf(r, public) {
		responses[fmt.Sprint(p)] = object{"$ref": "#/components/responses/" + g.problem(p)}
	}
	op["responses"] = responses
	return op
}

// pickPublic is the skip list under which AccessFor describes r: one with
// r on it exactly when public.
func pickPublic(r Route, public bool) []string {
	if public {
		return []string{r.Name}
	}
	return nil
}

// requestIDHeader is on every answer (see logRequests).
var requestIDHeader = object{"required": true, "description": "The request's id, as in docsd's log: the one a trusted proxy sent, else a new one.",
	"schema": object{"type": "string"}}

func successHeaders(r Route, status int) object {
	h := object{"X-Request-Id": requestIDHeader}
	if r.returnsDocument() {
		h["ETag"] = object{"required": true, "description": "The document's version, for If-Match.",
			"schema": object{"type": "string", "pattern": `^"[0-9]+"$`}}
		if status == http.StatusCreated {
			h["Location"] = object{"required": true, "description": "The new document's path.",
				"schema": object{"type": "string", "format": "uri-reference"}}
		}
	}
	if _, ok := r.Out.(revisionJSON); ok {
		h["ETag"] = object{"required": true, "description": "The revision's version: a strong ETag, since a revision never changes.",
			"schema": object{"type": "string", "pattern": `^"[0-9]+"$`}}
	}
	if r.paged() {
		h["Link"] = object{"description": `The next page, rel="next", when there is one.`,
			"schema": object{"type": "string"}}
	}
	if r.WritesSession {
		h["Set-Cookie"] = object{"required": true, "description": "The session cookie: a new one, or an expired one that ends it.",
			"schema": object{"type": "string"}}
	}
	return h
}

// problem returns the name of the shared response for a problem status,
// adding it on first use.
func (g *generator) problem(status int) string {
	name := strings.ReplaceAll(http.StatusText(status), " ", "")
	if _, ok := g.responses[name]; ok {
		return name
	}
	resp := object{
		"description": http.StatusText(status) + ": a problem document says why.",
		"content": object{"application/problem+json": object{
			"schema": g.schema(reflect.TypeFor[Problem](), false),
		}},
	}
	headers := object{"X-Request-Id": requestIDHeader}
	if status == http.StatusTooManyRequests {
		headers["Retry-After"] = object{"required": true, "description": "Seconds to wait before trying again.",
			"schema": object{"type": "integer", "minimum": 1}}
	}
	resp["headers"] = headers
	g.responses[name] = resp
	return name
}

// schema returns the JSON Schema of wire type t, with named structs as
// components. A field is required unless it is omitempty or, in a request,
// a pointer (absent means "unchanged"); in a response, a pointer that is
// not omitempty may be null; the tag openapi:"required" makes a
// pointer required. Objects allow no other fields: the server refuses
// unknown request fields, and the tests refuse undocumented response fields.
func (g *generator) schema(t reflect.Type, request bool) object {
	switch t {
	case reflect.TypeFor[time.Time]():
		return object{"type": "string", "format": "date-time"}
	case reflect.TypeFor[docs.Role]():
		return object{"type": "string", "enum": docs.Roles()}
	}
	switch t.Kind() {
	case reflect.Pointer:
		return g.schema(t.Elem(), request)
	case reflect.String:
		return object{"type": "string"}
	case reflect.Bool:
		return object{"type": "boolean"}
	case reflect.Int64:
		return object{"type": "integer", "format": "int64"}
	case reflect.Int, reflect.Int32:
		return object{"type": "integer"}
	case reflect.Slice:
		return object{"type": "array", "items": g.schema(t.Elem(), request)}
	case reflect.Map:
		return object{"type": "object"}
	case reflect.Struct:
		name := componentName(t.Name())
		if _, ok := g.schemas[name]; !ok {
			g.schemas[name] = nil // taken, in case t refers to itself
			g.schemas[name] = g.structSchema(t, request)
		}
		return object{"$ref": "#/components/schemas/" + name}
	}
	panic(fmt.Sprintf("openapi: no schema for wire type %s", t))
}

func (g *generator) structSchema(t reflect.Type, request bool) object {
	props := object{}
	var required []string
	var addFields func(t reflect.Type)
	addFields = func(t reflect.Type) {
		for f := range t.Fields() {
			if f.Anonymous {
				addFields(f.Type)
				continue
			}
			name, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
			if !f.IsExported() || name == "-" {
				continue
			}
			if name == "" {
				name = f.Name
			}
			props[name] = g.schema(f.Type, request)
			omitempty := strings.Contains(opts, "omitempty")
			if !request && !omitempty && f.Type.Kind() == reflect.Pointer {
				props[name] = nullable(props[name].(object))
			}
			optional := omitempty || (request && f.Type.Kind() == reflect.Pointer)
			if !optional || f.Tag.Get("openapi") == "required" {
				required = append(required, name)
			}
		}
	}
	addFields(t)
	s := object{"type": "object", "properties": props, "additionalProperties": false}
	if required != nil {
		s["required"] = required
	}
	return s
}

// nullable is s, a schema of one type, that also allows null: the schema
// of a response field that is a pointer and always sent ("expires_at":
// null for a token that never expires).
func nullable(s object) object {
	out := maps.Clone(s)
	out["type"] = []any{s["type"], "null"}
	return out
}

// componentName makes a Go type name a component name: userJSON is User.
func componentName(goName string) string {
	name := strings.TrimSuffix(goName, "JSON")
	r := []rune(name)
	r[0] = unicode.ToUpper(r[0])
	return string(r)
}
