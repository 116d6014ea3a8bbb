package api

import (
	"net/http"

	"github.com/docsd/docs/pkg/session"
)

// denial is why a request got a 401, 403 or 429, in a few classes an
// alert can be written against: the reason label of
// docsd_http_denials_total. The log line carries the full reason.
type denial uint8

const (
	denyNoSession      denial = iota // no session cookie
	denyInvalidSession               // a bad signature, or a session that ended or never was
	denyExpired                      // past the idle or absolute timeout
	denyBadCredentials               // a login with a wrong username or password
	denyRole                         // the caller's role may not do this
	denyNotAuthor                    // neither the document's author nor of a role that may
	denyCrossOrigin                  // a cross-origin browser request that changes state
	denyThrottled                    // too many failed logins
	denyInvalidToken                 // a bearer token malformed, unknown or revoked
	denyTokenScope                   // a token whose scopes do not cover the route
	denyOther                        // any other 403: registration off, a wrong current password
	numDenials
)

var denialNames = [numDenials]string{"no_session", "invalid_session", "expired", "bad_credentials", "role", "not_author", "cross_origin", "throttled", "invalid_token", "token_scope", "other"}

// String is the denial's reason label.
func (d denial) String() string { return denialNames[d] }

// sessionDenial is the class of a request refused for want of a valid
// session, by why the session store found none.
func sessionDenial(r session.Reason) denial {
	switch r {
	case session.BadCookie, session.NoSession:
		return denyInvalidSession
	case session.IdleExpiry, session.AbsExpiry:
		return denyExpired
	default:
		return denyNoSession
	}
}

// loginRoute is the name of the route whose outcomes are counted and
// logged as logins.
const loginRoute = "login"

// loginOutcome is how a POST /login ended, in the words both the request
// log (outcome=) and docsd_logins_total (its outcome label) use.
type loginOutcome uint8

const (
	loginSuccess        loginOutcome = iota // 200: a session started
	loginBadCredentials                     // 401: a wrong username or password
	loginThrottled                          // 429: too many failed logins
	loginRefused                            // 403: refused before the password was looked at (a cross-origin request)
	loginInvalid                            // any other 4xx: a malformed request
	loginError                              // 5xx: the server or its database failed
	numLoginOutcomes
)

var loginOutcomeNames = [numLoginOutcomes]string{"success", "bad_credentials", "throttled", "refused", "invalid", "error"}

// String is the outcome's name in the log and the metrics.
func (o loginOutcome) String() string { return loginOutcomeNames[o] }

// loginOutcomeOf is the outcome of a login answered status.
func loginOutcomeOf(status int) loginOutcome {
	switch {
	case status == http.StatusOK:
		return loginSuccess
	case status == http.StatusUnauthorized:
		return loginBadCredentials
	case status == http.StatusTooManyRequests:
		return loginThrottled
	case status == http.StatusForbidden:
		return loginRefused
	case status >= http.StatusInternalServerError:
		return loginError
	}
	return loginInvalid
}
