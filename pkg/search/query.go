package search

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Limits on a query, so that one request cannot make the database match
// an expression of any size.
const (
	MaxQueryBytes = 512
	MaxQueryWords = 32
	// MinPrefixRunes is how long a prefix must be: a one-letter prefix
	// would match a large part of the vocabulary.
	MinPrefixRunes = 2
)

// Query is a parsed query. A document matches when it matches every
// group of All and no phrase of None.
type Query struct {
	All  []Group
	None []Phrase
}

// Group is a list of alternatives (a OR b): one of them must match. Most
// groups have one phrase.
type Group []Phrase

// Phrase is a sequence of words that must appear adjacent and in order; a
// single word is a phrase of one. With Prefix, the last word is a prefix
// of the word in the text.
type Phrase struct {
	Words  []string
	Prefix bool
}

// String writes p as the query language spells it.
func (p Phrase) String() string {
	s := strings.Join(p.Words, " ")
	if len(p.Words) > 1 {
		s = `"` + s + `"`
	}
	if p.Prefix {
		s += "*"
	}
	return s
}

// Parse reads a query:
//
//	word          documents with the word (every word of a query must match)
//	"a phrase"    the words adjacent and in this order
//	-word         documents without the word (or -"a phrase")
//	a OR b        either (OR in capitals, between two terms)
//	word*         a word that starts with word (at least two letters)
//
// A term that is more than one word once split (user_id, docsd.conf,
// v1.2.3) is a phrase. The error of a query that cannot be read says what
// is wrong, for the user to read.
func Parse(q string) (*Query, error) {
	if len(q) > MaxQueryBytes {
		return nil, fmt.Errorf("the query is %d bytes; at most %d are searched", len(q), MaxQueryBytes)
	}
	if !utf8.ValidString(q) {
		return nil, fmt.Errorf("the query must be valid UTF-8")
	}
	if strings.IndexByte(q, 0) >= 0 {
		return nil, fmt.Errorf("the query must not contain NUL (U+0000)")
	}
	terms, err := lex(q)
	if err != nil {
		return nil, err
	}
	var (
		out   Query
		words int
		or    bool // the last term was OR
	)
	for i, t := range terms {
		if t.or {
			switch {
			case i == 0 || or:
				return nil, fmt.Errorf("OR must come between two terms, as in: a OR b")
			case i == len(terms)-1:
				return nil, fmt.Errorf("OR must be followed by a term, as in: a OR b")
			case terms[i-1].not || terms[i+1].not:
				return nil, fmt.Errorf("a -term cannot be one side of OR; write it on its own")
			}
			or = true
			continue
		}
		p, err := t.phrase()
		if err != nil {
			return nil, err
		}
		if words += len(p.Words); words > MaxQueryWords {
			return nil, fmt.Errorf("the query has more than %d words", MaxQueryWords)
		}
		switch {
		case t.not:
			out.None = append(out.None, p)
		case or:
			last := &out.All[len(out.All)-1]
			*last = append(*last, p)
		default:
			out.All = append(out.All, Group{p})
		}
		or = false
	}
	if len(out.All) == 0 {
		if len(out.None) > 0 {
			return nil, fmt.Errorf("the query has only terms to exclude; add a word to find")
		}
		return nil, fmt.Errorf("the query is empty; give a word to find")
	}
	return &out, nil
}

// term is one term of a query as written.
type term struct {
	raw    string // as written
	text   string
	quoted bool
	not    bool
	prefix bool
	or     bool
}

func (t term) phrase() (Phrase, error) {
	words := Words(t.text)
	if len(words) == 0 {
		return Phrase{}, fmt.Errorf("%s has no letters or digits to search for", quote(t.raw))
	}
	p := Phrase{Words: words, Prefix: t.prefix}
	if last := words[len(words)-1]; t.prefix && utf8.RuneCountInString(last) < MinPrefixRunes {
		return Phrase{}, fmt.Errorf("%s: a prefix needs at least %d letters or digits before *", quote(t.raw), MinPrefixRunes)
	}
	return p, nil
}

// quote marks a piece of the query in a message; the query language's
// own quotes would be confusing.
func quote(s string) string { return "«" + s + "»" }

// lex splits q into terms: runs of non-space runes, or text in double
// quotes, each with an optional - before it and * after it.
func lex(q string) ([]term, error) {
	var out []term
	i := 0
	for {
		for i < len(q) {
			r, n := utf8.DecodeRuneInString(q[i:])
			if !unicode.IsSpace(r) {
				break
			}
			i += n
		}
		if i == len(q) {
			return out, nil
		}
		var t term
		start := i
		if q[i] == '-' {
			t.not = true
			i++
			if r, _ := utf8.DecodeRuneInString(q[i:]); i == len(q) || unicode.IsSpace(r) {
				return nil, fmt.Errorf("- must be followed by a word to exclude, as in: -draft")
			}
		}
		if q[i] == '"' {
			end := strings.IndexByte(q[i+1:], '"')
			if end < 0 {
				return nil, fmt.Errorf("the quote at byte %d is not closed; end a phrase with \"", i+1)
			}
			t.text, t.quoted = q[i+1:i+1+end], true
			i += end + 2
		} else {
			end := strings.IndexFunc(q[i:], func(r rune) bool { return unicode.IsSpace(r) || r == '"' })
			if end < 0 {
				end = len(q) - i
			}
			t.text = q[i : i+end]
			i += end
		}
		if !t.quoted {
			trimmed := strings.TrimRight(t.text, "*")
			t.prefix = trimmed != t.text
			t.text = trimmed
			t.or = t.text == "OR" && !t.not && !t.prefix
		} else if i < len(q) && q[i] == '*' {
			t.prefix = true
			i++
		}
		t.raw = q[start:i]
		out = append(out, t)
	}
}

// Terms returns every phrase of q.All, the alternatives of each group
// included: the terms of which a title may hold some without all.
func (q *Query) Terms() []Phrase {
	var out []Phrase
	for _, g := range q.All {
		out = append(out, g...)
	}
	return out
}
