package docs

import (
	"strings"
	"unicode/utf8"
)

// Limits on what users may store. They are part of the API contract and
// appear in docs/api.md.
const (
	MaxTitleRunes    = 200
	MaxBodyBytes     = 1 << 20
	MaxUsernameLen   = 64
	MinPasswordBytes = 8
	// MaxPasswordBytes is bcrypt's limit: it ignores anything longer, so
	// accepting more would silently weaken long passwords.
	MaxPasswordBytes = 72
)

// ValidateText refuses text that not every backend can store as it is:
// bytes that are not UTF-8, and NUL, which PostgreSQL's text type cannot
// hold (SQLite can). field names the request field s came in.
func ValidateText(field, s string) error {
	if !utf8.ValidString(s) {
		return FieldErrorf(field, "%s must be valid UTF-8", field)
	}
	if strings.IndexByte(s, 0) >= 0 {
		return FieldErrorf(field, "%s must not contain NUL (U+0000)", field)
	}
	return nil
}

// ValidateTitle checks a document title.
func ValidateTitle(title string) error {
	if err := ValidateText("title", title); err != nil {
		return err
	}
	if n := utf8.RuneCountInString(title); n < 1 || n > MaxTitleRunes {
		return FieldErrorf("title", "title must be 1 to %d characters", MaxTitleRunes)
	}
	return nil
}

// ValidateBody checks a document body.
func ValidateBody(body string) error {
	if err := ValidateText("body", body); err != nil {
		return err
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

// StoredUserAgent is the User-Agent kept with a session. A client's header
// is no field it chose to send, so a login is never refused over it:
// bytes that are not UTF-8 become U+FFFD, NULs are dropped, and it is cut
// to MaxUserAgentLen bytes at a character boundary.
func StoredUserAgent(agent string) string {
	agent = strings.ReplaceAll(strings.ToValidUTF8(agent, "\uFFFD"), "\x00", "")
	if len(agent) <= MaxUserAgentLen {
		return agent
	}
	cut := MaxUserAgentLen
	for !utf8.RuneStart(agent[cut]) {
		cut--
	}
	return agent[:cut]
}
