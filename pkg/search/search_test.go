package search

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

func TestWords(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		want     []string
	}{
		{"an identifier is its parts", "user_id", []string{"user", "id"}},
		{"a file name is its parts", "docsd.conf", []string{"docsd", "conf"}},
		{"a path is its parts", "configs/docsd.yaml", []string{"configs", "docsd", "yaml"}},
		{"a URL is its parts", "http://example.com/a/b", []string{"http", "example", "com", "a", "b"}},
		{"a version is its numbers", "v1.2.3", []string{"v1", "2", "3"}},
		{"case is lowered", "Docsd README", []string{"docsd", "readme"}},
		{"diacritics go, composed", "Café naïve", []string{"cafe", "naive"}},
		{"diacritics go, decomposed", "Cafe\u0301", []string{"cafe"}},
		{"other scripts are words", "Привет, 世界 Ωμέγα", []string{"привет", "世界", "ωμεγα"}},
		{"marks that are letters' parts stay", "हिन्दी", []string{"हिनदी"}},
		{"punctuation only is no word", "-- ++ //", nil},
		{"a word past the limit is not indexed", "a " + strings.Repeat("x", MaxWordBytes+1) + " b", []string{"a", "b"}},
		{"a word at the limit is", strings.Repeat("x", MaxWordBytes), []string{strings.Repeat("x", MaxWordBytes)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Words(tc.in); !slices.Equal(got, tc.want) {
				t.Errorf("Words(%q) = %q; want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestWordsAtPointIntoTheText(t *testing.T) {
	in := "Ünïcode  user_id"
	for _, w := range WordsAt(in) {
		if Words(in[w.Start:w.End])[0] != w.Text {
			t.Errorf("WordsAt(%q) gave %q at %d:%d, which is %q", in, w.Text, w.Start, w.End, in[w.Start:w.End])
		}
	}
}

func (q *Query) String() string {
	var parts []string
	for _, g := range q.All {
		var alts []string
		for _, p := range g {
			alts = append(alts, p.String())
		}
		parts = append(parts, strings.Join(alts, " OR "))
	}
	for _, p := range q.None {
		parts = append(parts, "-"+p.String())
	}
	return strings.Join(parts, " ")
}

func TestParse(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"docsd", "docsd"},
		{"  Two   words ", "two words"},
		{`"a phrase" word`, `"a phrase" word`},
		{"user_id", `"user id"`},
		{"configs/docsd.yaml", `"configs docsd yaml"`},
		{"-draft notes", "notes -draft"},
		{`notes -"first draft"`, `notes -"first draft"`},
		{"alpha OR beta gamma", "alpha OR beta gamma"},
		{"a OR b OR c", "a OR b OR c"},
		{"or and", "or and"},
		{"doc*", "doc*"},
		{"docsd.co*", `"docsd co"*`},
		{`"release check"*`, `"release check"*`},
		{"Café", "cafe"},
		{`word"phrase here"`, `word "phrase here"`},
	} {
		q, err := Parse(tc.in)
		if err != nil {
			t.Errorf("Parse(%q) = %v; want %s", tc.in, err, tc.want)
			continue
		}
		if got := q.String(); got != tc.want {
			t.Errorf("Parse(%q) = %s; want %s", tc.in, got, tc.want)
		}
	}
}

func TestParseRefuses(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"an empty query", "  ", "empty"},
		{"an unclosed quote", `"open phrase`, "not closed"},
		{"a lone OR", "OR", "between two terms"},
		{"OR at the start", "OR a", "between two terms"},
		{"OR at the end", "a OR", "followed by a term"},
		{"OR twice", "a OR OR b", "between two terms"},
		{"OR beside an exclusion", "a OR -b", "cannot be one side of OR"},
		{"a lone minus", "a - b", "- must be followed"},
		{"only exclusions", "-a -b", "only terms to exclude"},
		{"punctuation only", "a &&", "«&&» has no letters"},
		{"an empty phrase", `a ""`, `«""» has no letters`},
		{"a lone star", "a *", "«*» has no letters"},
		{"a one-letter prefix", "a*", "at least 2"},
		{"too many words", strings.Repeat("w ", MaxQueryWords+1), fmt.Sprintf("more than %d words", MaxQueryWords)},
		{"a thousand terms", strings.Repeat("w ", 1000), "bytes"},
		{"10 KB", strings.Repeat("x", 10<<10), "bytes"},
		{"NUL", "a\x00b", "NUL"},
		{"bytes that are not UTF-8", "caf\xe9", "UTF-8"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q, err := Parse(tc.in)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Parse(%.40q) = %v, %v; want an error saying %q", tc.in, q, err, tc.want)
			}
		})
	}
}

func render(segs []Segment) string {
	var b strings.Builder
	for _, s := range segs {
		if s.Match {
			b.WriteString("[" + s.Text + "]")
		} else {
			b.WriteString(s.Text)
		}
	}
	return b.String()
}

func TestSnippet(t *testing.T) {
	long := strings.Repeat("lorem ipsum ", 40)
	for _, tc := range []struct{ name, text, q, want string }{
		{"a word is marked as written", "Set the Café's hours.", "cafe", "Set the [Café]'s hours."},
		{"an identifier is one match, and so are its words", "Look up user_id first, then user id.", "user_id", "Look up [user_id] first, then [user id]."},
		{"every match is marked", "a b a b", "a", "[a] b [a] b"},
		{"a phrase is one match", `one two three`, `"two three"`, "one [two three]"},
		{"a prefix marks the whole word", "documents and docs", "doc*", "[documents] and [docs]"},
		{"alternatives are both marked", "red and blue", "red OR blue", "[red] and [blue]"},
		{"an excluded word is not marked", "keep drop", "keep -drop", "[keep] drop"},
		{"white space is one space", "a\n\n  b", "b", "a [b]"},
		{"no match shows the start", "nothing here", "absent", "nothing here"},
		{"a short text is shown whole", "one two three four five six seven eight nine", "nine", "one two three four five six seven eight [nine]"},
		{"a match deep in the text is shown with what is around it", long + "the needle is here " + long,
			"needle", "…ipsum lorem ipsum lorem ipsum the [needle] is here lorem ipsum lorem ipsum lorem ipsum lorem ipsum lorem ipsum lorem ipsum lorem ipsum lorem ipsum lorem ipsum lorem ipsum lorem…"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q, err := Parse(tc.q)
			if err != nil {
				t.Fatal(err)
			}
			if got := render(Snippet(tc.text, q)); got != tc.want {
				t.Errorf("Snippet(%.30q, %q) = %q; want %q", tc.text, tc.q, got, tc.want)
			}
		})
	}
	if got := Snippet("", &Query{All: []Group{{{Words: []string{"a"}}}}}); got != nil {
		t.Errorf("Snippet of an empty text = %v; want nil", got)
	}
}
