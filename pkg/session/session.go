// Package session is docsd's server-side session store for
// gin-contrib/sessions.
//
// The cookie carries only a random token and its HMAC; the database keeps a
// SHA-256 of the token with the user id and two times. None of the stores
// that ship with gin-contrib/sessions can rotate the id at login or end a
// session for good, so this one is written for that:
//
//   - every Save but a logout's writes a new session under a new token and
//     deletes the old one (docsd saves at login and logout only, so a
//     pre-login cookie stops working);
//   - a Save whose Options.MaxAge is negative deletes the session (logout),
//     so a replayed cookie finds nothing;
//   - idle and absolute timeouts are checked on every lookup, not trusted to
//     the browser.
//
// The cookie's attributes come from the store's configuration whatever
// Options a handler passes, so the logout cookie always matches the login one.
package session

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	ginsessions "github.com/gin-contrib/sessions"
	"github.com/gorilla/sessions"

	"github.com/docsd/docs/pkg/docs"
)

// UserIDKey is the session value that holds the logged-in user's id (int64).
const UserIDKey = "user_id"

// ClientAddressKey and UserAgentKey are session values (strings) that a
// login sets for Save to keep with the new session.
const (
	ClientAddressKey = "client_address"
	UserAgentKey     = "user_agent"
)

// PasswordHashKey is the session value that holds the password hash a
// login checked ([]byte). Save creates the session only while the user
// still has that hash (docs.SessionStore.CreateSession), so a login that
// raced a password change or the user's removal gets no session; its
// error is then of kind docs.PreconditionFailed.
const PasswordHashKey = "password_hash"

// MinSecretBytes is the shortest signing secret accepted.
const MinSecretBytes = 32

// TouchEvery bounds how often a read request writes last_seen: at most once
// a minute per session, so reads stay reads.
const TouchEvery = time.Minute

// MinIdleTimeout is the shortest idle timeout a Store judges. last_seen
// lags a session's last use by up to its touch interval, a tenth of the
// timeout (TouchInterval), so that a session is ended no sooner than nine
// tenths of the timeout after its last use; below a second that interval
// would make nearly every read a write, and is within the difference
// between the clocks of processes sharing a database.
const MinIdleTimeout = 10 * time.Second

// TouchInterval is how long after last_seen a use moves it again, for an
// idle timeout of idle: a tenth of it, at most TouchEvery. A cache of
// sessions must re-read an entry at least this often (see pkg/api's Wire).
func TouchInterval(idle time.Duration) time.Duration {
	return min(TouchEvery, idle/10)
}

// CheckIdleTimeout refuses an idle timeout a Store cannot judge.
func CheckIdleTimeout(idle time.Duration) error {
	if idle < MinIdleTimeout {
		return fmt.Errorf("%v is shorter than %v, the shortest idle timeout docsd can judge: last use is recorded at most every tenth of it", idle, MinIdleTimeout)
	}
	return nil
}

// Session lifetimes docsd uses unless configured otherwise.
const (
	DefaultIdleTimeout     = 24 * time.Hour
	DefaultAbsoluteTimeout = 7 * 24 * time.Hour
)

// DefaultCookieName names the session cookie when Config.CookieName is empty.
const DefaultCookieName = "docs_session"

// Config configures a Store.
type Config struct {
	CookieName string
	// Secrets sign cookies: the first signs, all verify, so a secret can be
	// rotated by putting a new one first and dropping the old one later.
	Secrets         [][]byte
	IdleTimeout     time.Duration
	AbsoluteTimeout time.Duration
	Secure          bool
	// Now returns the time; tests inject a clock. Defaults to time.Now.
	Now func() time.Time
}

// Store implements gin-contrib/sessions' Store over a docs.SessionStore.
type Store struct {
	repo docs.SessionStore
	cfg  Config
	// touch is TouchInterval(cfg.IdleTimeout).
	touch time.Duration
	// macs holds one pool of HMAC states per secret: building an HMAC costs
	// several allocations, and every private request verifies one.
	macs []*sync.Pool
	// created and ended count what this store did, for Stats.
	created atomic.Uint64
	ended   [numEndReasons]atomic.Uint64
}

// EndReason is why a session ended, as far as this store saw it.
type EndReason int

// The ways a store ends sessions. A password change or a user removed by
// `docsd user` ends sessions in the database, beside the store, and is not
// among them.
const (
	EndLogout   EndReason = iota // DELETE /logout
	EndReplaced                  // a login or password change over an existing session rotated it
	EndExpired                   // found past a timeout when used
	EndSwept                     // deleted by Sweep
	numEndReasons
)

// endReasonNames names each EndReason, in order.
var endReasonNames = [numEndReasons]string{"logout", "replaced", "expired", "swept"}

// String is the reason's name, as metrics label it.
func (r EndReason) String() string {
	if r < 0 || r >= numEndReasons {
		return "EndReason(" + strconv.Itoa(int(r)) + ")"
	}
	return endReasonNames[r]
}

// EndReasons yields each EndReason with its name, in order:
// for r, name := range session.EndReasons. Stats.Ended is indexed by r.
func EndReasons(yield func(EndReason, string) bool) {
	for r := range numEndReasons {
		if !yield(r, r.String()) {
			return
		}
	}
}

// Stats counts the sessions a store created and ended since it was made.
type Stats struct {
	Created uint64
	Ended   [numEndReasons]uint64
}

// Stats returns the store's counts.
func (s *Store) Stats() Stats {
	st := Stats{Created: s.created.Load()}
	for i := range st.Ended {
		st.Ended[i] = s.ended[i].Load()
	}
	return st
}

// NewStore returns a Store. It refuses a configuration without a secret
// long enough to sign with.
func NewStore(repo docs.SessionStore, cfg Config) (*Store, error) {
	if len(cfg.Secrets) == 0 {
		return nil, errors.New("no session secret configured")
	}
	for i, s := range cfg.Secrets {
		if len(s) < MinSecretBytes {
			return nil, fmt.Errorf("session secret %d is %d bytes; at least %d are needed", i+1, len(s), MinSecretBytes)
		}
	}
	if cfg.IdleTimeout <= 0 || cfg.AbsoluteTimeout <= 0 {
		return nil, errors.New("session idle and absolute timeouts must be positive")
	}
	if err := CheckIdleTimeout(cfg.IdleTimeout); err != nil {
		return nil, fmt.Errorf("session idle timeout: %w", err)
	}
	if cfg.CookieName == "" {
		cfg.CookieName = DefaultCookieName
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	s := &Store{repo: repo, cfg: cfg, touch: TouchInterval(cfg.IdleTimeout)}
	for _, key := range cfg.Secrets {
		s.macs = append(s.macs, &sync.Pool{New: func() any { return hmac.New(sha256.New, key) }})
	}
	return s, nil
}

// CookieName is the name of the session cookie.
func (s *Store) CookieName() string { return s.cfg.CookieName }

// Reason says why a request has no valid session. The guard logs it; the
// client sees a shorter message.
type Reason string

// The reasons a session is not valid.
const (
	NoCookie   Reason = "no session cookie"
	BadCookie  Reason = "session cookie signature invalid"
	NoSession  Reason = "session ended or unknown"
	IdleExpiry Reason = "session idle timeout passed"
	AbsExpiry  Reason = "session absolute timeout passed"
)

// Authenticate returns the user of r's valid session, read in the same
// query as the session, so a role change or a removed user shows at once.
// When there is no valid session it returns nil and the reason; err is for
// storage failures only, so an outage is never reported as "not logged in".
func (s *Store) Authenticate(r *http.Request) (*docs.User, Reason, error) {
	token, reason := s.Verify(r)
	if reason != "" {
		return nil, reason, nil
	}
	return s.Lookup(r.Context(), token)
}

// Verify returns the session token of r's cookie when its signature
// holds, else why there is none (NoCookie, BadCookie). It reads nothing
// from the store, so a forged cookie costs no database read.
func (s *Store) Verify(r *http.Request) (string, Reason) {
	c, err := r.Cookie(s.cfg.CookieName)
	if err != nil {
		return "", NoCookie
	}
	token, ok := s.verify(c.Value)
	if !ok {
		return "", BadCookie
	}
	return token, ""
}

// Lookup returns the user of the session with token, a value Verify
// returned, as Authenticate does.
func (s *Store) Lookup(ctx context.Context, token string) (*docs.User, Reason, error) {
	id := hashToken(token)
	sess, user, err := s.repo.SessionUser(ctx, id)
	if docs.IsNotFound(err) {
		return nil, NoSession, nil
	}
	if err != nil {
		return nil, "", err
	}
	now := s.cfg.Now()
	var expired Reason
	switch {
	case now.Sub(sess.CreatedAt) > s.cfg.AbsoluteTimeout:
		expired = AbsExpiry
	case now.Sub(sess.LastSeen) > s.cfg.IdleTimeout:
		expired = IdleExpiry
	}
	if expired != "" {
		// A read-only database cannot forget the session; it is over all
		// the same.
		if err := s.repo.DeleteSession(ctx, id); err != nil && docs.KindOf(err) != docs.ReadOnly {
			return nil, "", err
		}
		s.ended[EndExpired].Add(1)
		return nil, expired, nil
	}
	if now.Sub(sess.LastSeen) >= s.touch {
		// A read-only database cannot record the use, and the request
		// goes on: reads keep working. The session looks idle since its
		// last recorded use, which can only end it sooner.
		if err := s.repo.TouchSession(ctx, id, now); err != nil && docs.KindOf(err) != docs.ReadOnly {
			return nil, "", err
		}
	}
	return user, "", nil
}

// Get returns the request's session through gorilla's per-request registry.
func (s *Store) Get(r *http.Request, name string) (*sessions.Session, error) {
	return sessions.GetRegistry(r).Get(s, name)
}

// New loads the session named by r's cookie, or starts an empty one.
func (s *Store) New(r *http.Request, name string) (*sessions.Session, error) {
	sess := sessions.NewSession(s, name)
	sess.IsNew = true
	c, err := r.Cookie(name)
	if err != nil {
		return sess, nil
	}
	token, ok := s.verify(c.Value)
	if !ok {
		return sess, nil
	}
	user, _, err := s.Lookup(r.Context(), token)
	if err != nil || user == nil {
		return sess, err
	}
	sess.ID = token
	sess.IsNew = false
	sess.Values[UserIDKey] = user.ID
	return sess, nil
}

// Save persists sess. See the package comment for why every save rotates.
func (s *Store) Save(r *http.Request, w http.ResponseWriter, sess *sessions.Session) error {
	ctx := r.Context()
	logout := sess.Options != nil && sess.Options.MaxAge < 0
	if sess.ID != "" {
		if err := s.repo.DeleteSession(ctx, hashToken(sess.ID)); err != nil {
			return err
		}
		sess.ID = ""
		if logout {
			s.ended[EndLogout].Add(1)
		} else {
			s.ended[EndReplaced].Add(1)
		}
	}
	if logout {
		http.SetCookie(w, s.cookie("", -1))
		return nil
	}
	uid, ok := sess.Values[UserIDKey].(int64)
	if !ok || uid <= 0 {
		return errors.New("session has no user id to save")
	}
	checked, ok := sess.Values[PasswordHashKey].([]byte)
	if !ok || len(checked) == 0 {
		return errors.New("session has no checked password hash to save")
	}
	token, err := newToken()
	if err != nil {
		return err
	}
	now := s.cfg.Now()
	addr, _ := sess.Values[ClientAddressKey].(string)
	agent, _ := sess.Values[UserAgentKey].(string)
	rec := &docs.Session{ID: hashToken(token), UserID: uid, CreatedAt: now, LastSeen: now, ClientAddress: addr, UserAgent: docs.StoredUserAgent(agent)}
	if err := s.repo.CreateSession(ctx, rec, checked); err != nil {
		return err
	}
	s.created.Add(1)
	sess.ID = token
	http.SetCookie(w, s.cookie(s.sign(token), int(s.cfg.AbsoluteTimeout/time.Second)))
	return nil
}

// Options is part of gin-contrib's Store interface. The store's cookie
// attributes are fixed by its Config, so this does nothing; see the package
// comment.
func (s *Store) Options(ginsessions.Options) {}

// Sweep deletes every expired session and says how many went.
func (s *Store) Sweep(ctx context.Context) (int64, error) {
	now := s.cfg.Now()
	n, err := s.repo.DeleteExpiredSessions(ctx, now.Add(-s.cfg.IdleTimeout), now.Add(-s.cfg.AbsoluteTimeout))
	if n > 0 {
		s.ended[EndSwept].Add(uint64(n))
	}
	return n, err
}

func (s *Store) cookie(value string, maxAge int) *http.Cookie {
	return &http.Cookie{ //nolint:gosec // G124: Secure follows session.secure_cookie, off by default so plain-HTTP localhost works; HttpOnly and SameSite are set
		Name:     s.cfg.CookieName,
		Value:    value,
		Path:     "/",
		MaxAge:   maxAge,
		HttpOnly: true,
		Secure:   s.cfg.Secure,
		SameSite: http.SameSiteLaxMode,
	}
}

// sign returns token.mac where mac is the HMAC-SHA256 of token under the
// first secret.
func (s *Store) sign(token string) string {
	var sum [sha256.Size]byte
	return token + "." + base64.RawURLEncoding.EncodeToString(s.mac(0, token, sum[:0]))
}

// verify returns the token of a cookie value signed by any configured secret.
func (s *Store) verify(value string) (string, bool) {
	token, sig, ok := strings.Cut(value, ".")
	if !ok || token == "" {
		return "", false
	}
	var got [sha256.Size]byte
	if base64.RawURLEncoding.EncodedLen(sha256.Size) != len(sig) {
		return "", false
	}
	// Strict: the last character's unused low bits must be zero, so that
	// one signature has one spelling and a session one cookie string.
	if _, err := strictBase64.Decode(got[:], []byte(sig)); err != nil {
		return "", false
	}
	var want [sha256.Size]byte
	for i := range s.macs {
		if hmac.Equal(got[:], s.mac(i, token, want[:0])) {
			return token, true
		}
	}
	return "", false
}

// mac appends the HMAC-SHA256 of token under secret i to b.
func (s *Store) mac(i int, token string, b []byte) []byte {
	h := s.macs[i].Get().(hash.Hash)
	h.Reset()
	h.Write([]byte(token)) //nolint:errcheck // hash.Hash.Write never returns an error
	b = h.Sum(b)
	s.macs[i].Put(h)
	return b
}

var strictBase64 = base64.RawURLEncoding.Strict()

func newToken() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("session token: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

func hashToken(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}
