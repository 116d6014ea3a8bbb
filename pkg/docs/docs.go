// Package docs holds the domain of docsd: users, roles, documents and
// sessions, the errors the rest of the program speaks in, and the storage
// interfaces that adapters such as pkg/sqlite implement.
//
// It imports nothing from the rest of the module but pkg/search, the query
// language, which imports nothing at all; so the HTTP layer and the storage
// adapters depend on it and never on each other.
package docs

import (
	"context"
	"time"
)

// Role decides what a logged-in user may do beyond reading.
type Role string

// The roles, from least to most privileged.
const (
	RoleMember Role = "member"
	RoleEditor Role = "editor"
	RoleAdmin  Role = "admin"
)

// Roles returns every valid role in order of privilege.
func Roles() []Role {
	return []Role{RoleMember, RoleEditor, RoleAdmin}
}

// Valid reports whether r is one of Roles.
func (r Role) Valid() bool {
	return r == RoleMember || r == RoleEditor || r == RoleAdmin
}

// User is an account that can log in.
type User struct {
	ID           int64
	Username     string
	Role         Role
	PasswordHash []byte
	CreatedAt    time.Time
}

// Author is the part of a user that a document shows.
type Author struct {
	ID       int64
	Username string
}

// Document is a titled text owned by its author. Version starts at 1 and
// grows by one with every update; it is what ETag and If-Match compare.
type Document struct {
	ID        int64
	Title     string
	Body      string
	Author    Author
	CreatedAt time.Time
	UpdatedAt time.Time
	Version   int64
}

// DocumentUpdate is a partial change to a document; nil fields stay as they are.
type DocumentUpdate struct {
	Title *string
	Body  *string
}

// Page asks for at most Limit items whose id is greater than After.
// Keyset pagination keeps every page as cheap as the first.
type Page struct {
	After int64
	Limit int
	// Author, when not empty, keeps only the documents of the user with
	// this username (document lists only; unknown names match nothing).
	// The store's index on (author, id) keeps such a page a range scan.
	Author string
}

// Session is the server-side record behind a session cookie. ID is a hash of
// the token the cookie carries, so the table alone cannot be replayed.
type Session struct {
	ID        string
	UserID    int64
	CreatedAt time.Time
	LastSeen  time.Time
	// ClientAddress and UserAgent are those of the login that created the
	// session, so an operator can tell a user's sessions apart.
	ClientAddress string
	UserAgent     string
}

// MaxUserAgentLen bounds the user agent kept with a session.
const MaxUserAgentLen = 256

// UserStore keeps users. Usernames are unique regardless of case.
type UserStore interface {
	CreateUser(ctx context.Context, u *User) error
	UserByID(ctx context.Context, id int64) (*User, error)
	UserByName(ctx context.Context, username string) (*User, error)
	ListUsers(ctx context.Context, p Page) ([]*User, error)
	// SetRole changes a user's role, refusing to demote the last admin.
	SetRole(ctx context.Context, id int64, role Role) (*User, error)
	// SetPassword replaces a user's password hash and ends every session
	// of theirs, in one transaction. It is an operator's reset: it applies
	// whatever the stored hash is.
	SetPassword(ctx context.Context, id int64, hash []byte) error
	// ChangePassword is SetPassword on condition: it applies only while
	// the stored hash is still current, the hash the caller checked the
	// user's current password against. Otherwise it changes nothing and
	// returns a PreconditionFailed error (NotFound for a missing user).
	// The comparison and the update must be one atomic step (a single
	// UPDATE ... WHERE id = ? AND password_hash = ?), so that of two
	// changes made from the same current password exactly one applies.
	ChangePassword(ctx context.Context, id int64, current, hash []byte) error
	// DeleteUser removes a user and ends their sessions. Their documents
	// move to reassignTo, each as a new version updated at now (the author
	// is part of what a document shows, so its ETag must change) whose
	// revision no user made (By.ID 0), and so do their deleted documents,
	// which restoring then gives to reassignTo; with
	// reassignTo 0 a user who owns documents is a Conflict, so no document
	// is ever lost with its author. Their deleted documents do not count:
	// those keep their history but can no longer be restored.
	DeleteUser(ctx context.Context, id, reassignTo int64, now time.Time) error
}

// DocumentStore keeps documents. Every change that makes a version stores
// its revision (RevisionStore) in the same transaction.
type DocumentStore interface {
	// CreateDocument inserts d and sets its ID, Version and author's
	// name; its author is who made its first revision. An author who no
	// longer exists is AuthorRemoved.
	CreateDocument(ctx context.Context, d *Document) error
	DocumentByID(ctx context.Context, id int64) (*Document, error)
	// ListDocuments returns documents in id order without their bodies.
	ListDocuments(ctx context.Context, p Page) ([]*Document, error)
	// UpdateDocument applies u when the stored version equals ifVersion
	// (0 means any version) and returns the new document; by is the user
	// making the change, whom its revision names.
	UpdateDocument(ctx context.Context, id int64, u DocumentUpdate, ifVersion, by int64, now time.Time) (*Document, error)
	// DeleteDocument deletes the document with id; its history stays, and
	// RestoreDocument brings it back.
	DeleteDocument(ctx context.Context, id int64) error
	// SearchDocuments returns a page of the documents that match the
	// query, with their bodies. A change to a document is found, or no
	// longer found, as soon as its transaction commits (a revert or a
	// restore as any other); a deleted document is never found.
	SearchDocuments(ctx context.Context, p SearchPage) ([]*Found, error)
}

// SessionStore keeps the server-side session records.
type SessionStore interface {
	// CreateSession stores s only while its user exists with password hash
	// passwordHash, the hash the caller checked a password against, and
	// otherwise stores nothing and returns a PreconditionFailed error.
	// The check and the insert must be atomic against SetPassword,
	// ChangePassword and DeleteUser, on every process sharing the store,
	// so that a session made from a password check never outlives a change
	// of that password or the removal of its user: either the session
	// exists before the change (which then ends it) or the check sees the
	// change (and no session is made). One statement does it, INSERT INTO
	// sessions ... SELECT ... FROM users WHERE id = ? AND password_hash = ?,
	// zero rows meaning PreconditionFailed; where a concurrent transaction
	// can change the user row between that statement's snapshot and its
	// commit, as under PostgreSQL's READ COMMITTED, the SELECT must lock
	// the row (FOR SHARE) so that it waits for the change and sees it.
	CreateSession(ctx context.Context, s *Session, passwordHash []byte) error
	// SessionUser returns the session and its user in one read: it is what
	// every private request asks, so it must be cheap.
	SessionUser(ctx context.Context, id string) (*Session, *User, error)
	TouchSession(ctx context.Context, id string, seen time.Time) error
	DeleteSession(ctx context.Context, id string) error
	// DeleteExpiredSessions removes sessions last seen before idleBefore or
	// created before createdBefore, and says how many went.
	DeleteExpiredSessions(ctx context.Context, idleBefore, createdBefore time.Time) (int64, error)
	// UserSessions returns every session of the user, oldest first.
	UserSessions(ctx context.Context, userID int64) ([]*Session, error)
	// DeleteUserSessions ends every session of the user and says how many
	// there were.
	DeleteUserSessions(ctx context.Context, userID int64) (int64, error)
}

// LoginAttempt is one password check about to happen: a login, a password
// change, or (with no Username) a registration, which counts only toward
// its address.
type LoginAttempt struct {
	Username, Address string
	At                time.Time
	// Window is how far back failures count; MaxPerUsername and
	// MaxPerAddress are how many lock (0: no limit).
	Window                        time.Duration
	MaxPerUsername, MaxPerAddress int
	// Count is how many failures the attempt records (0: one): the
	// unknown tokens from one address a process gathered between two
	// writes (see Failures).
	Count int
}

// Failures is how many failures a records: Count, at least one, and no
// more than the larger limit, past which more change nothing.
func (a LoginAttempt) Failures() int {
	n := max(a.Count, 1)
	if limit := max(a.MaxPerUsername, a.MaxPerAddress); limit > 0 {
		n = min(n, limit)
	}
	return n
}

// LoginFailureStore keeps failed logins, so that throttling holds across
// restarts and across processes sharing the database.
type LoginFailureStore interface {
	// ReserveLoginAttempt counts the recent failures for the attempt's
	// username and address and, unless a count has reached its limit,
	// records the attempt as a.Failures() failures, in one transaction: parallel
	// guesses cannot all pass the check before any of them is counted. A
	// good password then clears the username's failures, this one
	// included. When a limit is reached it records nothing and returns
	// when the lockout ends.
	ReserveLoginAttempt(ctx context.Context, a LoginAttempt) (lockedUntil time.Time, err error)
	// ClearLoginFailures forgets username's failures after a good password.
	ClearLoginFailures(ctx context.Context, username string) error
	DeleteLoginFailuresBefore(ctx context.Context, before time.Time) (int64, error)
}
