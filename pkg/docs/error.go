package docs

import (
	"errors"
	"fmt"
	"time"
)

// Kind says what went wrong in terms a caller can act on. The HTTP layer
// maps each kind to one status in one place; failures that only HTTP has
// (a body too large, a wrong content type or method) are its own.
type Kind int

// The error kinds. The zero value is Internal, so an error that nobody
// classified is never shown to a client as its own fault.
const (
	Internal Kind = iota
	Invalid
	Unauthorized
	Forbidden
	NotFound
	Conflict
	PreconditionFailed
	// TooManyRequests is a throttled request; RetryAfter says for how long.
	TooManyRequests
	// Unavailable is a database that cannot be reached for now; RetryAfter
	// says when to try again. It is never the client's fault, and it
	// passes: the next request may well succeed.
	Unavailable
	// ReadOnly is a database that takes no writes for now (a standby, a
	// primary being demoted): reads still work. RetryAfter says when to
	// try a write again.
	ReadOnly
)

// Error is an error with a kind and a message written for the user.
type Error struct {
	Kind   Kind
	Detail string
	// Field names the request field at fault, for Invalid errors.
	Field string
	// RetryAfter is how long a TooManyRequests, Unavailable or ReadOnly
	// caller should wait.
	RetryAfter time.Duration
}

func (e *Error) Error() string { return e.Detail }

// Errorf returns an *Error of the given kind.
func Errorf(kind Kind, format string, args ...any) *Error {
	return &Error{Kind: kind, Detail: fmt.Sprintf(format, args...)}
}

// FieldErrorf returns an Invalid error about one request field.
func FieldErrorf(field, format string, args ...any) *Error {
	return &Error{Kind: Invalid, Field: field, Detail: fmt.Sprintf(format, args...)}
}

// KindOf returns the kind of the first *Error in err's chain, or Internal.
func KindOf(err error) Kind {
	if err == nil {
		// Asked on every request's success path: no allocation for it.
		return Internal
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return Internal
}

// IsNotFound reports whether err is a NotFound error.
func IsNotFound(err error) bool { return KindOf(err) == NotFound }

// AuthorRemoved is the error of a document or a token made for a user
// who no longer exists: `docsd user rm` removed them after their request's
// session was checked. Their sessions ended with them, so it is
// Unauthorized (log in again), whatever the store noticed it by.
func AuthorRemoved(id int64) *Error {
	return Errorf(Unauthorized, "user %d no longer exists; their session has ended", id)
}

// The errors both stores return for the same domain facts, written once so
// that every backend tells a user the same thing.

// UserNotFound is the error of a user id that names no user.
func UserNotFound(id int64) *Error { return Errorf(NotFound, "user %d not found", id) }

// UsernameNotFound is the error of a username that names no user.
func UsernameNotFound(username string) *Error {
	return Errorf(NotFound, "user %q not found", username)
}

// DocumentNotFound is the error of a document id that names no document.
func DocumentNotFound(id int64) *Error { return Errorf(NotFound, "document %d not found", id) }

// SessionNotFound is the error of a session id that names no session.
func SessionNotFound() *Error { return Errorf(NotFound, "session not found") }

// StaleLogin is the error of a session that a login checked for a user
// who, before it was stored, was removed or had their password changed.
func StaleLogin(userID int64) *Error {
	return Errorf(PreconditionFailed, "user %d is gone or their password changed since it was checked", userID)
}

// PasswordChanged is the error of a password change made from a hash that
// is no longer the user's: another change came first.
func PasswordChanged(id int64) *Error {
	return Errorf(PreconditionFailed, "the password of user %d changed since it was checked", id)
}

// ReassignToSelf is the error of removing a user and giving their
// documents to that same user.
func ReassignToSelf(username string) *Error {
	return Errorf(Invalid, "cannot reassign %s's documents to %s", username, username)
}

// UsernameTaken is the error of a new username another user has, in any
// case.
func UsernameTaken(username string) *Error {
	return Errorf(Conflict, "username %q is taken", username)
}

// LastAdmin is the error of a change that would leave no admin.
func LastAdmin(username string) *Error {
	return Errorf(Conflict, "%s is the last admin; make another user admin first", username)
}

// OwnsDocuments is the error of removing an author without saying who
// takes their documents.
func OwnsDocuments(username string, owned int) *Error {
	return Errorf(Conflict, "%s owns %d documents; reassign them to another user first", username, owned)
}
