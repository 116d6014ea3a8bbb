package docs

import (
	"unicode/utf8"
)

// Limits on what users may store. They are part of the API contract and
// appear in the README.
const (
	MaxTitleRunes    = 200
	MaxBodyBytes     = 1 << 20
	MaxUsernameLen   = 64
	MinPasswordBytes = 8
	// MaxPasswordBytes is bcrypt's limit: it ignores anything longer, so
	// accepting more would silently weaken long passwords.
	MaxPasswordBytes = 72
)

// ValidateTitle checks a document title.
func ValidateTitle(title string) error {
	n := utf8.RuneCountInString(title)
	if !utf8.ValidString(title) || n < 1 || n > MaxTitleRunes {
		return FieldErrorf("title", "title must be 1 to %d characters", MaxTitleRunes)
	}
	return nil
}

// ValidateBody checks a document body.
func ValidateBody(body string) error {
	if !utf8.ValidString(body) {
		return FieldErrorf("body", "body must be valid UTF-8")
	}
	if len(body) > MaxBodyBytes {
		return FieldErrorf("body", "body must be at most %d bytes", MaxBodyBytes)
	}
	return nil
}

// ValidateUsername checks a new username: 1 to 64 ASCII letters, digits,
// dots, dashes or underscores, as most hosted services allow.
func ValidateUsername(name string) error {
	if len(name) < 1 || len(name) > MaxUsernameLen {
		return FieldErrorf("username", "username must be 1 to %d characters", MaxUsernameLen)
	}
	for _, r := range name {
		ok := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '-' || r == '_'
		if !ok {
			return FieldErrorf("username", "username may contain only letters, digits, '.', '-' and '_'")
		}
	}
	return nil
}

// ValidatePassword checks a new password's length.
func ValidatePassword(pw string) error {
	if len(pw) < MinPasswordBytes || len(pw) > MaxPasswordBytes {
		return FieldErrorf("password", "password must be %d to %d bytes", MinPasswordBytes, MaxPasswordBytes)
	}
	return nil
}
