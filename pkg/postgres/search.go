package postgres

import (
	"context"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/docsd/docs/pkg/docs"
	"github.com/docsd/docs/pkg/search"
)

// PostgreSQL's bounds on a tsvector: positions past maxPosition count as
// maxPosition, and a word keeps at most maxPositions of them. A word is
// found wherever it is; a phrase only within them (see docs/api.md).
const (
	maxPosition  = 16383
	maxPositions = 256
)

// tsvector spells s's words as a tsvector literal, the first at position
// first. Its words are letters and digits only, so none needs escaping.
func tsvector(s string, first int) string {
	words := search.Words(s)
	positions := make(map[string][]int, len(words))
	order := make([]string, 0, len(words))
	for i, w := range words {
		ps, seen := positions[w]
		if !seen {
			order = append(order, w)
		}
		if p := min(first+i, maxPosition); len(ps) < maxPositions && (len(ps) == 0 || ps[len(ps)-1] != p) {
			positions[w] = append(ps, p)
		}
	}
	var b strings.Builder
	for _, w := range order {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteByte('\'')
		b.WriteString(w)
		b.WriteString("':")
		for k, p := range positions[w] {
			if k > 0 {
				b.WriteByte(',')
			}
			b.WriteString(strconv.Itoa(p))
		}
	}
	return b.String()
}

// The vectors of a title and a body (see migration 00010).
func titleVector(title string) string { return tsvector(title, 1) }
func bodyVector(body string) string   { return tsvector(body, 2) }

// vectorOf is the vector of a changed field, or nil for one unchanged.
func vectorOf(s *string, vector func(string) string) *string {
	if s == nil {
		return nil
	}
	v := vector(*s)
	return &v
}

// indexPending indexes the documents that migration 00010 found, a batch
// per transaction. Once they are done it writes nothing.
func (d *DB) indexPending(ctx context.Context) error {
	for indexed := false; ; indexed = true {
		var pending bool
		if err := d.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM search_pending)`).Scan(&pending); err != nil {
			return d.wrap("index documents", err)
		}
		if !pending && indexed {
			// Each row indexed left its old version behind, and the
			// planner's statistics know nothing of the vectors: until
			// autovacuum came by, a search's capped read scanned the
			// dead half of the table first (26 ms for a page at 200,000
			// documents, 2 ms after this). Unbounded, as a migration
			// is: it reads the whole table.
			if _, err := d.pool.Pool.Exec(ctx, `VACUUM (ANALYZE) documents`); err != nil {
				return d.wrap("vacuum documents after indexing them", err)
			}
		}
		if !pending {
			return nil
		}
		err := d.inTx(ctx, "index documents", func(tx pgx.Tx) error {
			rows, err := tx.Query(ctx, `SELECT p.id, d.title, d.body FROM search_pending p JOIN documents d ON d.id = p.id ORDER BY p.id LIMIT 1000`)
			if err != nil {
				return err
			}
			list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (docs.Document, error) {
				var doc docs.Document
				err := r.Scan(&doc.ID, &doc.Title, &doc.Body)
				return doc, err
			})
			if err != nil {
				return err
			}
			if len(list) == 0 {
				// Whatever is left was deleted since the migration.
				_, err := tx.Exec(ctx, `DELETE FROM search_pending`)
				return err
			}
			var b pgx.Batch
			for _, doc := range list {
				b.Queue(`UPDATE documents SET search_title = $2::tsvector, search_body = $3::tsvector WHERE id = $1`,
					doc.ID, titleVector(doc.Title), bodyVector(doc.Body))
			}
			b.Queue(`DELETE FROM search_pending WHERE id <= $1`, list[len(list)-1].ID)
			return tx.SendBatch(ctx, &b).Close()
		})
		if err != nil {
			return err
		}
	}
}

// SearchDocuments returns a page of the documents matching p.Query, rank
// by rank (docs.Rank), newest first in each. Each rank is one statement
// (see searchRankQuery) whose conditions say what the rank holds and what
// the ranks above it took, each answered by a GIN index: the title's, or
// the title and body's together.
func (d *DB) SearchDocuments(ctx context.Context, p docs.SearchPage) ([]*docs.Found, error) {
	q := p.Query
	all := tsqueryAll(q)
	not := ""
	for _, ph := range q.None {
		not += " & !" + tsqueryPhrase(ph)
	}
	some := tsqueryAny(q.Terms())
	var out []*docs.Found
	for rank := max(p.After.Rank, docs.RankTitle); rank <= docs.RankText && len(out) < p.Limit; rank++ {
		var (
			a     sqlArgs
			where string
		)
		switch rank {
		case docs.RankTitle:
			where = `d.search_title @@ ` + a.add(all) + `::tsquery`
			if not != "" {
				where += ` AND (d.search_title || d.search_body) @@ ` + a.add(all+not) + `::tsquery`
			}
		case docs.RankTitleSome:
			if len(q.All) < 2 {
				continue
			}
			where = `(d.search_title || d.search_body) @@ ` + a.add(all+not) + `::tsquery AND d.search_title @@ ` + a.add(some) +
				`::tsquery AND NOT d.search_title @@ ` + a.add(all) + `::tsquery`
		case docs.RankText:
			// For a query of one term, some is all: today's second rank.
			where = `(d.search_title || d.search_body) @@ ` + a.add(all+not) + `::tsquery AND NOT d.search_title @@ ` + a.add(some) + `::tsquery`
		}
		page := p
		page.Limit -= len(out)
		found, err := d.searchRank(ctx, rank, where, a, page)
		if err != nil {
			return nil, err
		}
		out = append(out, found...)
	}
	return out, nil
}

// sqlArgs collects a statement's arguments; add returns the placeholder.
type sqlArgs []any

func (a *sqlArgs) add(v any) string {
	*a = append(*a, v)
	return "$" + strconv.Itoa(len(*a))
}

// searchWalk is how many of the newest documents below the cursor a rank
// reads first (searchWalkQuery): when a tenth of them match, as a common
// word's do, they fill a page of 20 and the rank reads nothing else, in
// one statement of one plan. Otherwise, at the cost of reading them, the
// rank's statement of searchRankQuery follows. A variable, so that tests
// can take the other way too.
var searchWalk = 200

// searchWalkQuery is a rank's query over the newest searchWalk documents
// below the cursor, walked down the primary key.
func searchWalkQuery(rank docs.Rank, where string, a sqlArgs, p docs.SearchPage) (string, sqlArgs) {
	a = slices.Clone(a)
	bounds := searchBounds(rank, &a, p)
	limit := a.add(p.Limit)
	return `SELECT ` + documentColumns + ` FROM (
			SELECT * FROM documents d WHERE ` + bounds + ` ORDER BY d.id DESC LIMIT ` + strconv.Itoa(searchWalk) + `
		) d JOIN users u ON u.id = d.author_id
		WHERE ` + where + ` ORDER BY d.id DESC LIMIT ` + limit, a
}

// searchBounds adds the page's bounds to a: below the cursor, and the
// author's.
func searchBounds(rank docs.Rank, a *sqlArgs, p docs.SearchPage) string {
	before := int64(math.MaxInt64)
	if p.After.Rank == rank {
		before = p.After.ID
	}
	bounds := `d.id < ` + a.add(before)
	if p.Author != "" {
		// Usernames are unique in lower case (users_username), so this is
		// the join's condition, without a join in m.
		bounds += ` AND d.author_id = (SELECT id FROM users WHERE lower(username) = lower(` + a.add(p.Author) + `))`
	}
	return bounds
}

// searchCap is how many of a rank's matches a search reads first: as
// many, and it takes the words for common and walks the primary key
// instead (see searchRankQuery).
const searchCap = 1000

// searchRank runs one rank's query: where, and the page's bounds.
func (d *DB) searchRank(ctx context.Context, rank docs.Rank, where string, a sqlArgs, p docs.SearchPage) ([]*docs.Found, error) {
	// The newest documents first: a common word fills the page among
	// them, and the statement has one plan whatever the words, so it is
	// prepared once.
	query, walk := searchWalkQuery(rank, where, a, p)
	out, err := d.searchRows(ctx, rank, query, walk)
	if err != nil || len(out) == p.Limit {
		return out, err
	}
	// Planned for its arguments every time: a prepared statement's generic
	// plan, which PostgreSQL may choose after five executions, cannot
	// tell a rare word from a common one and picks one plan for both.
	query, a = searchRankQuery(rank, where, a, p)
	return d.searchRows(ctx, rank, query, append(sqlArgs{pgx.QueryExecModeExec}, a...))
}

func (d *DB) searchRows(ctx context.Context, rank docs.Rank, query string, args sqlArgs) ([]*docs.Found, error) {
	rows, err := d.pool.Query(ctx, query, args...)
	if err != nil {
		return nil, d.wrap("search documents", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*docs.Found, error) {
		doc, err := scanDocument(r)
		if err != nil {
			return nil, err
		}
		return &docs.Found{Document: *doc, Rank: rank}, nil
	})
	if err != nil {
		return nil, d.wrap("search documents", err)
	}
	return out, nil
}

// searchRankQuery spells one rank's query, where and the page's bounds,
// and returns it with its arguments, a's and the bounds'.
//
// Left to itself, PostgreSQL 15 plans "where ORDER BY id DESC LIMIT n" as
// a walk of the primary key down, checking each row: one page when the
// words are common, but every row of the table when the rank has few
// matches or none (docs/benchmarks.md, "Search"). So the statement first
// reads the ids of at most searchCap matches, in no order (m: materialized,
// it is planned alone, and with no order to keep the planner reads few
// matches through the GIN index and many with a scan that stops at the
// cap). Fewer than searchCap are all the rank's matches from the cursor
// on, and the page is the newest of them, fetched by id. Otherwise the
// words are common, and the other branch walks the primary key down as
// before: with matches spread evenly it reads about n*rows/matches rows,
// under n*rows/searchCap. Each branch is gated by the count, which
// PostgreSQL checks once before reading any row of it (a One-Time
// Filter), so only one runs.
func searchRankQuery(rank docs.Rank, where string, a sqlArgs, p docs.SearchPage) (string, sqlArgs) {
	a = slices.Clone(a)
	bounds := searchBounds(rank, &a, p)
	limit := a.add(p.Limit)
	limitCap := strconv.Itoa(searchCap)
	query := `WITH m AS MATERIALIZED (
			SELECT d.id FROM documents d WHERE ` + where + ` AND ` + bounds + ` LIMIT ` + limitCap + `
		)
		(SELECT ` + documentColumns + ` FROM documents d JOIN users u ON u.id = d.author_id
		 WHERE d.id = ANY (ARRAY (SELECT id FROM m)) AND (SELECT count(*) FROM m) < ` + limitCap + `
		 ORDER BY d.id DESC LIMIT ` + limit + `)
		UNION ALL
		(SELECT ` + documentColumns + ` FROM documents d JOIN users u ON u.id = d.author_id
		 WHERE ` + where + ` AND ` + bounds + ` AND (SELECT count(*) FROM m) = ` + limitCap + `
		 ORDER BY d.id DESC LIMIT ` + limit + `)
		ORDER BY id DESC`
	return query, a
}

// tsqueryAll spells the groups a document must match as a tsquery.
func tsqueryAll(q *search.Query) string {
	parts := make([]string, len(q.All))
	for i, g := range q.All {
		parts[i] = tsqueryAny(g)
	}
	return strings.Join(parts, " & ")
}

// tsqueryAny spells phrases of which one must match.
func tsqueryAny(phrases []search.Phrase) string {
	alts := make([]string, len(phrases))
	for k, p := range phrases {
		alts[k] = tsqueryPhrase(p)
	}
	return "(" + strings.Join(alts, " | ") + ")"
}

// tsqueryPhrase spells a phrase: words followed by one another (<->), the
// last a prefix (:*) when it is one. The words hold no quote to escape.
func tsqueryPhrase(p search.Phrase) string {
	words := make([]string, len(p.Words))
	for i, w := range p.Words {
		words[i] = "'" + w + "'"
	}
	if p.Prefix {
		words[len(words)-1] += ":*"
	}
	return "(" + strings.Join(words, " <-> ") + ")"
}
