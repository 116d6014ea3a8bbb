package session_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	ginsessions "github.com/gin-contrib/sessions"
	"github.com/gin-gonic/gin"

	"github.com/docsd/docs/pkg/docs"
	"github.com/docsd/docs/pkg/session"
	"github.com/docsd/docs/pkg/sqlite"
	"github.com/docsd/docs/pkg/testclock"
)

func TestMain(m *testing.M) {
	gin.SetMode(gin.TestMode)
	os.Exit(m.Run())
}

const (
	idle = time.Hour
	abs  = 24 * time.Hour
)

var (
	secretA = []byte("secret-A-0123456789abcdef0123456789")
	secretB = []byte("secret-B-0123456789abcdef0123456789")
	secretC = []byte("secret-C-0123456789abcdef0123456789")
)

// env is a real SQLite database with one user, and a clock shared by every
// store made from it.
type env struct {
	db    *sqlite.DB
	dir   string
	clock *testclock.Clock
	user  int64
}

func newEnv(t *testing.T) *env {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	db, err := sqlite.Open(ctx, filepath.Join(dir, "docs.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	c := testclock.New(time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC))
	u := &docs.User{Username: "alice", Role: docs.RoleMember, PasswordHash: userHash, CreatedAt: c.Now()}
	if err := db.CreateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	return &env{db: db, dir: dir, clock: c, user: u.ID}
}

// store returns a session store over e's database. Unset timeouts and
// secrets get the test defaults; the clock is always e's.
func (e *env) store(t *testing.T, cfg session.Config) *session.Store {
	t.Helper()
	if cfg.Secrets == nil {
		cfg.Secrets = [][]byte{secretA}
	}
	if cfg.IdleTimeout == 0 {
		cfg.IdleTimeout = idle
	}
	if cfg.AbsoluteTimeout == 0 {
		cfg.AbsoluteTimeout = abs
	}
	cfg.Now = e.clock.Now
	s, err := session.NewStore(e.db, cfg)
	if err != nil {
		t.Fatalf("NewStore = %v", err)
	}
	return s
}

// userHash is the password hash of every user these tests make.
var userHash = []byte("h")

// server mounts s the way docsd does, with a login and a logout handler
// written like pkg/api's.
func server(s *session.Store) http.Handler {
	r := gin.New()
	r.Use(ginsessions.Sessions(s.CookieName(), s))
	r.POST("/login/:id", func(c *gin.Context) {
		id, _ := strconv.ParseInt(c.Param("id"), 10, 64)
		sess := ginsessions.Default(c)
		sess.Clear()
		sess.Set(session.UserIDKey, id)
		sess.Set(session.PasswordHashKey, userHash)
		if err := sess.Save(); err != nil {
			c.String(http.StatusInternalServerError, err.Error())
			return
		}
		c.Status(http.StatusOK)
	})
	r.POST("/logout", func(c *gin.Context) {
		sess := ginsessions.Default(c)
		sess.Options(ginsessions.Options{MaxAge: -1})
		if err := sess.Save(); err != nil {
			c.String(http.StatusInternalServerError, err.Error())
			return
		}
		c.Status(http.StatusNoContent)
	})
	return r
}

// post sends a POST to path with the given cookie (nil: none) and returns
// the session cookie the response sets.
func post(t *testing.T, s *session.Store, path string, with *http.Cookie) *http.Cookie {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, path, nil)
	if with != nil {
		req.AddCookie(&http.Cookie{Name: with.Name, Value: with.Value})
	}
	rec := httptest.NewRecorder()
	server(s).ServeHTTP(rec, req)
	if rec.Code >= 300 {
		t.Fatalf("POST %s = %d %s", path, rec.Code, rec.Body)
	}
	var found *http.Cookie
	for _, c := range rec.Result().Cookies() {
		if c.Name != s.CookieName() {
			continue
		}
		if found != nil {
			t.Fatalf("POST %s set cookie %s twice: %v and %v", path, c.Name, found, c)
		}
		found = c
	}
	if found == nil {
		t.Fatalf("POST %s set no %s cookie; Set-Cookie: %q", path, s.CookieName(), rec.Header().Values("Set-Cookie"))
	}
	return found
}

func (e *env) login(t *testing.T, s *session.Store, with *http.Cookie) *http.Cookie {
	t.Helper()
	return post(t, s, fmt.Sprintf("/login/%d", e.user), with)
}

func authenticate(t *testing.T, s *session.Store, c *http.Cookie) (int64, session.Reason) {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	if c != nil {
		req.AddCookie(&http.Cookie{Name: c.Name, Value: c.Value})
	}
	u, reason, err := s.Authenticate(req)
	if err != nil {
		t.Fatalf("Authenticate(%q) error = %v; want a user or a reason", c, err)
	}
	if u == nil {
		return 0, reason
	}
	return u.ID, reason
}

// wantUser fails unless c authenticates as e's user.
func (e *env) wantUser(t *testing.T, s *session.Store, what string, c *http.Cookie) {
	t.Helper()
	if uid, reason := authenticate(t, s, c); uid != e.user || reason != "" {
		t.Errorf("Authenticate(%s) = %d, %q; want %d, no reason", what, uid, reason, e.user)
	}
}

func wantReason(t *testing.T, s *session.Store, what string, c *http.Cookie, want session.Reason) {
	t.Helper()
	if uid, reason := authenticate(t, s, c); uid != 0 || reason != want {
		t.Errorf("Authenticate(%s) = %d, %q; want 0, %q", what, uid, reason, want)
	}
}

// token returns the random token a session cookie carries before its
// signature.
func token(t *testing.T, c *http.Cookie) string {
	t.Helper()
	tok, _, ok := strings.Cut(c.Value, ".")
	if !ok || tok == "" {
		t.Fatalf("cookie value %q is not token.signature", c.Value)
	}
	return tok
}

// rowID is the id the database keeps for c's session: the token's SHA-256.
func rowID(t *testing.T, c *http.Cookie) string {
	t.Helper()
	sum := sha256.Sum256([]byte(token(t, c)))
	return hex.EncodeToString(sum[:])
}

func (e *env) row(t *testing.T, c *http.Cookie) (*docs.Session, error) {
	t.Helper()
	s, _, err := e.db.SessionUser(context.Background(), rowID(t, c))
	return s, err
}

func (e *env) wantNoRow(t *testing.T, what string, c *http.Cookie) {
	t.Helper()
	if s, err := e.row(t, c); !docs.IsNotFound(err) {
		t.Errorf("session row of %s = %+v, %v; want NotFound", what, s, err)
	}
}

func TestCookies(t *testing.T) {
	for _, secure := range []bool{false, true} {
		t.Run(fmt.Sprintf("login cookie is HttpOnly, SameSite=Lax, Path=/, lives for the absolute timeout, Secure=%v as configured", secure), func(t *testing.T) {
			e := newEnv(t)
			s := e.store(t, session.Config{Secure: secure})
			c := e.login(t, s, nil)
			if !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Path != "/" || c.Secure != secure || c.MaxAge != int(abs/time.Second) {
				t.Errorf("login cookie = {HttpOnly:%v SameSite:%v Path:%q Secure:%v MaxAge:%d}; want {HttpOnly:true SameSite:Lax Path:/ Secure:%v MaxAge:%d}",
					c.HttpOnly, c.SameSite, c.Path, c.Secure, c.MaxAge, secure, int(abs/time.Second))
			}
			if c.Name != "docs_session" {
				t.Errorf("login cookie name = %q; want the default %q", c.Name, "docs_session")
			}
		})

		t.Run(fmt.Sprintf("logout cookie expires with the login cookie's attributes, Secure=%v", secure), func(t *testing.T) {
			e := newEnv(t)
			s := e.store(t, session.Config{Secure: secure, CookieName: "sid"})
			in := e.login(t, s, nil)
			out := post(t, s, "/logout", in)
			if out.MaxAge >= 0 || out.Value != "" {
				t.Errorf("logout cookie = {MaxAge:%d Value:%q}; want an expired, empty cookie", out.MaxAge, out.Value)
			}
			type attrs struct {
				Name, Path, Domain string
				HttpOnly, Secure   bool
				SameSite           http.SameSite
			}
			got := attrs{out.Name, out.Path, out.Domain, out.HttpOnly, out.Secure, out.SameSite}
			want := attrs{in.Name, in.Path, in.Domain, in.HttpOnly, in.Secure, in.SameSite}
			if got != want {
				t.Errorf("logout cookie attributes = %+v; want the login cookie's %+v", got, want)
			}
		})
	}
}

func TestLoginLogout(t *testing.T) {
	t.Run("Authenticate returns the user of a fresh login cookie", func(t *testing.T) {
		e := newEnv(t)
		s := e.store(t, session.Config{})
		e.wantUser(t, s, "login cookie", e.login(t, s, nil))
	})

	t.Run("a request without the cookie is NoCookie", func(t *testing.T) {
		e := newEnv(t)
		s := e.store(t, session.Config{})
		e.login(t, s, nil)
		wantReason(t, s, "no cookie", nil, session.NoCookie)
		other := &http.Cookie{Name: "other", Value: "x"}
		wantReason(t, s, "a cookie of another name", other, session.NoCookie)
	})

	t.Run("a second login rotates the id and the cookie it came with is NoSession", func(t *testing.T) {
		e := newEnv(t)
		s := e.store(t, session.Config{})
		before := e.login(t, s, nil)
		after := e.login(t, s, before)
		if token(t, after) == token(t, before) {
			t.Fatalf("second login kept token %q; want a new one", token(t, before))
		}
		wantReason(t, s, "the cookie from before the second login", before, session.NoSession)
		e.wantNoRow(t, "the cookie from before the second login", before)
		e.wantUser(t, s, "the cookie from the second login", after)
	})

	t.Run("logout ends the session and a replayed cookie is NoSession", func(t *testing.T) {
		e := newEnv(t)
		s := e.store(t, session.Config{})
		c := e.login(t, s, nil)
		other := e.login(t, s, nil)
		post(t, s, "/logout", c)
		wantReason(t, s, "the cookie replayed after logout", c, session.NoSession)
		e.wantNoRow(t, "the logged-out cookie", c)
		e.wantUser(t, s, "another session of the same user", other)
	})

	t.Run("a session of a deleted user is NoSession", func(t *testing.T) {
		e := newEnv(t)
		s := e.store(t, session.Config{})
		c := e.login(t, s, nil)
		ctx := context.Background()
		admin := &docs.User{Username: "root", Role: docs.RoleAdmin, PasswordHash: userHash, CreatedAt: e.clock.Now()}
		if err := e.db.CreateUser(ctx, admin); err != nil {
			t.Fatal(err)
		}
		if err := e.db.DeleteUser(ctx, e.user, 0, e.clock.Now()); err != nil {
			t.Fatalf("DeleteUser(%d) = %v", e.user, err)
		}
		wantReason(t, s, "the cookie of a deleted user", c, session.NoSession)
	})
}

func TestSignatures(t *testing.T) {
	e := newEnv(t)
	s := e.store(t, session.Config{})
	c := e.login(t, s, nil)
	other := e.login(t, e.store(t, session.Config{Secrets: [][]byte{secretC}}), nil)
	tok, sig, _ := strings.Cut(c.Value, ".")
	otherTok, otherSig, _ := strings.Cut(other.Value, ".")
	flip := func(s string, i int) string {
		b := []byte(s)
		if b[i] == 'A' {
			b[i] = 'B'
		} else {
			b[i] = 'A'
		}
		return string(b)
	}
	for _, tc := range []struct {
		name, value string
	}{
		{"a cookie with one signature character changed is BadCookie", tok + "." + flip(sig, len(sig)/2)},
		{"a cookie with one token character changed is BadCookie", flip(tok, 0) + "." + sig},
		{"a cookie whose token carries another token's signature is BadCookie", otherTok + "." + sig},
		{"a cookie signed by another store's secret is BadCookie", other.Value},
		{"a cookie with another store's signature on this token is BadCookie", tok + "." + otherSig},
		{"a cookie without a signature is BadCookie", tok},
		{"a cookie with an empty signature is BadCookie", tok + "."},
		{"a cookie with only a signature is BadCookie", "." + sig},
		{"an empty cookie is BadCookie", ""},
		{"a cookie with the hash of the token is BadCookie", rowID(t, c)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantReason(t, s, fmt.Sprintf("%q", tc.value), &http.Cookie{Name: s.CookieName(), Value: tc.value}, session.BadCookie)
		})
	}
	t.Run("every other last character of the signature is BadCookie, those that decode alike included", func(t *testing.T) {
		// 32 bytes are 43 characters whose last one carries 4 bits and 2
		// unused ones: lenient decoding reads 4 spellings as one signature.
		const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
		last := len(sig) - 1
		for _, ch := range alphabet {
			if byte(ch) == sig[last] {
				continue
			}
			v := tok + "." + sig[:last] + string(ch)
			wantReason(t, s, fmt.Sprintf("%q", v), &http.Cookie{Name: s.CookieName(), Value: v}, session.BadCookie)
		}
	})
	// The genuine cookie still works: the rejections above are about the
	// values, not about a broken session.
	e.wantUser(t, s, "the untampered cookie", c)
}

func TestSecretRotation(t *testing.T) {
	e := newEnv(t)
	onlyA := e.store(t, session.Config{Secrets: [][]byte{secretA}})
	onlyB := e.store(t, session.Config{Secrets: [][]byte{secretB}})
	aThenB := e.store(t, session.Config{Secrets: [][]byte{secretA, secretB}})
	signedB := e.login(t, onlyB, nil)
	signedByAThenB := e.login(t, aThenB, nil)

	t.Run("a cookie signed by B is accepted by a store configured [A, B]", func(t *testing.T) {
		e.wantUser(t, aThenB, "cookie signed by B", signedB)
	})
	t.Run("a cookie signed by B is BadCookie once B is dropped: [A]", func(t *testing.T) {
		wantReason(t, onlyA, "cookie signed by B", signedB, session.BadCookie)
	})
	t.Run("the first secret signs: a login on [A, B] is accepted by [A]", func(t *testing.T) {
		e.wantUser(t, onlyA, "cookie from a store configured [A, B]", signedByAThenB)
		wantReason(t, onlyB, "cookie from a store configured [A, B]", signedByAThenB, session.BadCookie)
	})
}

func TestTimeouts(t *testing.T) {
	t.Run("a session idle longer than the idle timeout is IdleExpiry and its row is gone", func(t *testing.T) {
		e := newEnv(t)
		s := e.store(t, session.Config{})
		c := e.login(t, s, nil)
		e.clock.Advance(idle + time.Microsecond)
		wantReason(t, s, "cookie idle past the timeout", c, session.IdleExpiry)
		e.wantNoRow(t, "the idle session", c)
		wantReason(t, s, "the idle-expired cookie, again", c, session.NoSession)
	})

	t.Run("a session idle exactly the idle timeout is still valid", func(t *testing.T) {
		e := newEnv(t)
		s := e.store(t, session.Config{})
		c := e.login(t, s, nil)
		e.clock.Advance(idle)
		e.wantUser(t, s, "cookie idle exactly the timeout", c)
	})

	// last_seen moves only every touch interval, so it may lag the last
	// use. With a fixed minute, an idle timeout of 90 s ended a session
	// used at 0 and 50 s at 95 s. The lag is at most a tenth of the
	// timeout now, so uses never more than nine tenths of it apart keep a
	// session, and a session unused for longer than the timeout ends.
	for _, timeout := range []time.Duration{10 * time.Second, 90 * time.Second, 2 * time.Minute, 10 * time.Minute, time.Hour, 24 * time.Hour} {
		for _, gaps := range [][]float64{{0.55, 0.5}, {0.3, 0.9, 0.9, 0.3, 0.9}, {0.05, 0.05, 0.9}} {
			t.Run(fmt.Sprintf("idle timeout %v: uses after %v of it keep the session, then %v+1µs unused ends it", timeout, gaps, timeout), func(t *testing.T) {
				e := newEnv(t)
				s := e.store(t, session.Config{IdleTimeout: timeout, AbsoluteTimeout: 100 * timeout})
				c := e.login(t, s, nil)
				elapsed := time.Duration(0)
				for _, g := range gaps {
					step := time.Duration(g * float64(timeout))
					e.clock.Advance(step)
					elapsed += step
					e.wantUser(t, s, fmt.Sprintf("cookie %v after login, %v after its last use", elapsed, step), c)
				}
				e.clock.Advance(timeout + time.Microsecond)
				wantReason(t, s, fmt.Sprintf("cookie %v+1µs after its last use", timeout), c, session.IdleExpiry)
			})
		}
	}

	t.Run("idle timeout 90s: used at 0 and 50s, the session answers at 95s", func(t *testing.T) {
		e := newEnv(t)
		s := e.store(t, session.Config{IdleTimeout: 90 * time.Second})
		c := e.login(t, s, nil)
		e.clock.Advance(50 * time.Second)
		e.wantUser(t, s, "cookie 50s after login", c)
		e.clock.Advance(45 * time.Second)
		e.wantUser(t, s, "cookie 95s after login, 45s after its last use", c)
	})

	t.Run("use keeps a session from going idle", func(t *testing.T) {
		e := newEnv(t)
		s := e.store(t, session.Config{})
		c := e.login(t, s, nil)
		for i := range 5 {
			e.clock.Advance(idle - time.Minute)
			e.wantUser(t, s, fmt.Sprintf("cookie used every %v, use %d", idle-time.Minute, i+1), c)
		}
	})

	t.Run("a session older than the absolute timeout is AbsExpiry however active, and its row is gone", func(t *testing.T) {
		e := newEnv(t)
		s := e.store(t, session.Config{})
		c := e.login(t, s, nil)
		step := 50 * time.Minute
		elapsed := time.Duration(0)
		for elapsed+step <= abs {
			e.clock.Advance(step)
			elapsed += step
			e.wantUser(t, s, fmt.Sprintf("cookie %v after login, used every %v", elapsed, step), c)
		}
		e.clock.Advance(step)
		elapsed += step
		wantReason(t, s, fmt.Sprintf("cookie %v after login, used every %v", elapsed, step), c, session.AbsExpiry)
		e.wantNoRow(t, "the session past its absolute timeout", c)
		wantReason(t, s, "the absolute-expired cookie, again", c, session.NoSession)
	})
}

func TestLastSeen(t *testing.T) {
	t.Run("last_seen is written at most once a minute", func(t *testing.T) {
		e := newEnv(t)
		s := e.store(t, session.Config{})
		login := e.clock.Now()
		c := e.login(t, s, nil)
		for _, step := range []struct {
			at, wantSeen time.Duration // since login
		}{
			{0, 0},
			{30 * time.Second, 0},
			{time.Minute - time.Microsecond, 0},
			{time.Minute, time.Minute},
			{90 * time.Second, time.Minute},
			{2*time.Minute - time.Microsecond, time.Minute},
			{2 * time.Minute, 2 * time.Minute},
			{10 * time.Minute, 10 * time.Minute},
		} {
			e.clock.Advance(login.Add(step.at).Sub(e.clock.Now()))
			e.wantUser(t, s, fmt.Sprintf("cookie %v after login", step.at), c)
			row, err := e.row(t, c)
			if err != nil {
				t.Fatalf("session row %v after login = %v", step.at, err)
			}
			if want := login.Add(step.wantSeen); !row.LastSeen.Equal(want) {
				t.Errorf("after Authenticate %v after login, last_seen = login+%v; want login+%v", step.at, row.LastSeen.Sub(login), step.wantSeen)
			}
			if !row.CreatedAt.Equal(login) {
				t.Errorf("after Authenticate %v after login, created_at = login+%v; want login", step.at, row.CreatedAt.Sub(login))
			}
		}
	})
}

func TestNewStore(t *testing.T) {
	e := newEnv(t)
	long := bytes.Repeat([]byte("k"), session.MinSecretBytes)
	short := bytes.Repeat([]byte("k"), session.MinSecretBytes-1)
	for _, tc := range []struct {
		name    string
		secrets [][]byte
		wantErr bool
	}{
		{"NewStore refuses a nil secret list", nil, true},
		{"NewStore refuses an empty secret list", [][]byte{}, true},
		{"NewStore refuses an empty secret", [][]byte{{}}, true},
		{"NewStore refuses a secret one byte short", [][]byte{short}, true},
		{"NewStore refuses a short verify-only secret behind a good one", [][]byte{long, short}, true},
		{"NewStore accepts a secret of exactly the minimum length", [][]byte{long}, false},
		{"NewStore accepts several long secrets", [][]byte{secretA, secretB}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := session.NewStore(e.db, session.Config{Secrets: tc.secrets, IdleTimeout: idle, AbsoluteTimeout: abs})
			lens := make([]int, len(tc.secrets))
			for i, sec := range tc.secrets {
				lens[i] = len(sec)
			}
			if tc.wantErr && (err == nil || s != nil) {
				t.Errorf("NewStore(secrets of %v bytes) = %v, %v; want nil, an error", lens, s, err)
			}
			if !tc.wantErr && (err != nil || s == nil) {
				t.Errorf("NewStore(secrets of %v bytes) = %v, %v; want a store, nil", lens, s, err)
			}
		})
	}
}

func TestNewStoreRefusesAnIdleTimeoutItCannotJudge(t *testing.T) {
	e := newEnv(t)
	for _, tc := range []struct {
		idle time.Duration
		ok   bool
	}{{session.MinIdleTimeout - time.Millisecond, false}, {time.Second, false}, {session.MinIdleTimeout, true}} {
		s, err := session.NewStore(e.db, session.Config{Secrets: [][]byte{secretA}, IdleTimeout: tc.idle, AbsoluteTimeout: abs})
		if ok := err == nil && s != nil; ok != tc.ok {
			t.Errorf("NewStore(idle timeout %v) = %v, %v; want a store: %v", tc.idle, s, err, tc.ok)
		}
	}
}

func TestSweep(t *testing.T) {
	t.Run("Sweep deletes idle and too-old sessions and keeps live ones", func(t *testing.T) {
		e := newEnv(t)
		s := e.store(t, session.Config{})
		use := func(c *http.Cookie, d time.Duration) {
			t.Helper()
			for elapsed := time.Duration(0); elapsed < d; elapsed += 30 * time.Minute {
				e.clock.Advance(30 * time.Minute)
				e.wantUser(t, s, "the old cookie, used every half hour", c)
			}
		}
		old := e.login(t, s, nil) // created at 0, used every half hour
		use(old, abs-time.Hour)
		idleC := e.login(t, s, nil) // created at abs-1h, never used again
		use(old, time.Hour)         // the last use is at exactly abs
		live := e.login(t, s, nil)  // created at abs
		e.clock.Advance(time.Minute)
		// Now: old is abs+1m old, idleC is idle+1m idle, live is a minute old.
		n, err := s.Sweep(context.Background())
		if err != nil {
			t.Fatalf("Sweep = %v", err)
		}
		if n != 2 {
			t.Errorf("Sweep = %d; want 2 (one idle, one too old)", n)
		}
		e.wantNoRow(t, "the session past its absolute timeout", old)
		e.wantNoRow(t, "the idle session", idleC)
		e.wantUser(t, s, "the live cookie after Sweep", live)
		if n, err := s.Sweep(context.Background()); err != nil || n != 0 {
			t.Errorf("second Sweep = %d, %v; want 0, nil", n, err)
		}
	})
}

func TestTokenStorage(t *testing.T) {
	t.Run("the database holds the token's hash, never the token", func(t *testing.T) {
		e := newEnv(t)
		s := e.store(t, session.Config{})
		var cookies []*http.Cookie
		for range 3 {
			cookies = append(cookies, e.login(t, s, nil))
		}
		// Read every file SQLite keeps, WAL included, as an attacker with a
		// copy of the database would.
		var disk []byte
		files, err := os.ReadDir(e.dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			b, err := os.ReadFile(filepath.Join(e.dir, f.Name()))
			if err != nil {
				t.Fatal(err)
			}
			disk = append(disk, b...)
		}
		for i, c := range cookies {
			tok := token(t, c)
			if bytes.Contains(disk, []byte(tok)) {
				t.Errorf("cookie %d: database files contain the raw token %q", i, tok)
			}
			row, err := e.row(t, c)
			if err != nil {
				t.Errorf("cookie %d: SessionUser(sha256(token)) = %v; want the session", i, err)
				continue
			}
			if row.ID == tok || row.UserID != e.user {
				t.Errorf("cookie %d: row = {ID:%q UserID:%d}; want {ID:sha256(token) UserID:%d}", i, row.ID, row.UserID, e.user)
			}
		}
	})
}
