package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/docsd/docs/pkg/cache"
	"github.com/docsd/docs/pkg/docs"
	"github.com/docsd/docs/pkg/token"
)

// Token lifetimes: the default when a request names none, and the bounds
// of one it names. A token that never expires needs the operator's
// tokens.allow_never.
const (
	DefaultTokenLifetime = 30 * 24 * time.Hour
	MaxTokenLifetime     = 365 * 24 * time.Hour
	minTokenLifetime     = time.Minute
)

// tokenTouchInterval is how often a token's use is recorded: at most once
// a minute per token and process, so that using a token costs no write.
const tokenTouchInterval = time.Minute

// Headers of every response to a request made with a token: when the
// token expires (as GitHub's GitHub-Authentication-Token-Expiration) and
// what it may do, so a script sees both without another request.
const (
	tokenExpirationHeader = "Docs-Token-Expiration"
	tokenScopesHeader     = "Docs-Token-Scopes"
	// tokenTimeLayout is how the expiration is written: "2027-01-05
	// 19:50:00 UTC".
	tokenTimeLayout = "2006-01-02 15:04:05 MST"
)

// bearer returns the secret of the request's bearer token and whether it
// sent one. A request that also sends a session cookie, or an
// Authorization header of another scheme, is a 400: which credential was
// meant is not for the server to guess.
func (s *Server) bearer(c *gin.Context) (string, bool, error) {
	h, ok := c.Request.Header["Authorization"]
	if !ok {
		return "", false, nil
	}
	scheme, secret, _ := strings.Cut(strings.TrimSpace(h[0]), " ")
	if len(h) > 1 || !strings.EqualFold(scheme, "Bearer") {
		return "", true, docs.FieldErrorf("Authorization", "the Authorization header takes one Bearer token (Authorization: Bearer docs_pat_...); docsd reads no other scheme")
	}
	if _, err := c.Request.Cookie(s.Sessions.CookieName()); err == nil {
		return "", true, docs.FieldErrorf("Authorization", "send a session cookie or a bearer token, not both")
	}
	return strings.TrimSpace(secret), true, nil
}

// authenticateToken checks the request's token against route r and, when
// it may call r, makes the token's user the caller. On a public route
// (public) a token whose scopes do not cover it lends nothing: the caller
// is served as anonymous, as anyone may be. A malformed token is
// refused without a database read; an unknown one counts toward the
// client address's login throttle, like a wrong password; an expired one
// says when it expired. The token's expiry and scopes go out as headers.
// Its scopes must cover the route's (Route.Scope); what its user may do is
// then decided as for a session, on the user as the database has them
// now: a role change or a removal holds at the next request.
func (s *Server) authenticateToken(c *gin.Context, r *Route, secret string, public bool) error {
	if err := token.Check(secret); err != nil {
		return s.badToken(c, "malformed token: "+err.Error(), "the token is malformed: "+err.Error())
	}
	// The token cache reads the epochs under the request, and the
	// document cache later in the same request uses that read (see
	// authenticate).
	c.Request = c.Request.WithContext(cache.Request(c.Request.Context()))
	ctx := c.Request.Context()
	t, u, err := s.Tokens.TokenUser(ctx, token.Hash(secret))
	if docs.IsNotFound(err) {
		if err := s.reserveAttempt(ctx, "", c.ClientIP()); err != nil {
			return err
		}
		return s.badToken(c, "token unknown or revoked", "the token is not valid: it was revoked or never existed; create one with `docs token create`")
	}
	if err != nil {
		return err
	}
	now := s.cfg.Now()
	if t.Expired(now) {
		c.Set(ctxDenial, denyExpired)
		return s.badToken(c, fmt.Sprintf("token %d (%s) of %s expired", t.ID, t.Name, u.Username),
			fmt.Sprintf("the token expired at %s; create one with `docs token create`", t.ExpiresAt.UTC().Format(tokenTimeLayout)))
	}
	h := c.Writer.Header()
	if !t.ExpiresAt.IsZero() {
		h[tokenExpirationHeader] = []string{t.ExpiresAt.UTC().Format(tokenTimeLayout)}
	}
	h[tokenScopesHeader] = []string{scopeList(t)}
	if now.Sub(t.LastUsedAt) >= tokenTouchInterval {
		// A read-only database cannot record the use; the request goes on.
		if err := s.Tokens.TouchToken(ctx, t.ID, now, c.ClientIP()); err != nil && docs.KindOf(err) != docs.ReadOnly {
			return err
		}
	}
	if err := checkScope(c, r, t); err != nil {
		if public {
			return nil
		}
		return err
	}
	c.Set(ctxUser, u)
	return nil
}

// badToken is the 401 for a token that is not valid now: reason for the
// log line, detail for the caller, with the challenge RFC 6750 names.
func (s *Server) badToken(c *gin.Context, reason, detail string) error {
	c.Set(ctxReason, reason)
	if _, ok := c.Get(ctxDenial); !ok {
		c.Set(ctxDenial, denyInvalidToken)
	}
	c.Writer.Header()["Www-Authenticate"] = []string{`Bearer realm="docsd", error="invalid_token"`}
	return docs.Errorf(docs.Unauthorized, "%s", detail)
}

// checkScope refuses a token whose scopes do not cover route r (nil: a
// route outside the table, which only a session may call).
func checkScope(c *gin.Context, r *Route, t *docs.Token) error {
	name, scope := "this route", SessionOnly
	if r != nil {
		name, scope = r.Name, r.Scope
	}
	switch {
	case scope == SessionOnly:
		c.Set(ctxReason, fmt.Sprintf("token %d (%s) on %s, which needs a session", t.ID, t.Name, name))
		c.Set(ctxDenial, denyTokenScope)
		return docs.Errorf(docs.Forbidden, "tokens cannot call %s: it needs a session; log in with `docs login`", name)
	case !t.Has(scope):
		c.Set(ctxReason, fmt.Sprintf("token %d (%s) has scopes %s, not %s", t.ID, t.Name, scopeList(t), scope))
		c.Set(ctxDenial, denyTokenScope)
		return docs.Errorf(docs.Forbidden, "this token's scopes (%s) do not cover %s, which %s needs; create a token with --scope %s",
			scopeList(t), scope, name, scope)
	}
	return nil
}

// scopeList is how a token's scopes are shown: "read, write".
func scopeList(t *docs.Token) string {
	return strings.ReplaceAll(docs.JoinScopes(t.Scopes), ",", ", ")
}

type tokenInput struct {
	Name   string   `json:"name"`
	Scopes []string `json:"scopes"`
	// ExpiresIn is a duration ("30d", "12h", "90m") or "never"; absent,
	// DefaultTokenLifetime.
	ExpiresIn string `json:"expires_in,omitempty"`
}

type tokenJSON struct {
	ID           int64      `json:"id"`
	Name         string     `json:"name"`
	Scopes       []string   `json:"scopes"`
	CreatedAt    time.Time  `json:"created_at"`
	ExpiresAt    *time.Time `json:"expires_at"`
	LastUsedAt   *time.Time `json:"last_used_at"`
	LastUsedFrom string     `json:"last_used_from"`
}

// newTokenJSON is a token as its creation answers it: the one time the
// secret is shown.
type newTokenJSON struct {
	tokenJSON
	Token string `json:"token"`
}

func toTokenJSON(t *docs.Token) tokenJSON {
	out := tokenJSON{ID: t.ID, Name: t.Name, Scopes: []string{}, CreatedAt: t.CreatedAt, LastUsedFrom: t.LastUsedFrom}
	for _, sc := range t.Scopes {
		out.Scopes = append(out.Scopes, string(sc))
	}
	if !t.ExpiresAt.IsZero() {
		out.ExpiresAt = &t.ExpiresAt
	}
	if !t.LastUsedAt.IsZero() {
		out.LastUsedAt = &t.LastUsedAt
	}
	return out
}

// createToken makes a token for the caller and answers its secret, once.
func (s *Server) createToken(c *gin.Context) error {
	u, err := currentUser(c)
	if err != nil {
		return err
	}
	var in tokenInput
	if err := decode(c, &in); err != nil {
		return err
	}
	t, err := s.newToken(u, in)
	if err != nil {
		return err
	}
	secret := token.New()
	t.Hash = token.Hash(secret)
	if err := s.Tokens.CreateToken(c.Request.Context(), t); err != nil {
		return err
	}
	c.Header("Location", fmt.Sprintf("/tokens/%d", t.ID))
	c.JSON(http.StatusCreated, newTokenJSON{toTokenJSON(t), secret})
	return nil
}

// newToken checks a creation request and returns the token it asks for.
func (s *Server) newToken(u *docs.User, in tokenInput) (*docs.Token, error) {
	if err := validateTokenName(in.Name); err != nil {
		return nil, err
	}
	if len(in.Scopes) == 0 {
		return nil, docs.FieldErrorf("scopes", "scopes is required: one or more of %s", scopeNames())
	}
	var scopes []docs.Scope
	for _, name := range in.Scopes {
		sc := docs.Scope(name)
		if !sc.Valid() {
			return nil, docs.FieldErrorf("scopes", "no scope %q: scopes are %s", name, scopeNames())
		}
		scopes = append(scopes, sc)
	}
	// A token never does more than its user: the policy caps it at every
	// request, and an admin scope the user's role cannot use is refused
	// here rather than kept for a promotion that may never come.
	if slices.Contains(scopes, docs.ScopeAdmin) && u.Role != docs.RoleAdmin {
		return nil, docs.Errorf(docs.Forbidden, "only an admin may create a token with the admin scope; you are a %s", u.Role)
	}
	now := s.cfg.Now().UTC()
	t := &docs.Token{UserID: u.ID, Name: in.Name, Scopes: docs.SplitScopes(docs.JoinScopes(scopes)), CreatedAt: now}
	life, err := s.tokenLifetime(in.ExpiresIn)
	if err != nil {
		return nil, err
	}
	if life > 0 {
		t.ExpiresAt = now.Add(life)
	}
	return t, nil
}

func validateTokenName(name string) error {
	switch n := len([]rune(name)); {
	case strings.TrimSpace(name) == "":
		return docs.FieldErrorf("name", "name is required: say what the token is for, such as \"ci\"")
	case n > docs.MaxTokenNameLen:
		return docs.FieldErrorf("name", "name is %d characters; at most %d", n, docs.MaxTokenNameLen)
	}
	for _, r := range name {
		if r < ' ' || r == 0x7f {
			return docs.FieldErrorf("name", "name may not hold control characters")
		}
	}
	return nil
}

// tokenLifetime parses expires_in: empty for DefaultTokenLifetime, a Go
// duration or a number of days ("30d"), or "never" (0) where the
// configuration allows it.
func (s *Server) tokenLifetime(v string) (time.Duration, error) {
	switch v {
	case "":
		return DefaultTokenLifetime, nil
	case "never":
		if !s.cfg.AllowNeverExpiringTokens {
			return 0, docs.FieldErrorf("expires_in", "tokens must expire on this server (at most in 365d); an operator may allow \"never\" with tokens.allow_never")
		}
		return 0, nil
	}
	d, err := ParseTokenLifetime(v)
	if err != nil {
		return 0, docs.FieldErrorf("expires_in", "expires_in: %v", err)
	}
	return d, nil
}

// ParseTokenLifetime reads a token lifetime: a number of days ("30d") or
// a Go duration ("12h", "90m"), from a minute to a year.
func ParseTokenLifetime(v string) (time.Duration, error) {
	var d time.Duration
	if days, ok := strings.CutSuffix(v, "d"); ok {
		n, err := strconv.Atoi(days)
		if err != nil || n < 1 {
			return 0, fmt.Errorf("%q is not a number of days such as 30d", v)
		}
		d = time.Duration(min(n, 1<<20)) * 24 * time.Hour
	} else {
		var err error
		if d, err = time.ParseDuration(v); err != nil {
			return 0, fmt.Errorf("%q is not a lifetime such as 30d, 12h or never", v)
		}
	}
	if d < minTokenLifetime || d > MaxTokenLifetime {
		return 0, errors.New("a token lives from 1m to 365d")
	}
	return d, nil
}

func scopeNames() string {
	var names []string
	for _, sc := range docs.Scopes() {
		names = append(names, string(sc))
	}
	return strings.Join(names, ", ")
}

// listTokens answers the caller's tokens, oldest first, never a secret.
func (s *Server) listTokens(c *gin.Context) error {
	u, err := currentUser(c)
	if err != nil {
		return err
	}
	list, err := listPage(c, func(ctx context.Context, p docs.Page) ([]*docs.Token, error) {
		all, err := s.Tokens.UserTokens(ctx, u.ID)
		if err != nil {
			return nil, err
		}
		var page []*docs.Token
		for _, t := range all {
			if t.ID > p.After && len(page) < p.Limit {
				page = append(page, t)
			}
		}
		return page, nil
	}, func(t *docs.Token) int64 { return t.ID })
	if err != nil {
		return err
	}
	out := make([]tokenJSON, len(list))
	for i, t := range list {
		out[i] = toTokenJSON(t)
	}
	c.JSON(http.StatusOK, out)
	return nil
}

// deleteToken revokes one of the caller's tokens; another user's is a
// 404, as if it did not exist (an admin revokes it with `docsd user
// tokens NAME --revoke ID`).
func (s *Server) deleteToken(c *gin.Context) error {
	u, err := currentUser(c)
	if err != nil {
		return err
	}
	id, err := pathID(c)
	if err != nil {
		return err
	}
	if err := s.Tokens.DeleteToken(c.Request.Context(), u.ID, id); err != nil {
		return err
	}
	c.Status(http.StatusNoContent)
	return nil
}
