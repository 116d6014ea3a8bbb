package docs

import "github.com/docsd/docs/pkg/search"

// Rank is where a search puts a document: every document of a better
// rank comes before any of a worse one, and within a rank the newest
// (highest id) comes first. A rank is a function of the document and the
// query alone (not of other documents, as bm25 is), so a page starts where
// the last one ended whatever else changes; see docs/api.md, "Search".
// Exclusions (-word) and the author hold in every rank.
type Rank int

// The ranks, best first. Each holds the matches that no rank above holds.
const (
	// RankTitle is a document whose title alone matches the query.
	RankTitle Rank = 1
	// RankTitleSome is a document whose title holds at least one of the
	// query's terms (search.Query.Terms), a phrase of any group, and
	// whose title and body together match the query. Only a query of two
	// terms or more has such documents.
	RankTitleSome Rank = 2
	// RankText is any other match: the query's words found in the body.
	RankText Rank = 3
)

// Valid reports whether r is one of the ranks.
func (r Rank) Valid() bool { return r >= RankTitle && r <= RankText }

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
