package api

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
)
