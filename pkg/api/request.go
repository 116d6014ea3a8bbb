package api

// Request parsing: the JSON body, the :id path parameter, pagination and
// If-Match. Every way a request can be malformed becomes a 400 (or 413)
// that names what is wrong.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"path"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/docsd/docs/pkg/docs"
)

// decode reads one JSON object from the request body into v, a pointer to
// a flat struct whose fields carry json tags. Every way a body can be wrong
// is a 400 that says which field, or a 413. Beyond what encoding/json
// checks, a key must be a field's tag exactly (encoding/json would match
// USERNAME to username) and appear once (encoding/json would let the last
// of two win): both are how a body can mean one thing to a reader and
// another to docsd.
//
// encoding/json reports a syntax error before it assigns anything, so once
// Decode has returned nil or a type error the body is valid JSON, and
// checkKeys walks its top level. Errors are told apart by their types
// alone, never by their text.
func decode(c *gin.Context, v any) error {
	body, err := readBody(c.Request)
	if err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	err = dec.Decode(v)
	var typeErr *json.UnmarshalTypeError
	if err != nil && !errors.As(err, &typeErr) {
		return decodeError(err)
	}
	if kerr := checkKeys(body[:dec.InputOffset()], reflect.TypeOf(v).Elem()); kerr != nil {
		return kerr
	}
	if err != nil {
		return decodeError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return docs.Errorf(docs.Invalid, "request body must hold a single JSON object")
	}
	return nil
}

// preallocateBody is the most readBody sets aside before the bytes
// arrive: room for a login or a short document in one allocation.
const preallocateBody = 4 << 10

// readBody reads the whole body (limitBody has capped it). Memory follows
// the bytes received, not the length announced: a client may announce
// megabytes, send one byte and wait, on hundreds of connections at once.
func readBody(r *http.Request) ([]byte, error) {
	var buf bytes.Buffer
	if r.ContentLength > 0 {
		buf.Grow(int(min(r.ContentLength, preallocateBody)) + bytes.MinRead)
	}
	_, err := buf.ReadFrom(r.Body)
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		return nil, tooLarge(tooBig.Limit)
	case err != nil:
		return nil, docs.Errorf(docs.Invalid, "request body could not be read: %v", err)
	}
	return buf.Bytes(), nil
}

func decodeError(err error) error {
	var (
		syntax  *json.SyntaxError
		typeErr *json.UnmarshalTypeError
	)
	switch {
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
	default:
		return docs.Errorf(docs.Invalid, "request body is not valid JSON: %v", err)
	}
}

// fieldNames maps a request type to its fields' json names.
var fieldNames sync.Map // reflect.Type -> []string

func jsonNames(t reflect.Type) []string {
	if v, ok := fieldNames.Load(t); ok {
		return v.([]string)
	}
	var names []string
	for f := range t.Fields() {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		switch {
		case name == "-" || !f.IsExported():
			continue
		case name == "":
			name = f.Name
		}
		names = append(names, name)
	}
	fieldNames.Store(t, names)
	return names
}

// checkKeys checks the keys of the JSON object b (valid JSON; anything but
// an object has no keys to check) against t's fields: each must be a
// field's name exactly, and appear once.
func checkKeys(b []byte, t reflect.Type) error {
	names := jsonNames(t)
	i := skipSpace(b, 0)
	if i == len(b) || b[i] != '{' {
		return nil
	}
	var seenBuf [8]string
	seen := seenBuf[:0]
	i = skipSpace(b, i+1)
	for i < len(b) && b[i] == '"' {
		end := skipString(b, i)
		key := string(b[i+1 : end-1])
		if bytes.IndexByte(b[i:end], '\\') >= 0 {
			// An escaped key means what it decodes to, as for encoding/json.
			if err := json.Unmarshal(b[i:end], &key); err != nil {
				return docs.Errorf(docs.Invalid, "request body is not valid JSON: %v", err)
			}
		}
		if !slices.Contains(names, key) {
			for _, n := range names {
				if strings.EqualFold(n, key) {
					return docs.FieldErrorf(key, "unknown field %q; field names are case-sensitive: send %q", key, n)
				}
			}
			return docs.FieldErrorf(key, "unknown field %q", key)
		}
		if slices.Contains(seen, key) {
			return docs.FieldErrorf(key, "field %q appears more than once; send it once", key)
		}
		seen = append(seen, key)
		v := skipSpace(b, skipSpace(b, end)+1) // past ':'
		i = skipValue(b, v)
		if i > v && b[v] == '"' {
			if err := checkText(key, b[v:i]); err != nil {
				return err
			}
		}
		i = skipSpace(b, i)
		if i < len(b) && b[i] == ',' {
			i = skipSpace(b, i+1)
		}
	}
	return nil
}

// checkText refuses the JSON string s (quotes included) when encoding/json
// would decode it to other text than was sent: it replaces bytes that are
// not UTF-8, and a \u escape of half a surrogate pair without the other
// half, with U+FFFD without a word. field is the key s is the value of.
func checkText(field string, s []byte) error {
	if !utf8.Valid(s) {
		return docs.FieldErrorf(field, "%s is not text: it holds bytes that are not UTF-8; send text encoded in UTF-8", field)
	}
	for i := 0; ; {
		j := bytes.IndexByte(s[i:], '\\')
		if j < 0 || i+j+1 >= len(s) {
			return nil
		}
		i += j + 1 // at the escaped character
		if s[i] != 'u' {
			i++ // past it: an escaped backslash does not escape what follows
			continue
		}
		r := hex4(s, i+1)
		i += 5
		if !utf16.IsSurrogate(r) {
			continue
		}
		if r < 0xdc00 && i+6 <= len(s) && s[i] == '\\' && s[i+1] == 'u' {
			if low := hex4(s, i+2); low >= 0xdc00 && low <= 0xdfff {
				i += 6
				continue
			}
		}
		return docs.FieldErrorf(field, "%s is not text: \\u%04x is half of a UTF-16 surrogate pair, without its other half", field, r)
	}
}

// hex4 is the value of the four hex digits at s[i:] (-1 when they are not
// there; s was valid JSON, so they are).
func hex4(s []byte, i int) rune {
	if i+4 > len(s) {
		return -1
	}
	var r rune
	for _, c := range s[i : i+4] {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c -= 'a' - 10
		case c >= 'A' && c <= 'F':
			c -= 'A' - 10
		default:
			return -1
		}
		r = r<<4 | rune(c)
	}
	return r
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// skipString returns the index just past the JSON string that starts at i.
func skipString(b []byte, i int) int {
	for i++; i < len(b); i++ {
		switch b[i] {
		case '\\':
			i++
		case '"':
			return i + 1
		}
	}
	return len(b)
}

// skipValue returns the index just past the JSON value that starts at i.
func skipValue(b []byte, i int) int {
	depth := 0
	for i < len(b) {
		switch b[i] {
		case '"':
			i = skipString(b, i)
			if depth == 0 {
				return i
			}
			continue
		case '{', '[':
			depth++
		case '}', ']':
			if depth == 0 {
				return i
			}
			depth--
			if depth == 0 {
				return i + 1
			}
		case ',', ' ', '\t', '\n', '\r':
			if depth == 0 {
				return i
			}
		}
		i++
	}
	return i
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

// query returns the query parameter name and whether it was sent. One
// sent twice is a 400: gin would take the first, and a proxy or cache in
// front may read the last, so the two would answer different questions.
func query(c *gin.Context, name string) (string, bool, error) {
	vs, ok := c.GetQueryArray(name)
	switch {
	case !ok:
		return "", false, nil
	case len(vs) > 1:
		return "", true, docs.FieldErrorf(name, "%s appears %d times in the query; send it once", name, len(vs))
	}
	return vs[0], true, nil
}

// page parses ?limit and ?after.
func page(c *gin.Context) (docs.Page, error) {
	p := docs.Page{Limit: defaultPageSize}
	v, ok, err := query(c, "limit")
	if err != nil {
		return p, err
	}
	if ok {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxPageSize {
			return p, docs.FieldErrorf("limit", "limit must be an integer from 1 to %d", maxPageSize)
		}
		p.Limit = n
	}
	if v, ok, err = query(c, "after"); err != nil {
		return p, err
	}
	if ok {
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

// setNextLink adds `Link: <documents?after=N&limit=L>; rel="next"` (with
// the request's other query parameters): a
// reference relative to the request's own URL (its last segment, not an
// absolute path), so it holds behind a proxy that serves docsd under a
// path prefix such as /api.
func setNextLink(c *gin.Context, p docs.Page, lastID int64) {
	q := c.Request.URL.Query() // a filter such as ?author= holds on every page
	q.Set("after", strconv.FormatInt(lastID, 10))
	q.Set("limit", strconv.Itoa(p.Limit))
	c.Header("Link", fmt.Sprintf(`<%s?%s>; rel="next"`, path.Base(c.Request.URL.Path), q.Encode()))
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
