package docs

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestValidateText(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		ok       bool
	}{
		{"text in any script passes", "Grüße, 世界 😀", true},
		{"U+FFFD sent as such passes", "\uFFFD", true},
		{"a NUL is refused", "a\x00b", false},
		{"bytes that are not UTF-8 are refused", "caf\xe9", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := ValidateText("title", tc.in)
			if (err == nil) != tc.ok {
				t.Fatalf("ValidateText(%q) = %v; want ok %v", tc.in, err, tc.ok)
			}
			var e *Error
			if err != nil && (!errors.As(err, &e) || e.Kind != Invalid || e.Field != "title") {
				t.Errorf("ValidateText(%q) = %#v; want an Invalid error about title", tc.in, err)
			}
		})
	}
}

func TestStoredUserAgent(t *testing.T) {
	long := "x" + strings.Repeat("é", MaxUserAgentLen)
	for _, tc := range []struct {
		name, in, want string
	}{
		{"a plain agent is kept", "docs/1.0 (linux)", "docs/1.0 (linux)"},
		{"bytes that are not UTF-8 become U+FFFD", "a\xff\xfeb\xe9", "a\uFFFDb\uFFFD"},
		{"NULs are dropped", "a\x00b", "ab"},
		{"exactly the limit is kept", strings.Repeat("a", MaxUserAgentLen), strings.Repeat("a", MaxUserAgentLen)},
		{"a long agent is cut at a character boundary", long, long[:MaxUserAgentLen-1]},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := StoredUserAgent(tc.in)
			if got != tc.want || !utf8.ValidString(got) || len(got) > MaxUserAgentLen {
				t.Errorf("StoredUserAgent(%q) = %q; want %q", tc.in, got, tc.want)
			}
		})
	}
}
