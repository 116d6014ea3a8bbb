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
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
)

// ValidatingTransport returns a RoundTripper that checks every response
// base receives against the OpenAPI description: a status, a field, a
// content type or a required header the description does not have fails
// the request with an error that says what, instead of reaching the test.
// A request no route of the description matches must get a problem
// document with 401 (a route outside the table), 404 or 405, unless
// extraRoutes says the engine serves routes the description does not know
// (a test's own fixtures). The harness's client uses it, so every test
// that talks to the engine checks the description as it goes.
func ValidatingTransport(t testing.TB, base http.RoundTripper, description []byte, extraRoutes bool) http.RoundTripper {
	t.Helper()
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(description)
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
	return &validatingTransport{base: base, router: router, problem: problem.Value, extraRoutes: extraRoutes}
}

type validatingTransport struct {
	base        http.RoundTripper
	router      routers.Router
	problem     *openapi3.Schema
	extraRoutes bool
}

func (v *validatingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := v.base.RoundTrip(req)
	if err != nil {
		return nil, err
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
		if v.extraRoutes {
			return nil
		}
		return v.checkUnrouted(resp, body)
	}
	if err != nil {
		return err
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
