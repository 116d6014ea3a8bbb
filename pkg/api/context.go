package api

import "github.com/gin-gonic/gin"

// Keys of the values the middleware and handlers share through the gin
// context. They live here, not beside any one user, since each is set in
// one place and read in others.
const (
	// ctxRoute is the matched *Route, set by logRequests before anything
	// can refuse the request.
	ctxRoute = "docsd.route"
	// ctxUser is the caller's *docs.User, set by the guard or a login.
	ctxUser = "docsd.user"
	// ctxReason is why a request was refused, for the log line.
	ctxReason = "docsd.reason"
	// ctxDenial is the denial class, set where the request is refused
	// when the status and route alone do not tell (see denialClass).
	ctxDenial = "docsd.denial"
	// ctxDocument is the *docs.Document an access rule was checked
	// against, for the handler (see checkAccess).
	ctxDocument = "docsd.document"
	// ctxLogin is the username a login attempted, for the log line.
	ctxLogin = "docsd.login"
	// ctxCredential is the credential the request sent (a credential),
	// for the metrics and the log line.
	ctxCredential = "docsd.credential"
)

// credential is the kind of credential a request sent: what
// docsd_http_requests_by_credential_total counts.
type credential uint8

const (
	credentialNone credential = iota
	credentialSession
	credentialToken
	numCredentials
)

var credentialNames = [numCredentials]string{"none", "session", "token"}

// String is the credential's label value.
func (k credential) String() string { return credentialNames[k] }

// credentialOf is the credential a request sent, as the guard found it.
func credentialOf(c *gin.Context) credential {
	if v, ok := c.Get(ctxCredential); ok {
		return v.(credential)
	}
	return credentialNone
}
