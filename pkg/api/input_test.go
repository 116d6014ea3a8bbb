package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/docsd/docs/pkg/api"
	"github.com/docsd/docs/pkg/api/apitest"
	"github.com/docsd/docs/pkg/docs"
)

// waitingBody is a request body that calls waiting when its reader asks
// for more after the first bytes arrived: the moment a body announced in
// full and sent in part holds whatever the server set aside for it.
type waitingBody struct {
	io.ReadCloser
	received int
	waiting  func()
}

func (b *waitingBody) Read(p []byte) (int, error) {
	if b.received > 0 {
		b.waiting()
	}
	n, err := b.ReadCloser.Read(p)
	b.received += n
	return n, err
}

// TestAnnouncedBodySizeIsNotAllocated opens 400 connections that each
// announce a 2 MiB login body and send one byte of it. While they wait,
// the heap must hold about what was received, not what was announced:
// under 100 MiB more than before.
func TestAnnouncedBodySizeIsNotAllocated(t *testing.T) {
	const (
		conns     = 400
		announced = 2 << 20
		bound     = 100 << 20
	)
	srv := apitest.NewServer(t)
	var (
		waiting  sync.WaitGroup
		answered atomic.Int32
	)
	waiting.Add(conns)
	engine := srv.Config.Handler
	// The real engine, behind a front that only watches the body.
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var once sync.Once
		r.Body = &waitingBody{ReadCloser: r.Body, waiting: func() { once.Do(waiting.Done) }}
		engine.ServeHTTP(w, r)
		once.Do(func() { answered.Add(1); waiting.Done() })
	}))
	t.Cleanup(front.Close)

	idle := heapInUse()
	open := make([]net.Conn, 0, conns)
	defer func() {
		for _, c := range open {
			c.Close()
		}
	}()
	for range conns {
		c, err := net.Dial("tcp", front.Listener.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		open = append(open, c)
		if _, err := fmt.Fprintf(c, "POST /login HTTP/1.1\r\nHost: docsd\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n{", announced); err != nil {
			t.Fatal(err)
		}
	}
	waiting.Wait()
	if n := answered.Load(); n > 0 {
		t.Fatalf("%d of %d requests were answered before their body arrived; want every one waiting for it", n, conns)
	}
	held := heapInUse()
	t.Logf("heap: %d MiB idle, %d MiB with %d bodies of %d bytes announced and 1 sent", idle>>20, held>>20, conns, announced)
	if held > idle+bound {
		t.Errorf("heap with %d half-sent bodies = %d MiB, idle %d MiB: got %d MiB more, want under %d MiB",
			conns, held>>20, idle>>20, (held-idle)>>20, bound>>20)
	}
}

// heapInUse is the live heap after a collection.
func heapInUse() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// refused sends c and wants a 400 that names field.
func refused(t *testing.T, srv *apitest.Server, c call, field string) {
	t.Helper()
	p := do(t, srv, c).Want(t, 400).Problem(t)
	if p.Field != field {
		t.Errorf("%s %s %q: problem %+v; got field %q, want %q", c.method, c.path, c.body, p, p.Field, field)
	}
}

// refusal is a request docsd must answer with a 400 naming field.
type refusal struct{ name, method, path, body, field string }

// refusalFixture is a server with carol logged in and her document
// "kept", for the tests that send requests docsd must refuse.
type refusalFixture struct {
	srv   *apitest.Server
	carol *http.Cookie
	id    int64
	// path is the kept document's.
	path string
	// stored is how many documents there were before any refusal.
	stored int
}

func newRefusalFixture(t *testing.T) *refusalFixture {
	t.Helper()
	f := &refusalFixture{srv: apitest.NewServer(t)}
	f.carol = f.srv.Login(t, "carol")
	f.id = f.srv.CreateDocument(t, "carol", "kept", "kept")
	f.path = fmt.Sprintf("/documents/%d", f.id)
	f.stored = countDocuments(t, f.srv)
	return f
}

// refuseAll sends each request as carol, in a subtest named for it, and
// wants it refused (see refused); then that nothing was stored or changed.
func (f *refusalFixture) refuseAll(t *testing.T, rs []refusal) {
	t.Helper()
	for _, r := range rs {
		t.Run(r.name, func(t *testing.T) {
			refused(t, f.srv, call{method: r.method, path: r.path, body: r.body, cookie: f.carol}, r.field)
		})
	}
	t.Run("nothing was stored or changed", func(t *testing.T) { wantNothingStored(t, f.srv, f.stored, f.id) })
}

// countDocuments is how many documents the store holds.
func countDocuments(t *testing.T, srv *apitest.Server) int {
	t.Helper()
	list, err := srv.DB.ListDocuments(context.Background(), docs.Page{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	return len(list)
}

// TestInvalidTextIsRefused: encoding/json turns bytes that are not UTF-8
// and an escaped lone surrogate into U+FFFD without a word. docsd must
// refuse them, naming the field, and store nothing, rather than store
// text the client did not send.
func TestInvalidTextIsRefused(t *testing.T) {
	f := newRefusalFixture(t)
	f.refuseAll(t, []refusal{
		{"a title of bytes that are not UTF-8", "POST", "/documents", "{\"title\":\"\xff\xfe\"}", "title"},
		{"a title holding an escaped lone high surrogate", "POST", "/documents", `{"title":"\ud800"}`, "title"},
		{"a title holding an escaped lone low surrogate", "POST", "/documents", `{"title":"a\udc00b"}`, "title"},
		{"a high surrogate followed by another high one", "POST", "/documents", `{"title":"\ud83d\ud83d"}`, "title"},
		{"a high surrogate followed by an escape that is no surrogate", "POST", "/documents", `{"title":"\ud83d\n"}`, "title"},
		{"a body cut inside a UTF-8 sequence", "POST", "/documents", "{\"title\":\"t\",\"body\":\"caf\xc3\"}", "body"},
		{"a body of Latin-1", "POST", "/documents", "{\"title\":\"t\",\"body\":\"caf\xe9\"}", "body"},
		{"a body ending in a lone high surrogate", "POST", "/documents", `{"title":"t","body":"x\udbff"}`, "body"},
		{"an update's title", "PATCH", f.path, `{"title":"\ud800"}`, "title"},
		{"an update's body", "PATCH", f.path, "{\"body\":\"\xff\"}", "body"},
		{"a new password", "POST", "/register", "{\"username\":\"dora\",\"password\":\"long enough \xff\"}", "password"},
		{"a new password with a lone surrogate", "POST", "/register", `{"username":"dora","password":"long enough \udfff"}`, "password"},
	})
	t.Run("no user was registered", func(t *testing.T) {
		if _, err := f.srv.DB.UserByName(context.Background(), "dora"); !docs.IsNotFound(err) {
			t.Errorf("UserByName(dora) = %v; want NotFound", err)
		}
	})
	t.Run("a surrogate pair and an escaped backslash before u are text", func(t *testing.T) {
		r := do(t, f.srv, call{method: "POST", path: "/documents", body: `{"title":"\ud83d\ude00","body":"\\ud800 \uD83D\uDE00"}`, cookie: f.carol}).Want(t, 201)
		if d := documentOf(t, r); d.Title != "😀" || *d.Body != `\ud800 😀` {
			t.Errorf("stored title %q, body %q; want %q, %q", d.Title, *d.Body, "😀", `\ud800 😀`)
		}
	})
}

// TestTextBothBackendsStore: PostgreSQL cannot store a NUL in text, and
// SQLite can. Both backends must accept and refuse the same text: a NUL
// in a title, a body or a login's username is a 400 naming the field on
// both, never a 500 on one and a 201 on the other.
func TestTextBothBackendsStore(t *testing.T) { apitest.ForEachBackend(t, testTextBothBackendsStore) }

func testTextBothBackendsStore(t *testing.T) {
	f := newRefusalFixture(t)
	f.refuseAll(t, []refusal{
		{"a NUL in a new title", "POST", "/documents", `{"title":"a\u0000b"}`, "title"},
		{"a NUL in a new body", "POST", "/documents", `{"title":"t","body":"\u0000"}`, "body"},
		{"a NUL in an updated title", "PATCH", f.path, `{"title":"\u0000"}`, "title"},
		{"a NUL in an updated body", "PATCH", f.path, `{"body":"x\u0000"}`, "body"},
		{"a NUL in a login's username", "POST", "/login", `{"username":"carol\u0000","password":"password"}`, "username"},
	})
	srv := f.srv
	t.Run("headers that are not UTF-8 never fail a correct login", func(t *testing.T) {
		const agent = "docs/1.0 \xff\xfe (caf\xe9)"
		header := map[string]string{"User-Agent": agent, "Cookie": "docs_session=\xff\xfe", "X-Forwarded-For": "\xff", "X-Request-Id": "caf\xe9"}
		for i := range api.ThrottleDefaults().MaxFailures + 1 {
			r := do(t, srv, call{method: "POST", path: "/login", body: `{"username":"bob","password":"password"}`, header: header})
			if r.Status != 200 {
				t.Fatalf("correct login %d with User-Agent %q = %d (%s); want 200", i+1, agent, r.Status, r.Body)
			}
		}
		long := "docs/2.0 \xff" + strings.Repeat("é", docs.MaxUserAgentLen)
		do(t, srv, call{method: "POST", path: "/login", body: `{"username":"bob","password":"password"}`, header: map[string]string{"User-Agent": long}}).Want(t, 200)
		sessions, err := srv.DB.UserSessions(context.Background(), srv.Users["bob"])
		if err != nil || len(sessions) != api.ThrottleDefaults().MaxFailures+2 {
			t.Fatalf("UserSessions(bob) = %d sessions, %v; want %d", len(sessions), err, api.ThrottleDefaults().MaxFailures+2)
		}
		// The clock stands still, so the sessions have no order.
		stored := map[string]int{}
		for _, sess := range sessions {
			stored[sess.UserAgent]++
		}
		if want := "docs/1.0 \uFFFD (caf\uFFFD)"; stored[want] != api.ThrottleDefaults().MaxFailures+1 {
			t.Errorf("stored User-Agents = %v; want %q for each login with %q", stored, want, agent)
		}
		cut := "docs/2.0 \uFFFD" + strings.Repeat("é", (docs.MaxUserAgentLen-len("docs/2.0 \uFFFD"))/2)
		if stored[cut] != 1 {
			t.Errorf("stored User-Agents = %v; want %q (%d bytes, valid UTF-8) for the %d-byte one", stored, cut, len(cut), len(long))
		}
	})
}

// escapeAll encodes s as a JSON string in which every character is a \u
// escape (a surrogate pair beyond the BMP): the longest legal encoding,
// 6 bytes for each byte of ASCII.
func escapeAll(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		if r > 0xffff {
			hi, lo := utf16.EncodeRune(r)
			fmt.Fprintf(&b, `\u%04x\u%04x`, hi, lo)
			continue
		}
		fmt.Fprintf(&b, `\u%04x`, r)
	}
	b.WriteByte('"')
	return b.String()
}

// TestDocumentLimitsAreOnTheDocument: the limits are on the title and
// body as stored, so any JSON encoding of a document within them is
// accepted, however many bytes its escapes take; one past them is a 400
// naming the field, not a 413. The request cap stays, above the longest
// such encoding.
func TestDocumentLimitsAreOnTheDocument(t *testing.T) {
	srv := apitest.NewServer(t)
	carol := srv.Login(t, "carol")
	maxTitle := strings.Repeat("😀", docs.MaxTitleRunes)
	for _, tc := range []struct {
		name, title, body, encoded string
	}{
		{"1 MiB of < as encoding/json escapes it (\\u003c)", "t", strings.Repeat("<", docs.MaxBodyBytes), ""},
		{"1 MiB of \" as curl sends it (\\\")", "t", strings.Repeat(`"`, docs.MaxBodyBytes), ""},
		{"1 MiB of control characters (\\u0001)", "t", strings.Repeat("\x01", docs.MaxBodyBytes), ""},
		{"every character escaped, keys too, with whitespace", maxTitle, strings.Repeat("b", docs.MaxBodyBytes),
			"{\n  " + escapeAll("title") + " : " + escapeAll(maxTitle) + " ,\n  " + escapeAll("body") + " : " + escapeAll(strings.Repeat("b", docs.MaxBodyBytes)) + "\n}\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			encoded := tc.encoded
			if encoded == "" {
				b, err := json.Marshal(map[string]string{"title": tc.title, "body": tc.body})
				if err != nil {
					t.Fatal(err)
				}
				encoded = string(b)
			}
			r := do(t, srv, call{method: "POST", path: "/documents", body: encoded, cookie: carol})
			if r.Status != 201 {
				t.Fatalf("POST /documents of %d bytes (title %d characters, body %d bytes) = %d (%.200s); want 201",
					len(encoded), utf8.RuneCountInString(tc.title), len(tc.body), r.Status, r.Body)
			}
			d := documentOf(t, r)
			if d.Title != tc.title || *d.Body != tc.body {
				t.Errorf("stored title of %d bytes, body of %d bytes; want %d and %d", len(d.Title), len(*d.Body), len(tc.title), len(tc.body))
			}
			path := fmt.Sprintf("/documents/%d", d.ID)
			do(t, srv, call{method: "PATCH", path: path, body: encoded, cookie: carol}).Want(t, 200)
		})
	}
	t.Run("a byte past the body limit is a 400 about body, however it is encoded", func(t *testing.T) {
		over := strings.Repeat("b", docs.MaxBodyBytes+1)
		refused(t, srv, call{method: "POST", path: "/documents", body: `{"title":"t","body":"` + over + `"}`, cookie: carol}, "body")
		refused(t, srv, call{method: "POST", path: "/documents", body: `{"title":"t","body":` + escapeAll(over) + `}`, cookie: carol}, "body")
	})
	t.Run("a character past the title limit is a 400 about title, however it is encoded", func(t *testing.T) {
		refused(t, srv, call{method: "POST", path: "/documents", body: `{"title":` + escapeAll(maxTitle+"😀") + `}`, cookie: carol}, "title")
	})
	t.Run("a body past the request cap is a 413", func(t *testing.T) {
		over := `{"title":"t","body":"` + strings.Repeat(" ", api.DefaultMaxBodyBytes) + `"}`
		do(t, srv, call{method: "POST", path: "/documents", body: over, cookie: carol}).Want(t, 413)
	})
}

// TestRepeatedQueryParameterIsRefused: a parameter sent twice is a 400
// naming it. Taking the first quietly would answer another question than
// a proxy or cache in front, which may read the last, thinks was asked.
func TestRepeatedQueryParameterIsRefused(t *testing.T) {
	srv := apitest.NewServer(t)
	alice := srv.Login(t, "alice")
	for _, tc := range []struct {
		path, field string
	}{
		{"/documents?author=alice&author=bob", "author"},
		{"/documents?author=alice&author=alice", "author"},
		{"/documents?limit=1&limit=1000", "limit"},
		{"/documents?after=0&limit=5&after=3", "after"},
		{"/users?limit=1&limit=2", "limit"},
		{"/users?after=1&after=2", "after"},
	} {
		t.Run(tc.path, func(t *testing.T) {
			refused(t, srv, call{method: "GET", path: tc.path, cookie: alice}, tc.field)
		})
	}
	t.Run("each parameter once is a page", func(t *testing.T) {
		do(t, srv, call{method: "GET", path: "/documents?author=alice&limit=1&after=0", cookie: alice}).Want(t, 200)
	})
}

// wantNothingStored checks that the server still holds stored documents
// and that document id still has the title and body "kept".
func wantNothingStored(t *testing.T, srv *apitest.Server, stored int, id int64) {
	t.Helper()
	if n := countDocuments(t, srv); n != stored {
		t.Errorf("documents stored = %d; want %d", n, stored)
	}
	d, err := srv.DB.DocumentByID(context.Background(), id)
	if err != nil || d.Title != "kept" || d.Body != "kept" {
		t.Errorf("document %d = %+v, %v; want title and body kept", id, d, err)
	}
}
