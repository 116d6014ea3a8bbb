package api

import (
	"fmt"
	"strings"

	"github.com/docsd/docs/pkg/docs"
)

// Action is something a logged-in user may or may not be allowed to do.
type Action int

// The actions that need more than a login.
const (
	EditDocument Action = iota + 1
	DeleteDocument
	ListUsers
	ChangeRole
	// RestoreDocument and ReadDeletedHistory are about a deleted
	// document: the rule for deleting it holds for bringing it back and
	// for reading its history meanwhile.
	RestoreDocument
	ReadDeletedHistory
)

// rule says who may take an action: users with one of roles, and the
// document's author when author is set.
type rule struct {
	verb string // what the action does, for messages: "delete document 7"
	// onDocument says the action is about one document, so the rule is
	// checked once the document is loaded (after its 404).
	onDocument bool
	// deleted says the document is a deleted one, loaded from its history
	// (404 when it never existed, 409 when it is not deleted).
	deleted bool
	author  bool
	roles   []docs.Role
}

// policy is the role × action table. Handlers never compare roles; they ask
// can or authorize.
var policy = map[Action]rule{
	EditDocument:    {verb: "edit document", onDocument: true, author: true, roles: []docs.Role{docs.RoleEditor, docs.RoleAdmin}},
	DeleteDocument:  {verb: "delete document", onDocument: true, author: true, roles: []docs.Role{docs.RoleAdmin}},
	ListUsers:       {verb: "list users", roles: []docs.Role{docs.RoleAdmin}},
	ChangeRole:      {verb: "change user roles", roles: []docs.Role{docs.RoleAdmin}},
	RestoreDocument: {verb: "restore document", onDocument: true, deleted: true, author: true, roles: []docs.Role{docs.RoleAdmin}},
	ReadDeletedHistory: {verb: "read the history of deleted document", onDocument: true, deleted: true, author: true,
		roles: []docs.Role{docs.RoleAdmin}},
}

// can reports whether u may take action a on doc (nil for actions that are
// not about a document). A nil user may do nothing.
func can(u *docs.User, a Action, doc *docs.Document) bool {
	r, ok := policy[a]
	if !ok || u == nil {
		return false
	}
	if r.author && doc != nil && doc.Author.ID == u.ID {
		return true
	}
	for _, role := range r.roles {
		if u.Role == role {
			return true
		}
	}
	return false
}

// authorize returns nil when u may take action a on doc, else a Forbidden
// error that says who may: "only the author (alice) or an admin may delete
// document 7".
func authorize(u *docs.User, a Action, doc *docs.Document) error {
	if can(u, a, doc) {
		return nil
	}
	r := policy[a]
	who := r.who(doc)
	what := r.verb
	if doc != nil {
		what = fmt.Sprintf("%s %d", r.verb, doc.ID)
	}
	return docs.Errorf(docs.Forbidden, "only %s may %s", who, what)
}

// who lists the allowed parties for a message: "the author (alice), an
// editor or an admin".
func (r rule) who(doc *docs.Document) string {
	author := "the author"
	if doc != nil {
		author = fmt.Sprintf("the author (%s)", doc.Author.Username)
	}
	return r.parties(author, func(role string) string {
		if strings.ContainsRune("aeiou", rune(role[0])) {
			return "an " + role
		}
		return "a " + role
	})
}

// parties joins the allowed parties, "x, y or z": author when the author
// may, then each role as name writes it.
func (r rule) parties(author string, name func(role string) string) string {
	var parts []string
	if r.author {
		parts = append(parts, author)
	}
	for _, role := range r.roles {
		parts = append(parts, name(string(role)))
	}
	return joinOr(parts)
}

func joinOr(parts []string) string {
	if len(parts) == 1 {
		return parts[0]
	}
	return strings.Join(parts[:len(parts)-1], ", ") + " or " + parts[len(parts)-1]
}

// Access is a route's rule for a caller who is not on the skip list: a
// login (the zero value), or a login and a policy action.
type Access struct {
	action Action
}

// Policy is the access of a route that needs action a's rule.
func Policy(a Action) Access { return Access{action: a} }

// String is what `docsd routes` prints: "login" or the rule, such as
// "author, editor or admin".
func (a Access) String() string {
	if a.action == 0 {
		return "login"
	}
	return policy[a.action].parties("author", func(role string) string { return role })
}
