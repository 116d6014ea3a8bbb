package api

import (
	"net/http"
	"slices"

	"github.com/gin-gonic/gin"
)

// Route is one endpoint: its name (what the skip list and the logs use), its
// method and path, whether it is public by default, who may call it when it
// is not public, whether it writes the session, and its handler.
type Route struct {
	Name   string
	Method string
	Path   string
	// Public puts the route on the default skip list (DefaultPublicRoutes).
	// The operator's auth.public_routes decides; this is its default.
	Public bool
	// Access is the rule for a caller when the route is not on the skip
	// list: a login (the zero value), or a login and a policy action.
	Access Access
	// WritesSession says the handler starts or ends a session through
	// gin-contrib/sessions, so the route carries its middleware. Only these
	// routes do: the guard reads sessions through the store directly, so
	// every other request skips the middleware's allocations and its global
	// lock.
	WritesSession bool
	handler       func(*Server, *gin.Context) error
}

// routes is the whole HTTP API. The engine is built by looping over it,
// `docsd routes` prints it, and the authorization test walks it. A route
// is public only when its name is on the skip list (Config.PublicRoutes);
// every other route needs a logged-in session, and Access says what more.
var routes = []Route{
	{Name: "health", Method: http.MethodGet, Path: "/healthz", Public: true, handler: (*Server).health},
	{Name: "ready", Method: http.MethodGet, Path: "/readyz", Public: true, handler: (*Server).ready},
	{Name: "register", Method: http.MethodPost, Path: "/register", Public: true, handler: (*Server).register},
	{Name: "login", Method: http.MethodPost, Path: "/login", Public: true, WritesSession: true, handler: (*Server).login},
	{Name: "logout", Method: http.MethodDelete, Path: "/logout", WritesSession: true, handler: (*Server).logout},
	{Name: "me", Method: http.MethodGet, Path: "/me", handler: (*Server).me},
	{Name: "me_update", Method: http.MethodPatch, Path: "/me", WritesSession: true, handler: (*Server).updateMe},
	{Name: "document_list", Method: http.MethodGet, Path: "/documents", Public: true, handler: (*Server).listDocuments},
	{Name: "document_create", Method: http.MethodPost, Path: "/documents", handler: (*Server).createDocument},
	{Name: "document", Method: http.MethodGet, Path: "/documents/:id", handler: (*Server).getDocument},
	{Name: "document_update", Method: http.MethodPatch, Path: "/documents/:id", Access: Policy(EditDocument), handler: (*Server).updateDocument},
	{Name: "document_delete", Method: http.MethodDelete, Path: "/documents/:id", Access: Policy(DeleteDocument), handler: (*Server).deleteDocument},
	{Name: "user_list", Method: http.MethodGet, Path: "/users", Access: Policy(ListUsers), handler: (*Server).listUsers},
	{Name: "user_update", Method: http.MethodPatch, Path: "/users/:id", Access: Policy(ChangeRole), handler: (*Server).updateUser},
}

// DefaultPublicRoutes is the default skip list: the names of the routes the
// table marks Public, which anyone may call without logging in.
var DefaultPublicRoutes = defaultPublicRoutes()

func defaultPublicRoutes() []string {
	var names []string
	for _, r := range routes {
		if r.Public {
			names = append(names, r.Name)
		}
	}
	return names
}

// Routes returns a copy of the route table.
func Routes() []Route {
	return append([]Route(nil), routes...)
}

// AccessFor describes who may call r under the skip list public: "public",
// "login" or the policy rule. Where the skip list differs from the default
// for r, it says so, so an operator sees what their configuration changed:
// "public (configured)" for a route made public, "login (public by
// default)" for a default-public route taken off the list.
func AccessFor(r Route, public []string) string {
	switch onList := slices.Contains(public, r.Name); {
	case onList && r.Public:
		return "public"
	case onList:
		return "public (configured)"
	case r.Public:
		return r.Access.String() + " (public by default)"
	default:
		return r.Access.String()
	}
}
