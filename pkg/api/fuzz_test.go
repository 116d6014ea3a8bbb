package api_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/docsd/docs/pkg/api"
	"github.com/docsd/docs/pkg/api/apitest"
	"github.com/docsd/docs/pkg/docs"
	"github.com/docsd/docs/pkg/seed"
)

// The fuzz targets drive the real engine on a real SQLite file in-process.
// The property is the same for every input: the answer is never a 5xx (a
// panic is one, through the engine's recover), and every status of 400 or
// more is an application/problem+json document carrying that status. The
// seed corpus below runs in every `go test`; scripts/fuzz.sh runs the
// targets for a set time.

// fuzzWorld is one docsd for a fuzz target. Inputs that change its fixtures
// (a logout, a new login, a password or role change, a deleted document)
// are undone before the next input, so every input meets the same three
// sessions and a live document; otherwise one early logout would leave the
// fuzzer exploring nothing but 401s.
type fuzzWorld struct {
	srv     *apitest.Server
	h       http.Handler
	pw      *docs.Passwords
	hash    []byte
	cookies map[string]*http.Cookie
	// doc is a live document by carol, the target of "{doc}" in a path.
	doc int64
}

func newFuzzWorld(f *testing.F) *fuzzWorld {
	srv := apitest.NewServer(f)
	pw, err := docs.NewPasswords(bcrypt.MinCost)
	if err != nil {
		f.Fatal(err)
	}
	hash, err := pw.Hash(seed.Password)
	if err != nil {
		f.Fatal(err)
	}
	w := &fuzzWorld{srv: srv, h: srv.Config.Handler, pw: pw, hash: hash, cookies: map[string]*http.Cookie{}}
	w.repair(f)
	return w
}

// repair puts the fixtures back with as few writes as it can (every write
// is an fsync): the demo users' roles, a live session for each (after
// restoring the password and clearing the lockout when the session was
// ended), and the fixture document.
func (w *fuzzWorld) repair(t testing.TB) {
	t.Helper()
	ctx := context.Background()
	// alice first, so that restoring the others never demotes the last admin.
	for _, su := range seed.Users() {
		id := w.srv.Users[su.Name]
		u, err := w.srv.DB.UserByID(ctx, id)
		if err != nil {
			t.Fatalf("fixture user %s: %v", su.Name, err)
		}
		if u.Role != su.Role {
			if _, err := w.srv.DB.SetRole(ctx, id, su.Role); err != nil {
				t.Fatalf("restore role of %s: %v", su.Name, err)
			}
		}
		if c := w.cookies[su.Name]; c != nil {
			req := httptest.NewRequest("GET", "/me", nil)
			req.AddCookie(c)
			if cur, _, err := w.srv.Sessions.Authenticate(req); err == nil && cur != nil && cur.ID == id {
				continue
			}
		}
		if !w.pw.Check(u, seed.Password) {
			if err := w.srv.DB.SetPassword(ctx, id, w.hash); err != nil {
				t.Fatalf("restore password of %s: %v", su.Name, err)
			}
		}
		if err := w.srv.DB.ClearLoginFailures(ctx, su.Name); err != nil {
			t.Fatal(err)
		}
		w.cookies[su.Name] = w.login(t, su.Name)
	}
	if w.doc != 0 {
		if _, err := w.srv.DB.DocumentByID(ctx, w.doc); docs.IsNotFound(err) {
			w.doc = 0
		}
	}
	if w.doc == 0 {
		w.doc = w.srv.CreateDocument(t, "carol", "fuzz fixture", "a body")
	}
}

// login logs username in from an address of its own, which the fuzzed
// requests' failures never lock.
func (w *fuzzWorld) login(t testing.TB, username string) *http.Cookie {
	t.Helper()
	req := httptest.NewRequest("POST", "/login", strings.NewReader(fmt.Sprintf(`{"username":%q,"password":%q}`, username, seed.Password)))
	req.Header.Set("Content-Type", "application/json")
	req.RemoteAddr = "198.51.100.7:1234"
	rec := httptest.NewRecorder()
	w.h.ServeHTTP(rec, req)
	for _, c := range rec.Result().Cookies() {
		if c.Name == "docs_session" && c.Value != "" {
			return c
		}
	}
	t.Fatalf("fixture login %s = %d; want 200 and a cookie: %s", username, rec.Code, rec.Body)
	return nil
}

// afterward undoes what the request may have changed in the fixtures. A
// 429 moves the clock past the throttle window, so that later inputs can
// reach the login path again.
func (w *fuzzWorld) afterward(t testing.TB, req *http.Request, rec *httptest.ResponseRecorder) {
	t.Helper()
	ok := rec.Code < 300
	switch {
	case rec.Code == http.StatusTooManyRequests:
		w.srv.Clock.Advance(api.ThrottleDefaults().Window + time.Second)
	case len(rec.Header().Values("Set-Cookie")) > 0:
	case ok && (req.Method == "PATCH" || req.Method == "DELETE"):
	default:
		return
	}
	w.repair(t)
}

// serve parses raw as a request off the wire, as net/http's server would,
// and runs it through the engine. ok is false when net/http itself would
// refuse the bytes (with its own 400) before the engine saw them.
func (w *fuzzWorld) serve(raw []byte) (req *http.Request, rec *httptest.ResponseRecorder, ok bool) {
	req, err := http.ReadRequest(bufio.NewReader(bytes.NewReader(raw)))
	if err != nil {
		return nil, nil, false
	}
	req.RemoteAddr = "192.0.2.1:1234"
	rec = httptest.NewRecorder()
	w.h.ServeHTTP(rec, req)
	return req, rec, true
}

// wire renders a request as it would arrive on a connection. Header values
// are written as given, so a fuzzed value holding CR LF adds headers of its
// own, as it could on a real connection.
func wire(method, target string, header [][2]string, body []byte) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "%s %s HTTP/1.1\r\nHost: docsd.test\r\n", method, target)
	for _, h := range header {
		if h[1] != "" {
			fmt.Fprintf(&b, "%s: %s\r\n", h[0], h[1])
		}
	}
	if len(body) > 0 || method == "POST" || method == "PATCH" || method == "PUT" {
		fmt.Fprintf(&b, "Content-Length: %d\r\n", len(body))
	}
	b.WriteString("\r\n")
	b.Write(body)
	return b.Bytes()
}

// checkResponse is the property every fuzz target holds.
func checkResponse(t *testing.T, req *http.Request, rec *httptest.ResponseRecorder) {
	t.Helper()
	in := fmt.Sprintf("%s %q", req.Method, req.RequestURI)
	if rec.Code >= 500 {
		t.Fatalf("%s: status %d; want below 500 (body %q)", in, rec.Code, rec.Body)
	}
	if rec.Code < 400 {
		// gin's trailing-slash redirects carry a short HTML body; only a
		// success must be JSON.
		if rec.Code < 300 && rec.Body.Len() > 0 && !json.Valid(rec.Body.Bytes()) {
			t.Fatalf("%s: status %d with body %q; want JSON", in, rec.Code, rec.Body)
		}
		return
	}
	if ct := rec.Header().Get("Content-Type"); ct != "application/problem+json" {
		t.Fatalf("%s: status %d with Content-Type %q; want application/problem+json (body %q)", in, rec.Code, ct, rec.Body)
	}
	dec := json.NewDecoder(bytes.NewReader(rec.Body.Bytes()))
	dec.DisallowUnknownFields()
	var p api.Problem
	if err := dec.Decode(&p); err != nil {
		t.Fatalf("%s: status %d with body %q: %v; want a problem document", in, rec.Code, rec.Body, err)
	}
	if p.Status != rec.Code || p.Title != http.StatusText(rec.Code) || p.Type != "about:blank" {
		t.Fatalf("%s: status %d with problem %+v; want status %d, title %q, type about:blank", in, rec.Code, p, rec.Code, http.StatusText(rec.Code))
	}
}

// decodeRoutes are the routes that decode a JSON body, with the session
// each is sent with.
var decodeRoutes = []struct {
	method, path, who string
}{
	{"POST", "/documents", "alice"},
	{"PATCH", "/documents/{doc}", "alice"},
	{"POST", "/login", ""},
	{"POST", "/register", ""},
	{"PATCH", "/me", "alice"},
	{"PATCH", "/users/{carol}", "alice"},
}

func (w *fuzzWorld) expand(path string) string {
	return strings.NewReplacer("{doc}", fmt.Sprint(w.doc), "{carol}", fmt.Sprint(w.srv.Users["carol"])).Replace(path)
}

func (w *fuzzWorld) cookieHeader(who, extra string) string {
	var parts []string
	if c := w.cookies[who]; c != nil {
		parts = append(parts, c.Name+"="+c.Value)
	}
	if extra != "" {
		parts = append(parts, extra)
	}
	return strings.Join(parts, "; ")
}

// FuzzDecode sends arbitrary bodies and content types to every route that
// decodes JSON, logged in where the route needs it. Beyond the common
// property: a body that is not declared as JSON is a 415, and a 2xx only
// ever answers a body that is valid JSON.
func FuzzDecode(f *testing.F) {
	w := newFuzzWorld(f)
	bodies := []string{
		`{"title":"a title","body":"a body"}`,
		`{"body":"only a body"}`,
		`{"username":"carol","password":"password"}`,
		`{"username":"new.user-1","password":"long enough"}`,
		`{"current_password":"password","password":"a new password"}`,
		`{"role":"editor"}`,
		``, `null`, `[]`, `{}`, `"x"`, `42`, `{"title":1}`, `{"title":null}`, `{"role":"god"}`,
		`{"title":"a","extra":1}`, `{"title":"a"}{"title":"b"}`, `{"title":"a"} trailing`, `{"title":"`,
		`{"title":"\ud800","body":"\u0000"}`, "{\"title\":\"\xff\xfe\"}", `{"title":"a","title":"b"}`,
		`{"username":"carol","password":"` + strings.Repeat("p", 100) + `"}`,
		strings.Repeat("[", 10000), `{"title":1e400}`, `{"role":"admin","role":"member"}`,
	}
	types := []string{"application/json", "application/json; charset=utf-8", "text/plain", "", "application/json;", "APPLICATION/JSON", "application/json; charset"}
	for i := range decodeRoutes {
		for j, b := range bodies {
			f.Add(uint8(i), types[(i+j)%len(types)], []byte(b))
		}
	}
	f.Fuzz(func(t *testing.T, route uint8, contentType string, body []byte) {
		r := decodeRoutes[int(route)%len(decodeRoutes)]
		raw := wire(r.method, w.expand(r.path), [][2]string{
			{"Content-Type", contentType},
			{"Cookie", w.cookieHeader(r.who, "")},
		}, body)
		req, rec, ok := w.serve(raw)
		if !ok {
			return
		}
		defer w.afterward(t, req, rec)
		checkResponse(t, req, rec)
		// A content type holding CR LF adds headers of its own (an Origin,
		// another cookie), which may rightly be refused before the type is
		// looked at.
		mt, _, err := mime.ParseMediaType(contentType)
		isJSON := err == nil && mt == "application/json"
		plain := !strings.ContainsAny(contentType, "\r\n")
		if plain && req.ContentLength > 0 && !isJSON && rec.Code != http.StatusUnsupportedMediaType {
			t.Fatalf("%s %s with Content-Type %q: status %d; want 415", r.method, r.path, contentType, rec.Code)
		}
		if rec.Code < 300 && !json.Valid(body) {
			t.Fatalf("%s %s with body %q: status %d; want a 4xx for a body that is not JSON", r.method, r.path, body, rec.Code)
		}
	})
}

// fuzzMethods are the route table's methods and a few it does not use.
var fuzzMethods = func() []string {
	seen := map[string]bool{}
	var out []string
	for _, r := range api.Routes() {
		if !seen[r.Method] {
			seen[r.Method] = true
			out = append(out, r.Method)
		}
	}
	return append(out, "HEAD", "OPTIONS", "PUT", "TRACE", "CONNECT", "PROPFIND", "get", "X-ODD")
}()

var fuzzUsers = []string{"", "alice", "bob", "carol"}

// FuzzHandlers sends arbitrary requests through the engine: a method from
// fuzzMethods, any target (path and query; "{doc}" and "{carol}" become a
// live document id and carol's user id), If-Match, Content-Type and Cookie
// headers, a session of nobody, alice, bob or carol, and any body.
func FuzzHandlers(f *testing.F) {
	w := newFuzzWorld(f)
	method := func(m string) uint8 {
		for i, fm := range fuzzMethods {
			if fm == m {
				return uint8(i)
			}
		}
		f.Fatalf("method %s is not in fuzzMethods", m)
		return 0
	}
	seeds := []struct {
		method, target, ifMatch, contentType, cookie string
		who                                          uint8
		body                                         string
	}{
		{"GET", "/healthz", "", "", "", 0, ""},
		{"GET", "/documents?limit=2&after=1", "", "", "", 0, ""},
		{"GET", "/documents?limit=0", "", "", "", 0, ""},
		{"GET", "/documents?limit=abc&after=-1", "", "", "", 0, ""},
		{"GET", "/documents?limit=1001", "", "", "", 0, ""},
		{"GET", "/documents/{doc}", "", "", "", 1, ""},
		{"GET", "/documents/{doc}", "", "", "", 0, ""},
		{"GET", "/documents/0", "", "", "", 2, ""},
		{"GET", "/documents/-1", "", "", "", 2, ""},
		{"GET", "/documents/99999999999999999999", "", "", "", 3, ""},
		{"GET", "/documents/%00", "", "", "", 3, ""},
		{"GET", "/documents/{doc}/", "", "", "", 3, ""},
		{"GET", "//documents", "", "", "", 3, ""},
		{"GET", "/me", "", "", "docs_session=forged.value", 0, ""},
		{"GET", "/me", "", "", "docs_session=", 3, ""},
		{"GET", "/users?limit=1", "", "", "", 1, ""},
		{"GET", "/users", "", "", "", 3, ""},
		{"POST", "/documents", "", "application/json", "", 3, `{"title":"t","body":"b"}`},
		{"POST", "/documents", "", "text/plain", "", 3, `{"title":"t"}`},
		{"POST", "/login", "", "application/json", "", 0, `{"username":"carol","password":"password"}`},
		{"POST", "/login", "", "application/json", "", 0, `{"username":"carol","password":"wrong password"}`},
		{"POST", "/register", "", "application/json", "", 0, `{"username":"someone","password":"password"}`},
		{"DELETE", "/logout", "", "", "", 2, ""},
		{"PATCH", "/me", "", "application/json", "", 3, `{"current_password":"password","password":"changed password"}`},
		{"PATCH", "/documents/{doc}", `"1"`, "application/json", "", 2, `{"body":"edited"}`},
		{"PATCH", "/documents/{doc}", `"99"`, "application/json", "", 1, `{"title":"stale"}`},
		{"PATCH", "/documents/{doc}", `W/"1"`, "application/json", "", 1, `{"title":"weak"}`},
		{"PATCH", "/documents/{doc}", `*`, "application/json", "", 3, `{"title":"any"}`},
		{"PATCH", "/documents/{doc}", `"1"`, "application/json", "", 0, `{"title":"anonymous"}`},
		{"DELETE", "/documents/{doc}", "", "", "", 2, ""},
		{"DELETE", "/documents/{doc}", "", "", "", 3, ""},
		{"DELETE", "/documents/{doc}", "", "application/json", "", 1, `{}`},
		{"PATCH", "/users/{carol}", "", "application/json", "", 1, `{"role":"editor"}`},
		{"PATCH", "/users/1", "", "application/json", "", 1, `{"role":"member"}`},
		{"PATCH", "/users/{carol}", "", "application/json", "", 3, `{"role":"admin"}`},
		{"HEAD", "/documents", "", "", "", 0, ""},
		{"OPTIONS", "/documents", "", "", "", 0, ""},
		{"PUT", "/documents/{doc}", "", "application/json", "", 1, `{}`},
		{"TRACE", "/", "", "", "", 0, ""},
		{"CONNECT", "docsd.test:443", "", "", "", 0, ""},
		{"PROPFIND", "/nowhere", "", "", "", 1, ""},
		{"get", "/healthz", "", "", "", 0, ""},
		{"GET", "*", "", "", "", 0, ""},
		{"GET", "http://docsd.test/documents?after=1", "", "", "", 0, ""},
		{"GET", "/documents?%zz", "", "", "", 0, ""},
	}
	for _, s := range seeds {
		f.Add(method(s.method), s.target, s.ifMatch, s.contentType, s.cookie, s.who, []byte(s.body))
	}
	f.Fuzz(func(t *testing.T, m uint8, target, ifMatch, contentType, cookie string, who uint8, body []byte) {
		method := fuzzMethods[int(m)%len(fuzzMethods)]
		raw := wire(method, w.expand(target), [][2]string{
			{"If-Match", ifMatch},
			{"Content-Type", contentType},
			{"Cookie", w.cookieHeader(fuzzUsers[int(who)%len(fuzzUsers)], cookie)},
		}, body)
		req, rec, ok := w.serve(raw)
		if !ok {
			return
		}
		defer w.afterward(t, req, rec)
		checkResponse(t, req, rec)
	})
}
