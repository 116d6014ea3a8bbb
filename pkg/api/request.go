package api

// Request parsing: the JSON body, the :id path parameter, pagination and
// If-Match. Every way a request can be malformed becomes a 400 (or 413)
// that names what is wrong.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/docsd/docs/pkg/docs"
)

// decode reads one JSON object from the request body into v. Every way a
// body can be wrong is a 400 that says which field, or a 413.
func decode(c *gin.Context, v any) error {
	dec := json.NewDecoder(c.Request.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return decodeError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return tooLarge(tooBig.Limit)
		}
		return docs.Errorf(docs.Invalid, "request body must hold a single JSON object")
	}
	return nil
}

func decodeError(err error) error {
	var (
		syntax   *json.SyntaxError
		typeErr  *json.UnmarshalTypeError
		tooBig   *http.MaxBytesError
		fieldMsg = "json: unknown field "
	)
	switch {
	case errors.As(err, &tooBig):
		return tooLarge(tooBig.Limit)
	case errors.Is(err, io.EOF):
		return docs.Errorf(docs.Invalid, "request body is empty; send a JSON object")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return docs.Errorf(docs.Invalid, "request body is not valid JSON: it ends too early")
	case errors.As(err, &syntax):
		return docs.Errorf(docs.Invalid, "request body is not valid JSON: %v (at byte %d)", syntax, syntax.Offset)
	case errors.As(err, &typeErr):
		if typeErr.Field == "" {
			return docs.Errorf(docs.Invalid, "request body must be a JSON object, not %s", typeErr.Value)
		}
		return docs.FieldErrorf(typeErr.Field, "%s must be %s, not %s", typeErr.Field, jsonKind(typeErr.Type.Kind().String()), typeErr.Value)
	case strings.HasPrefix(err.Error(), fieldMsg):
		field, _ := strconv.Unquote(strings.TrimPrefix(err.Error(), fieldMsg))
		return docs.FieldErrorf(field, "unknown field %q", field)
	default:
		return docs.Errorf(docs.Invalid, "request body is not valid JSON: %v", err)
	}
}

func jsonKind(goKind string) string {
	switch {
	case goKind == "string":
		return "a string"
	case strings.HasPrefix(goKind, "int"), strings.HasPrefix(goKind, "uint"), strings.HasPrefix(goKind, "float"):
		return "a number"
	case goKind == "bool":
		return "true or false"
	default:
		return "a " + goKind
	}
}

func tooLarge(limit int64) error {
	return httpErrorf(http.StatusRequestEntityTooLarge, "request body is larger than %d bytes", limit)
}

// pathID parses the :id path parameter: a positive integer, else 400.
func pathID(c *gin.Context) (int64, error) {
	raw := c.Param("id")
	id, err := strconv.ParseInt(raw, 10, 64)
	// ParseInt takes a sign; an id is digits only, so "+1" is not 1.
	if err != nil || id < 1 || raw[0] == '+' {
		return 0, docs.FieldErrorf("id", "id must be a positive integer, not %q", c.Param("id"))
	}
	return id, nil
}

// Pagination bounds.
const (
	defaultPageSize = 100
	maxPageSize     = 1000
)

// page parses ?limit and ?after.
func page(c *gin.Context) (docs.Page, error) {
	p := docs.Page{Limit: defaultPageSize}
	if v, ok := c.GetQuery("limit"); ok {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxPageSize {
			return p, docs.FieldErrorf("limit", "limit must be an integer from 1 to %d", maxPageSize)
		}
		p.Limit = n
	}
	if v, ok := c.GetQuery("after"); ok {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			return p, docs.FieldErrorf("after", "after must be a non-negative integer id")
		}
		p.After = n
	}
	return p, nil
}

// listPage lists the page that ?limit and ?after ask for. It asks list for
// one more item than the page holds, which tells whether a next page exists
// without a count, and then sets the next link. id is an item's id, the
// cursor of the next page.
func listPage[T any](c *gin.Context, list func(context.Context, docs.Page) ([]T, error), id func(T) int64) ([]T, error) {
	p, err := page(c)
	if err != nil {
		return nil, err
	}
	ask := p
	ask.Limit++
	items, err := list(c.Request.Context(), ask)
	if err != nil {
		return nil, err
	}
	if len(items) > p.Limit {
		items = items[:p.Limit]
		setNextLink(c, p, id(items[len(items)-1]))
	}
	return items, nil
}

// setNextLink adds `Link: <path?after=N&limit=L>; rel="next"` as a reference
// relative to the request, so it holds behind any proxy.
func setNextLink(c *gin.Context, p docs.Page, lastID int64) {
	c.Header("Link", fmt.Sprintf(`<%s?after=%d&limit=%d>; rel="next"`, c.Request.URL.Path, lastID, p.Limit))
}

// ifMatch parses If-Match: absent or "*" is 0 (any version); otherwise the
// quoted version from an ETag.
func ifMatch(c *gin.Context) (int64, error) {
	h := strings.TrimSpace(c.GetHeader("If-Match"))
	if h == "" || h == "*" {
		return 0, nil
	}
	v, err := strconv.Unquote(h)
	if err == nil {
		n, perr := strconv.ParseInt(v, 10, 64)
		if perr == nil && n > 0 {
			return n, nil
		}
	}
	return 0, docs.FieldErrorf("If-Match", "If-Match must be an ETag from this server, such as %s", etag(1))
}
