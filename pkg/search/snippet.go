package search

import (
	"strings"
	"unicode"
)

// Segment is a piece of a snippet: text of the document, and whether it
// is a match of the query. A snippet is a list of them rather than text
// with markers in it, so that no text of a document can pass for a
// marker, and a client needs no offsets (bytes, UTF-16 units or runes:
// every language counts them differently) to highlight a match.
type Segment struct {
	Text  string
	Match bool
}

// How much of a text a snippet shows: a few words before the first match
// and the words after it, up to a size that fits a line of a table.
const (
	snippetWordsBefore = 6
	snippetWords       = 30
	snippetBytes       = 240
)

// Snippet returns the excerpt of text around the first match of q's
// phrases (those to find, not those to exclude), or all of a short text,
// with every match in it marked; the start of text, unmarked, when nothing in it matches (the
// title matched alone). Runs of white space show as one space, and "…"
// stands for what was cut off at either end.
func Snippet(text string, q *Query) []Segment {
	words := WordsAt(text)
	if len(words) == 0 {
		return nil
	}
	spans := matches(words, q)
	from := 0
	if len(spans) > 0 && len(text) > snippetBytes {
		from = max(0, spans[0].first-snippetWordsBefore)
	}
	start := 0
	if from > 0 {
		start = words[from].Start
	}
	to := from + 1
	for to < len(words) && to-from < snippetWords && words[to].End-start <= snippetBytes {
		to++
	}
	end := len(text)
	if to < len(words) {
		end = words[to-1].End
	}
	var out []Segment
	add := func(s string, match bool) {
		s = collapse(s)
		if n := len(out); n > 0 && !match && !out[n-1].Match {
			out[n-1].Text += s
			return
		}
		out = append(out, Segment{Text: s, Match: match})
	}
	if start > 0 {
		add("…", false)
	}
	at := start
	for _, sp := range spans {
		if sp.first < from || sp.last >= to {
			continue
		}
		if s, e := words[sp.first].Start, words[sp.last].End; s >= at {
			if s > at {
				add(text[at:s], false)
			}
			add(text[s:e], true)
			at = e
		}
	}
	if end > at {
		add(text[at:end], false)
	}
	if end < len(text) {
		add("…", false)
	}
	return out
}

// collapse makes each run of white space in s one space.
func collapse(s string) string {
	var b strings.Builder
	space := false
	for _, r := range s {
		if unicode.IsSpace(r) {
			if !space {
				b.WriteByte(' ')
			}
			space = true
			continue
		}
		space = false
		b.WriteRune(r)
	}
	return b.String()
}

// span is a match: the indexes of its first and last words.
type span struct{ first, last int }

// matches returns every match of q's phrases in words, in order, without
// overlaps.
func matches(words []Word, q *Query) []span {
	var out []span
	for i := 0; i < len(words); i++ {
		best := -1
		for _, g := range q.All {
			for _, p := range g {
				if n := len(p.Words); i+n <= len(words) && p.matchAt(words[i:i+n]) {
					best = max(best, i+n-1)
				}
			}
		}
		if best >= 0 {
			out = append(out, span{i, best})
			i = best
		}
	}
	return out
}

func (p Phrase) matchAt(words []Word) bool {
	for k, w := range p.Words {
		if k == len(p.Words)-1 && p.Prefix {
			return strings.HasPrefix(words[k].Text, w)
		}
		if words[k].Text != w {
			return false
		}
	}
	return true
}
