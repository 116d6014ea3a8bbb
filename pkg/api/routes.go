package api

import (
	"net/http"

	"github.com/gin-gonic/gin"
)

// Route is one endpoint: its name (what the skip list and the logs use), its
// method and path, who may call it when it is not public, and its handler.
type Route struct {
	Name    string
	Method  string
	Path    string
	Access  Access
	handler func(*Server, *gin.Context) error
}

// routes is the whole HTTP API. The engine is built by looping over it,
// `docsd routes` prints it, and the authorization test walks it. A route
// is public only when its name is on the skip list (Config.PublicRoutes);
// every other route needs a logged-in session, and Access says what more.
var routes = []Route{
	{"health", http.MethodGet, "/healthz", LoggedIn, (*Server).health},
	{"register", http.MethodPost, "/register", LoggedIn, (*Server).register},
	{"login", http.MethodPost, "/login", LoggedIn, (*Server).login},
	{"logout", http.MethodDelete, "/logout", LoggedIn, (*Server).logout},
	{"me", http.MethodGet, "/me", LoggedIn, (*Server).me},
	{"me_update", http.MethodPatch, "/me", LoggedIn, (*Server).updateMe},
	{"document_list", http.MethodGet, "/documents", LoggedIn, (*Server).listDocuments},
	{"document_create", http.MethodPost, "/documents", LoggedIn, (*Server).createDocument},
	{"document", http.MethodGet, "/documents/:id", LoggedIn, (*Server).getDocument},
	{"document_update", http.MethodPatch, "/documents/:id", Policy(EditDocument), (*Server).updateDocument},
	{"document_delete", http.MethodDelete, "/documents/:id", Policy(DeleteDocument), (*Server).deleteDocument},
	{"user_list", http.MethodGet, "/users", Policy(ListUsers), (*Server).listUsers},
	{"user_update", http.MethodPatch, "/users/:id", Policy(ChangeRole), (*Server).updateUser},
}

// writesSession names the routes whose handlers start or end a session
// through gin-contrib/sessions. Only they carry its middleware; the guard
// reads sessions through the store directly, so every other request skips
// the middleware's allocations and its global lock.
var writesSession = map[string]bool{"login": true, "logout": true, "me_update": true}

// DefaultPublicRoutes is the default skip list: the names of the routes
// anyone may call without logging in.
var DefaultPublicRoutes = []string{"health", "register", "login", "document_list"}

// Routes returns a copy of the route table.
func Routes() []Route {
	return append([]Route(nil), routes...)
}

// AccessFor describes who may call r under the skip list public: "public",
// "login", or the policy rule.
func AccessFor(r Route, public []string) string {
	for _, name := range public {
		if name == r.Name {
			return "public"
		}
	}
	return r.Access.String()
}
