// Package search is docsd's full-text query language and the one
// tokenizer that every storage backend indexes with, so that SQLite and
// PostgreSQL find the same documents for the same query: the backends
// index and match the words Words returns, never words of their own
// making. It imports nothing from the rest of the module.
//
// A word is a run of letters, numbers and combining marks, in lower case
// and without diacritics (Café is cafe). Everything else separates words,
// so what a developer types as one thing (user_id, docsd.conf,
// configs/docsd.yaml, http://example.com/a/b, v1.2.3) is a sequence of
// words that the query language searches for as a phrase: adjacent, in
// order.
package search

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// MaxWordBytes bounds an indexed word. Longer runs of letters (base64,
// hashes pasted whole) are not indexed, so they cannot be found; the
// bound is far below PostgreSQL's 2,047-byte limit on a lexeme.
const MaxWordBytes = 256

// Word is one word of a text and the bytes of the text it came from.
type Word struct {
	Text       string
	Start, End int
}

// Words returns the words of s, in order, as the index keeps them.
func Words(s string) []string {
	var out []string
	scan(s, func(w Word) { out = append(out, w.Text) })
	return out
}

// WordsAt returns the words of s with where each one is in s.
func WordsAt(s string) []Word {
	var out []Word
	scan(s, func(w Word) { out = append(out, w) })
	return out
}

func isWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsNumber(r) || unicode.IsMark(r)
}

// scan calls fn with each word of s. A run of word runes is cut out of s
// and normalized; normalizing can leave nothing (a run of marks) or, in
// rare scripts, a rune that is not a word rune, so the result is split
// again and every part keeps the run's place in s.
func scan(s string, fn func(Word)) {
	start := -1
	for i, r := range s {
		if isWordRune(r) {
			if start < 0 {
				start = i
			}
			continue
		}
		if start >= 0 {
			emit(s[start:i], start, i, fn)
			start = -1
		}
	}
	if start >= 0 {
		emit(s[start:], start, len(s), fn)
	}
}

func emit(run string, start, end int, fn func(Word)) {
	norm := normalize(run)
	for {
		i := strings.IndexFunc(norm, func(r rune) bool { return !isWordRune(r) })
		if i < 0 {
			break
		}
		word(norm[:i], start, end, fn)
		_, n := utf8.DecodeRuneInString(norm[i:])
		norm = norm[i+n:]
	}
	word(norm, start, end, fn)
}

func word(w string, start, end int, fn func(Word)) {
	if w != "" && len(w) <= MaxWordBytes {
		fn(Word{Text: w, Start: start, End: end})
	}
}

// normalize lowers the case of a run of word runes and takes off its
// diacritics: decomposed (NFD), the nonspacing marks dropped, composed
// again (NFC). ASCII, most of what is indexed, only needs its case lowered.
func normalize(run string) string {
	ascii := true
	for i := 0; i < len(run); i++ {
		if run[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		return strings.ToLower(run)
	}
	t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	// A run is valid UTF-8 (scan's range makes an invalid byte U+FFFD,
	// which is no word rune), so the transformers cannot fail.
	out, _, _ := transform.String(t, run)
	return strings.ToLower(out)
}
