// Package termtext makes text that other people wrote safe to print on a
// terminal. docs prints titles, bodies, usernames, its JSON and the
// server's error messages with it, and docsd the user agents and usernames
// of its user commands, so both programs draw the line in the same place.
//
// What it changes is escaped visibly, in Go's notation: \n, \r and \t,
// \x1b for another C0 control or DEL, \u009b for a C1 control, \u202e for
// a bidirectional override, embedding or isolate (U+202A to U+202E,
// U+2066 to U+2069) and \u2028 for the line and paragraph separators, and
// \xff for a byte that is not UTF-8. Escaping rather than replacing with
// U+FFFD keeps what was sent readable: an operator looking at a hostile
// user agent, or a reader of a title that hides an override, sees which
// character was there. A backslash is left as it is, so a title that
// spells out `\u202e` looks like one holding U+202E; neither can act on the
// terminal, which is the point.
package termtext

import (
	"strings"
	"unicode/utf8"
)

// Line returns s fit for one line of a terminal, such as a table cell:
// every character listed in the package comment is escaped, newlines and
// tabs included. s is returned as it is when nothing needs escaping.
func Line(s string) string { return escape(s, false) }

// Text returns multi-line text, such as a document body, fit for a
// terminal: as Line, except that newlines and tabs are kept, and so is a
// carriage return that ends a line (\r\n), which only moves the cursor to
// where the newline takes it anyway.
func Text(s string) string { return escape(s, true) }

// JSON returns JSON text fit for a terminal without changing what it
// means: the characters Line escapes that encoding/json leaves raw (DEL,
// C1 controls, bidirectional overrides, embeddings and isolates) become
// \u escapes, which decode to the same string, and a byte that is not
// UTF-8 becomes \ufffd, as a decoder would read it. Outside strings, valid
// JSON holds only ASCII, so nothing there changes; C0 controls appear in
// valid JSON only as whitespace between tokens and are kept.
func JSON(b []byte) []byte {
	i := 0
	for i < len(b) {
		r, size := utf8.DecodeRune(b[i:])
		if r >= 0x7f && (r == utf8.RuneError && size == 1 || needsEscape(r, "", false)) {
			break
		}
		i += size
	}
	if i == len(b) {
		return b
	}
	out := make([]byte, 0, len(b)+16)
	out = append(out, b[:i]...)
	for i < len(b) {
		r, size := utf8.DecodeRune(b[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			out = append(out, `\ufffd`...)
		case r >= 0x7f && needsEscape(r, "", false):
			var e strings.Builder
			writeHex(&e, `\u`, r, 4)
			out = append(out, e.String()...)
		default:
			out = append(out, b[i:i+size]...)
		}
		i += size
	}
	return out
}

func escape(s string, multiline bool) string {
	i := firstUnsafe(s, multiline)
	if i < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	b.WriteString(s[:i])
	for i < len(s) {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			writeHex(&b, `\x`, rune(s[i]), 2)
		case !needsEscape(r, s[i+size:], multiline):
			b.WriteString(s[i : i+size])
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x80:
			writeHex(&b, `\x`, r, 2)
		default:
			writeHex(&b, `\u`, r, 4)
		}
		i += size
	}
	return b.String()
}

// firstUnsafe returns the index of the first byte of s that escape
// changes, or -1.
func firstUnsafe(s string, multiline bool) int {
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 || needsEscape(r, s[i+size:], multiline) {
			return i
		}
		i += size
	}
	return -1
}

// needsEscape reports whether r, followed by rest, must be escaped.
func needsEscape(r rune, rest string, multiline bool) bool {
	switch {
	case multiline && (r == '\n' || r == '\t'):
		return false
	case multiline && r == '\r':
		return !strings.HasPrefix(rest, "\n")
	case r < 0x20 || r == 0x7f: // C0 controls and DEL
		return true
	case r >= 0x80 && r <= 0x9f: // C1 controls
		return true
	case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069: // bidi overrides, embeddings, isolates
		return true
	case r == 0x2028 || r == 0x2029: // line and paragraph separators
		return true
	}
	return false
}

func writeHex(b *strings.Builder, prefix string, v rune, digits int) {
	const hex = "0123456789abcdef"
	b.WriteString(prefix)
	for shift := 4 * (digits - 1); shift >= 0; shift -= 4 {
		b.WriteByte(hex[v>>uint(shift)&0xf])
	}
}
