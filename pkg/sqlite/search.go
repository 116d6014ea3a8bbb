package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/docsd/docs/pkg/docs"
	"github.com/docsd/docs/pkg/internal/sqlstore"
	"github.com/docsd/docs/pkg/search"
)

// indexed is text as the search tables take it: its words, one space
// apart (see migration 00010).
func indexed(s string) string {
	return strings.Join(search.Words(s), " ")
}

// index writes the document's words to the search tables, in tx, the
// transaction that writes the document; title, unchanged, keeps its row.
func index(ctx context.Context, tx writeTx, id int64, title, body string, titleChanged bool) error {
	t := indexed(title)
	if titleChanged {
		if _, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO search_title (rowid, title) VALUES (?, ?)`, id, t); err != nil {
			return fmt.Errorf("index document %d: %w", id, err)
		}
	}
	if _, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO search_text (rowid, title, body) VALUES (?, ?, ?)`, id, t, indexed(body)); err != nil {
		return fmt.Errorf("index document %d: %w", id, err)
	}
	return nil
}

// indexPending indexes the documents that migration 00010 found, a
// batch per transaction, so that a large database is not locked for the
// whole of it. Once they are done it writes nothing, so that it costs a
// database that is read-only (a copy being inspected) nothing but a read.
func (d *DB) indexPending(ctx context.Context) error {
	for {
		var pending bool
		if err := d.q.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM search_pending)`).Scan(&pending); err != nil {
			return fmt.Errorf("index documents: %w", err)
		}
		if !pending {
			return nil
		}
		if err := d.inTx(ctx, "index documents", d.indexBatch(ctx)); err != nil {
			return err
		}
	}
}

// indexBatch indexes the next thousand pending documents and takes them,
// and any deleted since, off the list.
func (d *DB) indexBatch(ctx context.Context) func(tx writeTx) error {
	return func(tx writeTx) error {
		rows, err := tx.QueryContext(ctx,
			`SELECT p.id, coalesce(d.title, ''), coalesce(d.body, ''), d.id IS NULL
			 FROM search_pending p LEFT JOIN documents d ON d.id = p.id ORDER BY p.id LIMIT 1000`)
		if err != nil {
			return fmt.Errorf("index documents: %w", err)
		}
		defer rows.Close()
		var last int64
		for rows.Next() {
			var (
				doc  docs.Document
				gone bool
			)
			if err := rows.Scan(&doc.ID, &doc.Title, &doc.Body, &gone); err != nil {
				return fmt.Errorf("index documents: %w", err)
			}
			if !gone {
				if err := index(ctx, tx, doc.ID, doc.Title, doc.Body, true); err != nil {
					return err
				}
			}
			last = doc.ID
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("index documents: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM search_pending WHERE id <= ?`, last); err != nil {
			return fmt.Errorf("index documents: %w", err)
		}
		return nil
	}
}

// SearchDocuments returns a page of the documents matching p.Query, rank
// by rank (docs.Rank), newest first in each. Each rank is one FTS5 query
// walking its index down from the cursor in rowid order, which FTS5 does
// without sorting: a page costs about the same whether a word is in ten
// documents or in all of them. The first rank reads search_title, the
// titles' own index; the others are one expression on search_text each,
// whose {title} column filters and NOT say what the rank holds
// and what the ranks above it took. Nothing is read into a set: a rank's
// exclusions are walked down beside it, in step.
func (d *DB) SearchDocuments(ctx context.Context, p docs.SearchPage) ([]*docs.Found, error) {
	q := p.Query
	all := fts5All(q)
	none := ""
	if len(q.None) > 0 {
		none = fts5Any(q.None)
	}
	titled := titledTerms{d: d, q: q}
	var out []*docs.Found
	for rank := max(p.After.Rank, docs.RankTitle); rank <= docs.RankText && len(out) < p.Limit; rank++ {
		before := int64(math.MaxInt64)
		if rank == p.After.Rank {
			before = p.After.ID
		}
		table, where, args := `search_text f`, `search_text MATCH ?`, []any(nil)
		if rank == docs.RankTitle {
			table, where, args = `search_title f`, `search_title MATCH ?`, []any{all}
			if none != "" {
				where += ` AND NOT EXISTS (SELECT 1 FROM search_text x WHERE search_text MATCH ? AND x.rowid = f.rowid)`
				args = append(args, none)
			}
		} else {
			if rank == docs.RankTitleSome && len(q.All) < 2 {
				continue
			}
			// The terms some title holds, so that a {title} filter is
			// written only for them: FTS5 finds that no title holds a
			// word by reading every entry of the word's list (the body's
			// too), where search_title's list of it is empty.
			some, err := titled.below(ctx, before)
			if err != nil {
				return nil, err
			}
			var expr string
			switch rank {
			case docs.RankTitleSome:
				if len(some) == 0 {
					continue
				}
				expr = all
				if every := fts5AllOf(q, some); every != "" {
					expr = "(" + expr + ") NOT {title} : (" + every + ")"
				}
				// FTS5 finds the titles holding a term by reading the
				// term's whole list, titles and bodies, so when titles
				// hold it rarely and bodies often, {title} as a condition
				// to find costs a read of every body that has the word.
				// search_title lists those titles alone: when they are
				// few, each is looked up in search_text instead.
				few, err := d.fewTitles(ctx, fts5Any(some), before)
				if err != nil {
					return nil, err
				}
				if few {
					if none != "" {
						expr = "(" + expr + ") NOT " + none
					}
					table = `search_title f CROSS JOIN search_text x ON x.rowid = f.rowid`
					where, args = `search_title MATCH ? AND search_text MATCH ?`, []any{fts5Any(some), expr}
					break
				}
				expr = "(" + expr + ") AND {title} : " + fts5Any(some)
			case docs.RankText:
				expr = all
				if len(some) > 0 {
					expr = "(" + expr + ") NOT {title} : " + fts5Any(some)
				}
			}
			if args == nil {
				if none != "" {
					expr = "(" + expr + ") NOT " + none
				}
				args = []any{expr}
			}
		}
		page := p
		page.Limit -= len(out)
		found, err := d.searchRank(ctx, rank, table, where, args, before, page)
		if err != nil {
			return nil, err
		}
		out = append(out, found...)
	}
	return out, nil
}

// titleDriveCap is how many titles holding a term a search looks up one by
// one in search_text (see SearchDocuments): each lookup is a seek in every
// segment of the index, some tens of microseconds. A variable, so that
// tests can take the other way too.
var titleDriveCap = 200

// fewTitles reports whether at most titleDriveCap titles below before
// match expr, which search_title answers reading at most that many.
func (d *DB) fewTitles(ctx context.Context, expr string, before int64) (bool, error) {
	var n int
	if err := d.q.QueryRowContext(ctx, `SELECT count(*) FROM (SELECT 1 FROM search_title WHERE search_title MATCH ? AND rowid < ? LIMIT ?)`,
		expr, before, titleDriveCap+1).Scan(&n); err != nil {
		return false, fmt.Errorf("search documents: %w", err)
	}
	return n <= titleDriveCap, nil
}

// titledTerms finds which of a query's terms some title holds, below a
// bound; a search asks for at most two bounds, the cursor's and the top.
type titledTerms struct {
	d    *DB
	q    *search.Query
	seen map[int64][]search.Phrase
}

func (t *titledTerms) below(ctx context.Context, before int64) ([]search.Phrase, error) {
	if some, ok := t.seen[before]; ok {
		return some, nil
	}
	var some []search.Phrase
	for _, p := range t.q.Terms() {
		var id int64
		err := t.d.q.QueryRowContext(ctx, `SELECT rowid FROM search_title WHERE search_title MATCH ? AND rowid < ? ORDER BY rowid DESC LIMIT 1`,
			fts5Any([]search.Phrase{p}), before).Scan(&id)
		switch {
		case err == nil:
			some = append(some, p)
		case !errors.Is(err, sql.ErrNoRows):
			return nil, fmt.Errorf("search documents: %w", err)
		}
	}
	if t.seen == nil {
		t.seen = map[int64][]search.Phrase{}
	}
	t.seen[before] = some
	return some, nil
}

func (d *DB) searchRank(ctx context.Context, rank docs.Rank, table, where string, args []any, before int64, p docs.SearchPage) ([]*docs.Found, error) {
	query := `SELECT d.id, d.title, d.body, d.author_id, u.username, d.created_at, d.updated_at, d.version
		FROM ` + table + ` JOIN documents d ON d.id = f.rowid JOIN users u ON u.id = d.author_id
		WHERE ` + where + ` AND f.rowid < ?`
	args = append(args, before)
	if p.Author != "" {
		query += ` AND lower(u.username) = lower(?)`
		args = append(args, p.Author)
	}
	query += ` ORDER BY f.rowid DESC LIMIT ?`
	args = append(args, p.Limit)
	rows, err := d.q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("search documents: %w", err)
	}
	defer rows.Close()
	var out []*docs.Found
	for rows.Next() {
		f := docs.Found{Rank: rank}
		var created, updated int64
		if err := rows.Scan(&f.ID, &f.Title, &f.Body, &f.Author.ID, &f.Author.Username, &created, &updated, &f.Version); err != nil {
			return nil, fmt.Errorf("search documents: %w", err)
		}
		f.CreatedAt, f.UpdatedAt = sqlstore.FromMicros(created), sqlstore.FromMicros(updated)
		out = append(out, &f)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("search documents: %w", err)
	}
	return out, nil
}

// fts5All spells the groups a document must match as an FTS5 query.
func fts5All(q *search.Query) string {
	parts := make([]string, len(q.All))
	for i, g := range q.All {
		parts[i] = fts5Any(g)
	}
	return strings.Join(parts, " AND ")
}

// fts5AllOf spells the groups of q with only the phrases of some, or ""
// when a group has none of them and so cannot match.
func fts5AllOf(q *search.Query, some []search.Phrase) string {
	parts := make([]string, len(q.All))
	for i, g := range q.All {
		var kept []search.Phrase
		for _, p := range g {
			if slices.ContainsFunc(some, func(s search.Phrase) bool { return s.Prefix == p.Prefix && slices.Equal(s.Words, p.Words) }) {
				kept = append(kept, p)
			}
		}
		if len(kept) == 0 {
			return ""
		}
		parts[i] = fts5Any(kept)
	}
	return strings.Join(parts, " AND ")
}

// fts5Any spells phrases of which one must match. A phrase is a string
// in double quotes, which the ascii tokenizer splits at its spaces; the
// words hold no quote to escape, being letters and digits only.
func fts5Any(phrases []search.Phrase) string {
	parts := make([]string, len(phrases))
	for i, p := range phrases {
		parts[i] = `"` + strings.Join(p.Words, " ") + `"`
		if p.Prefix {
			parts[i] += " *"
		}
	}
	return "(" + strings.Join(parts, " OR ") + ")"
}
