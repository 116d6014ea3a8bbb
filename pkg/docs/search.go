package docs

import "github.com/docsd/docs/pkg/search"

// Rank is where a search puts a document: every document of a better
// rank comes before any of a worse one, and within a rank the newest
// (highest id) comes first.
type Rank int

// The ranks, best first.
const (
	// RankTitle is a document whose title alone matches the query.
	RankTitle Rank = 1
	// RankText is any other match: words found in the body, or some in
	// the title and some in the body.
	RankText Rank = 2
)

// SearchCursor is the place of a result in a search's order, from which
// the next page starts. The zero cursor is the start.
type SearchCursor struct {
	Rank Rank
	ID   int64
}

// SearchPage asks for at most Limit documents matching Query, in the
// order of Rank, from after After. A document's rank depends on nothing
// but the document, so a page starts where the last one ended even while
// other documents change.
type SearchPage struct {
	Query *search.Query
	Limit int
	After SearchCursor
	// Author, when not empty, keeps only the documents of the user with
	// this username, as Page.Author.
	Author string
}

// Found is a document a search found, with its body, and its rank.
type Found struct {
	Document
	Rank Rank
}
