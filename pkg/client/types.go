package client

import "time"

// Role is a user's role: RoleMember, RoleEditor or RoleAdmin.
type Role string

// The roles docsd knows.
const (
	RoleMember Role = "member"
	RoleEditor Role = "editor"
	RoleAdmin  Role = "admin"
)

// User is a docsd account.
type User struct {
	ID        int64     `json:"id"`
	Username  string    `json:"username"`
	Role      Role      `json:"role"`
	CreatedAt time.Time `json:"created_at"`
}

// Author is the short form of a user embedded in a document.
type Author struct {
	ID       int64  `json:"id"`
	Username string `json:"username"`
}

// Document is a docsd document. Lists leave Body empty: the server omits it.
type Document struct {
	ID        int64     `json:"id"`
	Title     string    `json:"title"`
	Body      string    `json:"body,omitempty"`
	Author    Author    `json:"author"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	Version   int64     `json:"version"`
	// ETag is the entity tag the server sent with the document, such as
	// `"3"`; pass it as UpdateOptions.IfMatch to save only over this version.
	ETag string `json:"-"`
}

// Found is a document a search found: the document without its body,
// and the snippet of the body around the first match.
type Found struct {
	Document
	Snippet []Segment `json:"snippet"`
}

// Segment is a piece of a snippet: text of the document, and whether it
// matched the query. Joined, a snippet's segments are its text.
type Segment struct {
	Text  string `json:"text"`
	Match bool   `json:"match"`
}

// SearchOptions qualifies SearchDocumentPages.
type SearchOptions struct {
	// Query is the search, in docsd's query language (docs/api.md).
	Query string
	// Limit is the most documents to return in all; 0 means all of them.
	Limit int
	// Author, when not empty, keeps only the documents of the user with
	// this username.
	Author string
}

// Revision is one version of a document as it was saved. A revision never
// changes.
type Revision struct {
	DocumentID int64  `json:"document_id"`
	Version    int64  `json:"version"`
	Title      string `json:"title"`
	// Body is empty in a list of revisions.
	Body   string `json:"body,omitempty"`
	Author Author `json:"author"`
	// By is who made the change; nil where no user did (the reassignment
	// of `docsd user rm --reassign-to`, or the version a document had
	// when the server began to keep history).
	By        *Author   `json:"by,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}

// Credentials are a username and password, for Login and Register.
type Credentials struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

// NewDocument is the content of a document to create.
type NewDocument struct {
	Title string `json:"title"`
	Body  string `json:"body"`
}

// DocumentPatch holds the fields to change; nil fields are left as they are.
type DocumentPatch struct {
	Title *string `json:"title,omitempty"`
	Body  *string `json:"body,omitempty"`
}

// UpdateOptions qualifies UpdateDocument.
type UpdateOptions struct {
	// IfMatch, when not empty, is sent as If-Match: the server refuses the
	// change with 412 when the document's current ETag differs.
	IfMatch string
}

// ListOptions qualifies ListDocuments.
type ListOptions struct {
	// Limit is the most documents to return in all; 0 means all of them.
	Limit int
	// PageSize is how many documents to ask for per request; 0 leaves it
	// to the server (100 by default).
	PageSize int
	// After starts the listing after the document with this ID.
	After int64
	// Author, when not empty, lists only the documents of the user with
	// this username.
	Author string
}
