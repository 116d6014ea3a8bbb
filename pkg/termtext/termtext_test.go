package termtext

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestLineAndText(t *testing.T) {
	tests := []struct {
		name, in, line, text string
	}{
		{"plain text is unchanged", "Meeting notes: café, 東京, emoji 👍🏽", "Meeting notes: café, 東京, emoji 👍🏽", "Meeting notes: café, 東京, emoji 👍🏽"},
		{"an escape sequence cannot clear the screen", "a\x1b[2Jb", `a\x1b[2Jb`, `a\x1b[2Jb`},
		{"bell, backspace and DEL", "\a\b\x7f", `\x07\x08\x7f`, `\x07\x08\x7f`},
		{"C1 controls, the CSI included", "\u0085x\u009b31m\u009f", `\u0085x\u009b31m\u009f`, `\u0085x\u009b31m\u009f`},
		{"bidirectional overrides, embeddings and isolates", "\u202a\u202b\u202c\u202d\u202e|\u2066\u2067\u2068\u2069",
			`\u202a\u202b\u202c\u202d\u202e|\u2066\u2067\u2068\u2069`, `\u202a\u202b\u202c\u202d\u202e|\u2066\u2067\u2068\u2069`},
		{"line and paragraph separators", "a\u2028b\u2029c", `a\u2028b\u2029c`, `a\u2028b\u2029c`},
		{"bytes that are not UTF-8", "a\xff\xfeb\xc3", `a\xff\xfeb\xc3`, `a\xff\xfeb\xc3`},
		{"an encoded surrogate is not UTF-8", "\xed\xa0\x80", `\xed\xa0\x80`, `\xed\xa0\x80`},
		{"newlines and tabs break a line but not a body", "a\tb\nc", `a\tb\nc`, "a\tb\nc"},
		{"a CR ending a line is kept in a body, a lone CR is not", "a\r\nb\rc\r", `a\r\nb\rc\r`, "a\r\nb\\rc\\r"},
		{"a backslash stays as it is", `C:\docs\u202e`, `C:\docs\u202e`, `C:\docs\u202e`},
		{"U+FFFD sent as such is kept", "\ufffd", "\ufffd", "\ufffd"},
		{"the empty string", "", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Line(tt.in); got != tt.line {
				t.Errorf("Line(%+q) = %+q; want %+q", tt.in, got, tt.line)
			}
			if got := Text(tt.in); got != tt.text {
				t.Errorf("Text(%+q) = %+q; want %+q", tt.in, got, tt.text)
			}
		})
	}
}

func TestJSON(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"JSON with nothing to escape is unchanged", `{"t":"café 👍\u001b\n"}` + "\n", `{"t":"café 👍\u001b\n"}` + "\n"},
		{"overrides, isolates, C1 controls and DEL", "{\"t\":\"a\u202eb\u2066c\u0085\x7f\"}", `{"t":"a\u202eb\u2066c\u0085\u007f"}`},
		{"a stray byte is read as U+FFFD", "{\"t\":\"a\xffb\"}", `{"t":"a\ufffdb"}`},
		{"indentation stays", "{\n  \"t\": \"\u2028\"\n}", "{\n  \"t\": \"\\u2028\"\n}"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := string(JSON([]byte(tt.in))); got != tt.want {
				t.Errorf("JSON(%+q) = %+q; want %+q", tt.in, got, tt.want)
			}
		})
	}
}

// FuzzJSON: whatever string encoding/json writes, JSON's output decodes
// to the same string and holds nothing Line would escape.
func FuzzJSON(f *testing.F) {
	for _, s := range []string{"", "plain", "a\u202e\u0085\x7f\u2028", "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		enc, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		// encoding/json has made each stray byte U+FFFD already.
		var want, back string
		if err := json.Unmarshal(enc, &want); err != nil {
			t.Fatal(err)
		}
		out := JSON(enc)
		if err := json.Unmarshal(out, &back); err != nil || back != want {
			t.Fatalf("JSON(%s) = %s, decoding to %+q (%v); want %+q", enc, out, back, err, want)
		}
		if Line(string(out)) != string(out) {
			t.Fatalf("JSON(%s) = %s; want nothing Line would escape", enc, out)
		}
	})
}

// FuzzLine holds Line and Text to what they promise for any input: valid
// UTF-8 out, nothing unsafe left, and text with nothing unsafe unchanged.
func FuzzLine(f *testing.F) {
	for _, s := range []string{"", "plain", "a\x1b[2J\u202e\u2028\xff", "a\r\nb\r", "\u009b\t\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for name, fn := range map[string]func(string) string{"Line": Line, "Text": Text} {
			out := fn(s)
			if !utf8.ValidString(out) {
				t.Fatalf("%s(%+q) = %+q; want valid UTF-8", name, s, out)
			}
			multiline := name == "Text"
			if i := firstUnsafe(out, multiline); i >= 0 {
				t.Fatalf("%s(%+q) = %+q; want nothing unsafe, found at byte %d", name, s, out, i)
			}
			if firstUnsafe(s, multiline) < 0 && out != s {
				t.Fatalf("%s(%+q) = %+q; want it unchanged", name, s, out)
			}
			if !multiline && strings.ContainsAny(out, "\n\r\t") {
				t.Fatalf("Line(%+q) = %+q; want one line", s, out)
			}
		}
	})
}
