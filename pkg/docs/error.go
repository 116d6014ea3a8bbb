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

// AuthorRemoved is the error of a document written for a user who no
// longer exists: `docsd user rm` removed them after their request's
// session was checked. Their sessions ended with them, so it is
// Unauthorized (log in again), whatever the store noticed it by.
func AuthorRemoved(id int64) *Error {
	return Errorf(Unauthorized, "user %d no longer exists; their session has ended", id)
}
