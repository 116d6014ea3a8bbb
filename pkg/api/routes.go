package api

import (
	"fmt"
	"net/http"
	"slices"

	"github.com/gin-gonic/gin"

	"github.com/docsd/docs/pkg/docs"
)

// Route is one endpoint: its name (what the skip list and the logs use), its
// method and path, whether it is public by default, who may call it when it
// is not public, whether it may be public at all, whether it writes the
// session, what it takes and returns, and its handler.
type Route struct {
	Name    string
	Method  string
	Path    string
	Summary string
	// Public puts the route on the default skip list (DefaultSkipList).
	// The operator's auth.public_routes decides; this is its default.
	Public bool
	// Access is the rule for a caller when the route is not on the skip
	// list: a login (the zero value), or a login and a policy action.
	Access Access
	// Scope is what a personal access token needs to call the route: the
	// read scope for what only reads, write for document writes, admin
	// for user administration; or SessionOnly for a route no token may
	// call (logins, passwords, and the tokens themselves, so that a leaked
	// token cannot mint more). Every route names one (checkTable).
	Scope docs.Scope
	// NeedsUser says the route answers for a logged-in user whatever the
	// skip list says: its handler acts as the caller, or its Access is a
	// policy, which judges the caller. The skip list may not name it
	// (CheckPublicRoutes), and OpenAPI lists its 401 under any skip list.
	NeedsUser bool
	// WritesSession says the handler starts or ends a session through
	// gin-contrib/sessions, so the route carries its middleware. Only these
	// routes do: the guard reads sessions through the store directly, so
	// every other request skips the middleware's allocations and its global
	// lock.
	WritesSession bool
	// NoDatabase says the handler reads nothing from the database, and
	// the answer is the same for everyone. On the skip list, such a route
	// does not look up a caller's session either, so it answers with the
	// database gone or hung, cookie or not: the liveness check must.
	NoDatabase bool
	// In and Out are the wire types of the request and response bodies
	// (zero values; nil for none), from which the OpenAPI description
	// (openapi.go) takes their schemas. A slice Out is a page of a list,
	// taking ?limit and ?after and linking the next page.
	In, Out any
	// Filters are a list's query parameters beyond ?limit and ?after, by
	// name, with what each keeps; every page's next link carries them.
	Filters map[string]string
	// Status is the status of success: 200 by default, 204 without Out.
	Status int
	// Problems are the statuses the handler itself may answer, beyond those
	// the route's shape implies (see problemsOf): 403 for a rule the
	// handler applies, 409 for a conflict, 412
	// for a stale If-Match (the route then takes If-Match), 429 for a
	// throttled password check (with Retry-After), 401 for a refused login.
	Problems []int
	handler  func(*Server, *gin.Context) error
}

// routes is the whole HTTP API. The engine is built by looping over it,
// `docsd routes` prints it, and the authorization test walks it. A route
// is public only when its name is on the skip list (Config.PublicRoutes);
// every other route needs a logged-in session, and Access says what more.
var routes = []Route{
	{Name: "health", Scope: docs.ScopeRead, Method: http.MethodGet, Path: "/healthz", Public: true, NoDatabase: true, Summary: "Say the server is up", Out: healthJSON{}, handler: (*Server).health},
	{Name: "ready", Scope: docs.ScopeRead, Method: http.MethodGet, Path: "/readyz", Public: true, Summary: "Say whether the database answers", Out: healthJSON{}, handler: (*Server).ready},
	{Name: "openapi", Scope: docs.ScopeRead, Method: http.MethodGet, Path: "/openapi.json", Public: true, NoDatabase: true, Summary: "This API's OpenAPI description", Out: object{}, handler: (*Server).openAPI},
	{Name: "register", Scope: SessionOnly, Method: http.MethodPost, Path: "/register", Public: true, Summary: "Create a member account", In: credentials{}, Out: userJSON{}, Status: http.StatusCreated, Problems: []int{409, 429}, handler: (*Server).register},
	{Name: "login", Scope: SessionOnly, Method: http.MethodPost, Path: "/login", Public: true, WritesSession: true, Summary: "Start a session", In: credentials{}, Out: userJSON{}, Problems: []int{401, 429}, handler: (*Server).login},
	{Name: "logout", Scope: SessionOnly, Method: http.MethodDelete, Path: "/logout", WritesSession: true, Summary: "End the session", handler: (*Server).logout},
	{Name: "me", Scope: docs.ScopeRead, Method: http.MethodGet, Path: "/me", NeedsUser: true, Summary: "The logged-in user", Out: userJSON{}, handler: (*Server).me},
	{Name: "me_update", Scope: SessionOnly, Method: http.MethodPatch, Path: "/me", NeedsUser: true, WritesSession: true, Summary: "Change the password, ending every other session", In: passwordChange{}, Out: userJSON{}, Problems: []int{429}, handler: (*Server).updateMe},
	{Name: "document_list", Scope: docs.ScopeRead, Method: http.MethodGet, Path: "/documents", Public: true, Summary: "List documents, without their bodies, or search them", Out: []documentListedJSON{}, Filters: map[string]string{
		"author": "Only the documents of the user with this username (letters, digits, '.', '-', '_'; matched without regard to case).",
		"q":      "Search: only the documents that match this query, those whose title matches first, then the newest first, each with a snippet (see docs/api.md for the query language).",
		"cursor": "With q, where the next page of a search starts, as its Link gives it (after pages only a list).",
	}, handler: (*Server).listDocuments},
	{Name: "document_create", Scope: docs.ScopeWrite, Method: http.MethodPost, Path: "/documents", NeedsUser: true, Summary: "Create a document (title required)", In: documentInput{}, Out: documentJSON{}, Status: http.StatusCreated, handler: (*Server).createDocument},
	{Name: "document", Scope: docs.ScopeRead, Method: http.MethodGet, Path: "/documents/:id", Summary: "Read a document", Out: documentJSON{}, handler: (*Server).getDocument},
	{Name: "document_update", Scope: docs.ScopeWrite, Method: http.MethodPatch, Path: "/documents/:id", NeedsUser: true, Access: Policy(EditDocument), Summary: "Change a document's title or body", In: documentInput{}, Out: documentJSON{}, Problems: []int{412}, handler: (*Server).updateDocument},
	{Name: "document_delete", Scope: docs.ScopeWrite, Method: http.MethodDelete, Path: "/documents/:id", NeedsUser: true, Access: Policy(DeleteDocument), Summary: "Delete a document", handler: (*Server).deleteDocument},
	{Name: "document_revisions", Scope: docs.ScopeRead, Method: http.MethodGet, Path: "/documents/:id/revisions", Summary: "List a document's revisions, newest first, without their bodies (a deleted document's: its author or an admin)", Out: []revisionSummaryJSON{}, Problems: []int{403}, handler: (*Server).listRevisions},
	{Name: "document_revision", Scope: docs.ScopeRead, Method: http.MethodGet, Path: "/documents/:id/revisions/:version", Summary: "Read one revision of a document, which never changes (a deleted document's: its author or an admin)", Out: revisionJSON{}, Problems: []int{403}, handler: (*Server).getRevision},
	{Name: "document_revert", Scope: docs.ScopeWrite, Method: http.MethodPost, Path: "/documents/:id/revert", NeedsUser: true, Access: Policy(EditDocument), Summary: "Make an earlier version's title and body the next version", In: revertInput{}, Out: documentJSON{}, Problems: []int{412}, handler: (*Server).revertDocument},
	{Name: "document_restore", Scope: docs.ScopeWrite, Method: http.MethodPost, Path: "/documents/:id/restore", NeedsUser: true, Access: Policy(RestoreDocument), Summary: "Bring a deleted document back under its id, as a new version", Out: documentJSON{}, Problems: []int{409}, handler: (*Server).restoreDocument},
	{Name: "user_list", Scope: docs.ScopeAdmin, Method: http.MethodGet, Path: "/users", NeedsUser: true, Access: Policy(ListUsers), Summary: "List users", Out: []userJSON{}, handler: (*Server).listUsers},
	{Name: "user_update", Scope: docs.ScopeAdmin, Method: http.MethodPatch, Path: "/users/:id", NeedsUser: true, Access: Policy(ChangeRole), Summary: "Change a user's role", In: roleInput{}, Out: userJSON{}, Problems: []int{409}, handler: (*Server).updateUser},
	{Name: "token_create", Scope: SessionOnly, Method: http.MethodPost, Path: "/tokens", NeedsUser: true, Summary: "Create a personal access token; the answer holds its secret, shown once", In: tokenInput{}, Out: newTokenJSON{}, Status: http.StatusCreated, Problems: []int{409}, handler: (*Server).createToken},
	{Name: "token_list", Scope: SessionOnly, Method: http.MethodGet, Path: "/tokens", NeedsUser: true, Summary: "List your personal access tokens, without their secrets", Out: []tokenJSON{}, handler: (*Server).listTokens},
	{Name: "token_delete", Scope: SessionOnly, Method: http.MethodDelete, Path: "/tokens/:id", NeedsUser: true, Summary: "Revoke one of your personal access tokens", handler: (*Server).deleteToken},
}

// SessionOnly is the Scope of a route that no token may call, only a
// caller with a session (or, on the skip list, anyone without a token).
const SessionOnly docs.Scope = "session"

// checkTable returns an error for a route without a scope.
func checkTable(table []Route) error {
	for _, r := range table {
		if !r.Scope.Valid() && r.Scope != SessionOnly {
			return fmt.Errorf("route %s has no token scope (%q): give it one of %v or SessionOnly", r.Name, r.Scope, docs.Scopes())
		}
	}
	return nil
}

// DefaultSkipList returns the default skip list: the names of the routes
// the table marks Public, which anyone may call without logging in.
func DefaultSkipList() []string {
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
