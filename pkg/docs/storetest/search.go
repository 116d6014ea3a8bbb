package storetest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/docsd/docs/pkg/docs"
	"github.com/docsd/docs/pkg/search"
)

// RunSearch runs the search suite. open returns two handles on one empty,
// migrated database, as two docsd processes would hold, and registers
// their cleanup.
func RunSearch(t *testing.T, open func(t *testing.T) (Store, Store)) {
	t.Run("queries", func(t *testing.T) { testSearchQueries(t, open) })
	t.Run("changes", func(t *testing.T) { testSearchChanges(t, open) })
	t.Run("ranks", func(t *testing.T) { testSearchRanks(t, open) })
}

// testSearchRanks checks every rank against its definition (docs.Rank),
// written out here over the words of pkg/search: documents of a few words
// from a small vocabulary, so that each rank has many, and queries of
// each shape the ranks tell apart.
func testSearchRanks(t *testing.T, open func(t *testing.T) (Store, Store)) {
	s, _ := open(t)
	u := mustUser(t, s, "u", docs.RoleEditor)
	vocabulary := []string{"ant", "bee", "cat", "dog"}
	rnd := rand.New(rand.NewPCG(22, 4)) //nolint:gosec // G404: the same corpus every run, not a secret
	text := func(max int) string {
		words := make([]string, 1+rnd.IntN(max))
		for i := range words {
			words[i] = vocabulary[rnd.IntN(len(vocabulary))]
		}
		return strings.Join(words, " ")
	}
	type doc struct {
		id          int64
		title, body []string
	}
	var list []doc
	for range 80 {
		title, body := text(2), text(5)
		d := mustDocumentBody(t, s, u, title, body)
		list = append(list, doc{d.ID, search.Words(title), search.Words(body)})
	}
	for _, query := range []string{
		"ant", "ant bee", "bee ant", "ant bee cat", `"ant bee" cat`, "ant OR bee cat",
		"ant be*", "ant bee -cat", `ant bee -"cat dog"`, "ant OR dog", "ant ant",
	} {
		t.Run(query, func(t *testing.T) {
			q, err := search.Parse(query)
			if err != nil {
				t.Fatalf("Parse(%q) = %v", query, err)
			}
			var want []string
			for _, d := range slices.Backward(list) {
				if r := rankOf(q, d.title, d.body); r != 0 {
					want = append(want, fmt.Sprintf("%d:%d", r, d.id))
				}
			}
			slices.SortStableFunc(want, func(a, b string) int { return strings.Compare(a[:1], b[:1]) })
			found, err := s.SearchDocuments(context.Background(), docs.SearchPage{Query: q, Limit: 1000})
			if err != nil {
				t.Fatalf("SearchDocuments(%q) = %v", query, err)
			}
			var got []string
			for _, f := range found {
				got = append(got, fmt.Sprintf("%d:%d", f.Rank, f.ID))
			}
			if !slices.Equal(got, want) {
				t.Errorf("SearchDocuments(%q) = %v (rank:id); want %v", query, got, want)
			}
		})
	}
}

// rankOf is the rank of a document of these words for q, as docs.Rank
// defines it, or 0 when it does not match.
func rankOf(q *search.Query, title, body []string) docs.Rank {
	has := func(words []string, p search.Phrase) bool {
		for i := 0; i+len(p.Words) <= len(words); i++ {
			ok := true
			for k, w := range p.Words {
				prefix := p.Prefix && k == len(p.Words)-1 && strings.HasPrefix(words[i+k], w)
				if words[i+k] != w && !prefix {
					ok = false
					break
				}
			}
			if ok {
				return true
			}
		}
		return false
	}
	hasAll := func(fields ...[]string) bool {
		for _, g := range q.All {
			if !slices.ContainsFunc(g, func(p search.Phrase) bool {
				return slices.ContainsFunc(fields, func(words []string) bool { return has(words, p) })
			}) {
				return false
			}
		}
		return true
	}
	for _, p := range q.None {
		if has(title, p) || has(body, p) {
			return 0
		}
	}
	switch {
	case !hasAll(title, body):
		return 0
	case hasAll(title):
		return docs.RankTitle
	case len(q.All) > 1 && slices.ContainsFunc(q.Terms(), func(p search.Phrase) bool { return has(title, p) }):
		return docs.RankTitleSome
	}
	return docs.RankText
}

// corpus is what the query cases search, in the order it is created.
var corpus = []struct{ author, title, body string }{
	0: {"alice", "Configuring docsd", "Set user_id in configs/docsd.yaml and restart."},
	1: {"alice", "Release v1.2.3", "See http://example.com/a/b for the notes."},
	2: {"bob", "Café opening", "The café opens at nine."},
	3: {"bob", "Files", "Put it in docsd.conf, not in conf docsd."},
	4: {"alice", "Users", "Every user has an id; user ids are numbers. See v1.2.4."},
	5: {"bob", "Handbook", "How we work."},
	6: {"alice", "Onboarding", "Read the handbook first, then ask."},
	7: {"bob", "Наш план", "Встреча в пятницу."},
	8: {"alice", "Drafts", "A draft about docsd and its handbook."},
	// For zebra okapi: a title, a title holding some, and two bodies (the
	// words adjacent in one), the best the oldest, so that the order by id
	// alone, or by title then id, is not the order by rank.
	9:  {"bob", "Zebra okapi", "Seen at the water."},
	10: {"alice", "Zebra care", "Feeding the okapi too."},
	11: {"bob", "Hybrids", "A zebra okapi cross."},
	12: {"alice", "Sightings", "An okapi, then a zebra."},
}

func testSearchQueries(t *testing.T, open func(t *testing.T) (Store, Store)) {
	ctx := context.Background()
	s, _ := open(t)
	users := map[string]*docs.User{}
	ids := make([]int64, len(corpus))
	for i, c := range corpus {
		if users[c.author] == nil {
			users[c.author] = mustUser(t, s, c.author, docs.RoleEditor)
		}
		ids[i] = mustDocumentBody(t, s, users[c.author], c.title, c.body).ID
	}
	for _, tc := range []struct {
		name, q, author string
		// want are corpus indexes in the order expected: by rank, then
		// newest first.
		want []int
	}{
		{"an identifier is found where its words are adjacent", "user_id", "", []int{0}},
		{"a file name is found as written, not in another order", "docsd.conf", "", []int{3}},
		{"a path is found", "configs/docsd.yaml", "", []int{0}},
		{"a URL is found", "http://example.com/a/b", "", []int{1}},
		{"a host inside a URL is found", "example.com", "", []int{1}},
		{"a version is found, not its neighbour", "v1.2.3", "", []int{1}},
		{"case and diacritics do not matter", "CAFE", "", []int{2}},
		{"a word with diacritics finds it without", "Café", "", []int{2}},
		{"other scripts are found in any case", "ПЯТНИЦУ", "", []int{7}},
		{"a phrase is found", `"opens at nine"`, "", []int{2}},
		{"a phrase in another order is not", `"nine at opens"`, "", nil},
		{"every word must match", "user numbers", "", []int{4}},
		{"words may be split between title and body", "release notes", "", []int{1}},
		{"an excluded word removes a document", "docsd -yaml", "", []int{8, 3}},
		{"an excluded phrase removes only the phrase", `docsd -"docsd yaml"`, "", []int{8, 3}},
		{"OR finds either", "cafe OR release", "", []int{2, 1}},
		{"a prefix finds every word it starts", "config*", "", []int{0}},
		{"a title match ranks above a newer body match", "handbook", "", []int{5, 8, 6}},
		{"a title match of every word ranks above", "docsd OR drafts", "", []int{8, 0, 3}},
		{"each rank comes before the next: title, some in the title, the rest", "zebra okapi", "", []int{9, 10, 12, 11}},
		{"an older title holding some words ranks above newer body matches", "okapi gnu OR zebra", "", []int{9, 10, 12, 11}},
		{"a phrase of the query is a term a title may hold", `"zebra care" feeding`, "", []int{10}},
		{"a prefix is a term a title may hold some of", "zebra oka*", "", []int{9, 10, 12, 11}},
		{"an excluded word removes a document from every rank", "zebra okapi -water -feeding -cross", "", []int{12}},
		{"author keeps one author's documents in every rank", "zebra okapi", "bob", []int{9, 11}},
		{"author keeps one author's documents", "handbook", "alice", []int{8, 6}},
		{"an unknown author matches nothing", "handbook", "nobody", nil},
		{"a word nobody wrote finds nothing", "quagga", "", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q, err := search.Parse(tc.q)
			if err != nil {
				t.Fatalf("Parse(%q) = %v", tc.q, err)
			}
			var want []int64
			for _, i := range tc.want {
				want = append(want, ids[i])
			}
			if got := foundIDs(t, s, docs.SearchPage{Query: q, Limit: 100, Author: tc.author}); !slices.Equal(got, want) {
				t.Errorf("SearchDocuments(%q, author %q) = %v; want %v", tc.q, tc.author, got, want)
			}
		})
	}

	t.Run("pages of one walk the same order as one page, each from its cursor", func(t *testing.T) {
		for _, tc := range []struct {
			q     string
			ranks []docs.Rank
		}{
			{"handbook OR docsd", []docs.Rank{docs.RankTitle, docs.RankTitle, docs.RankText, docs.RankText, docs.RankText}},
			{"zebra okapi", []docs.Rank{docs.RankTitle, docs.RankTitleSome, docs.RankText, docs.RankText}},
		} {
			q, _ := search.Parse(tc.q)
			all := foundIDs(t, s, docs.SearchPage{Query: q, Limit: 100})
			var (
				walked []int64
				ranks  []docs.Rank
				after  docs.SearchCursor
			)
			for range 20 {
				page, err := s.SearchDocuments(ctx, docs.SearchPage{Query: q, Limit: 1, After: after})
				if err != nil {
					t.Fatalf("SearchDocuments(%q, after %+v) = %v", tc.q, after, err)
				}
				if len(page) == 0 {
					break
				}
				walked, ranks = append(walked, page[0].ID), append(ranks, page[0].Rank)
				after = docs.SearchCursor{Rank: page[0].Rank, ID: page[0].ID}
			}
			if !slices.Equal(walked, all) || len(all) != len(tc.ranks) {
				t.Errorf("%q: pages of 1 = %v; one page = %v; want the same %d", tc.q, walked, all, len(tc.ranks))
			}
			if !slices.Equal(ranks, tc.ranks) {
				t.Errorf("%q: ranks of pages of 1 = %v; want %v", tc.q, ranks, tc.ranks)
			}
		}
	})

	t.Run("a result has its body, author and rank", func(t *testing.T) {
		q, _ := search.Parse("handbook")
		got, err := s.SearchDocuments(ctx, docs.SearchPage{Query: q, Limit: 2})
		if err != nil || len(got) != 2 {
			t.Fatalf("SearchDocuments(handbook) = %v, %v; want 2 results", got, err)
		}
		if got[0].Body != corpus[5].body || got[0].Author.Username != "bob" || got[0].Rank != docs.RankTitle || got[0].Version != 1 {
			t.Errorf("first result = %+v; want %q by bob, version 1, RankTitle", got[0], corpus[5].body)
		}
		checkTime(t, "first result's CreatedAt", got[0].CreatedAt, base)
		if got[1].Rank != docs.RankText {
			t.Errorf("second result's rank = %d; want RankText", got[1].Rank)
		}
	})
}

func testSearchChanges(t *testing.T, open func(t *testing.T) (Store, Store)) {
	ctx := context.Background()
	later := base.Add(time.Minute)
	ptr := func(s string) *string { return &s }
	find := func(t *testing.T, s Store, query string) []int64 {
		t.Helper()
		q, err := search.Parse(query)
		if err != nil {
			t.Fatalf("Parse(%q) = %v", query, err)
		}
		return foundIDs(t, s, docs.SearchPage{Query: q, Limit: 100})
	}

	t.Run("a new, changed or deleted document is searched as it is now, through another handle", func(t *testing.T) {
		s, other := open(t)
		u := mustUser(t, s, "u", docs.RoleEditor)
		d := mustDocumentBody(t, s, u, "Plans", "The zebra project.")
		if got := find(t, other, "zebra"); !slices.Equal(got, []int64{d.ID}) {
			t.Fatalf("after CreateDocument, the other handle finds zebra in %v; want [%d]", got, d.ID)
		}
		if _, err := s.UpdateDocument(ctx, d.ID, docs.DocumentUpdate{Body: ptr("The okapi project.")}, 0, u.ID, later); err != nil {
			t.Fatal(err)
		}
		if got := find(t, other, "zebra"); got != nil {
			t.Errorf("after the body lost zebra, the other handle finds it in %v; want none", got)
		}
		if got := find(t, other, "okapi plans"); !slices.Equal(got, []int64{d.ID}) {
			t.Errorf("after the body changed, the other handle finds okapi plans in %v; want [%d], the unchanged title still indexed", got, d.ID)
		}
		if _, err := s.UpdateDocument(ctx, d.ID, docs.DocumentUpdate{Title: ptr("Okapi")}, 0, u.ID, later); err != nil {
			t.Fatal(err)
		}
		if got := find(t, other, "plans"); got != nil {
			t.Errorf("after the title lost plans, the other handle finds it in %v; want none", got)
		}
		q, _ := search.Parse("okapi")
		if got, err := other.SearchDocuments(ctx, docs.SearchPage{Query: q, Limit: 1}); err != nil || len(got) != 1 || got[0].Rank != docs.RankTitle {
			t.Errorf("after the title became Okapi, the other handle's search = %v, %v; want it ranked by title", got, err)
		}
		if err := s.DeleteDocument(ctx, d.ID); err != nil {
			t.Fatal(err)
		}
		if got := find(t, other, "okapi"); got != nil {
			t.Errorf("after DeleteDocument(%d), the other handle finds okapi in %v; want none", d.ID, got)
		}
	})

	t.Run("a restored document is found again, through another handle", func(t *testing.T) {
		s, other := open(t)
		u := mustUser(t, s, "u", docs.RoleEditor)
		d := mustDocumentBody(t, s, u, "Zebra plans", "The okapi project.")
		if err := s.DeleteDocument(ctx, d.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.RestoreDocument(ctx, d.ID, u.ID, later); err != nil {
			t.Fatalf("RestoreDocument(%d) = %v", d.ID, err)
		}
		if got := find(t, other, "okapi"); !slices.Equal(got, []int64{d.ID}) {
			t.Errorf("after RestoreDocument(%d), the other handle finds okapi in %v; want [%d]", d.ID, got, d.ID)
		}
		q, _ := search.Parse("zebra")
		if got, err := other.SearchDocuments(ctx, docs.SearchPage{Query: q, Limit: 100}); err != nil || len(got) != 1 || got[0].ID != d.ID || got[0].Rank != docs.RankTitle {
			t.Errorf("after RestoreDocument(%d), the other handle's search for zebra = %v, %v; want it alone, ranked by title", d.ID, got, err)
		}
	})

	t.Run("a reverted document is found by its restored text, not the replaced one", func(t *testing.T) {
		s, other := open(t)
		u := mustUser(t, s, "u", docs.RoleEditor)
		d := mustDocumentBody(t, s, u, "Zebra plans", "The okapi project.")
		if _, err := s.UpdateDocument(ctx, d.ID, docs.DocumentUpdate{Title: ptr("Giraffe plans"), Body: ptr("The gnu project.")}, 0, u.ID, later); err != nil {
			t.Fatal(err)
		}
		if _, err := s.RevertDocument(ctx, d.ID, 1, 2, u.ID, later); err != nil {
			t.Fatalf("RevertDocument(%d, to 1) = %v", d.ID, err)
		}
		for _, q := range []string{"zebra", "okapi"} {
			if got := find(t, other, q); !slices.Equal(got, []int64{d.ID}) {
				t.Errorf("after the revert to version 1, the other handle finds %s in %v; want [%d]", q, got, d.ID)
			}
		}
		for _, q := range []string{"giraffe", "gnu"} {
			if got := find(t, other, q); got != nil {
				t.Errorf("after the revert to version 1, the other handle finds %s, of version 2, in %v; want none", q, got)
			}
		}
	})

	t.Run("a refused change leaves the index as it was", func(t *testing.T) {
		s, _ := open(t)
		u := mustUser(t, s, "u", docs.RoleEditor)
		d := mustDocumentBody(t, s, u, "Plans", "The zebra project.")
		if _, err := s.UpdateDocument(ctx, d.ID, docs.DocumentUpdate{Body: ptr("okapi")}, 7, u.ID, later); docs.KindOf(err) != docs.PreconditionFailed {
			t.Fatalf("UpdateDocument(ifVersion 7) at version 1 = %v; want PreconditionFailed", err)
		}
		if got := find(t, s, "zebra"); !slices.Equal(got, []int64{d.ID}) {
			t.Errorf("after a refused update, zebra is found in %v; want [%d]", got, d.ID)
		}
		if got := find(t, s, "okapi"); got != nil {
			t.Errorf("after a refused update, okapi is found in %v; want none", got)
		}
	})

	t.Run("imported documents are found", func(t *testing.T) {
		s, _ := open(t)
		u := mustUser(t, s, "u", docs.RoleEditor)
		im, ok := s.(interface {
			ImportDocuments(ctx context.Context, list []*docs.Document) error
		})
		if !ok {
			t.Skipf("%T has no ImportDocuments", s)
		}
		list := []*docs.Document{
			{Title: "One", Body: "imported zebra", Author: docs.Author{ID: u.ID}, CreatedAt: base, UpdatedAt: base},
			{Title: "Zebra two", Body: "imported", Author: docs.Author{ID: u.ID}, CreatedAt: base, UpdatedAt: base},
		}
		if err := im.ImportDocuments(ctx, list); err != nil {
			t.Fatal(err)
		}
		if got := find(t, s, "zebra"); !slices.Equal(got, []int64{list[1].ID, list[0].ID}) {
			t.Errorf("after ImportDocuments, zebra is found in %v; want [%d %d]", got, list[1].ID, list[0].ID)
		}
	})
}

func foundIDs(t *testing.T, s Store, p docs.SearchPage) []int64 {
	t.Helper()
	got, err := s.SearchDocuments(context.Background(), p)
	if err != nil {
		t.Fatalf("SearchDocuments(%+v) = %v", p, err)
	}
	var ids []int64
	for _, f := range got {
		ids = append(ids, f.ID)
	}
	return ids
}
