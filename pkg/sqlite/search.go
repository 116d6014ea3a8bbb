package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"math"
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
func index(ctx context.Context, tx *sql.Tx, id int64, title, body string, titleChanged bool) error {
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
func (d *DB) indexBatch(ctx context.Context) func(tx *sql.Tx) error {
	return func(tx *sql.Tx) error {
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

// SearchDocuments returns a page of the documents matching p.Query: those
// whose title alone matches first, then the others, newest first in each.
// Each rank is one FTS5 query walking its index down from the cursor in
// rowid order, which FTS5 does without sorting: a page costs about the
// same whether a word is in ten documents or in all of them.
func (d *DB) SearchDocuments(ctx context.Context, p docs.SearchPage) ([]*docs.Found, error) {
	all := fts5All(p.Query)
	text, none := all, ""
	if len(p.Query.None) > 0 {
		none = fts5Any(p.Query.None)
		text = "(" + all + ") NOT (" + none + ")"
	}
	var out []*docs.Found
	if p.After.Rank < docs.RankText {
		before := int64(math.MaxInt64)
		if p.After.Rank == docs.RankTitle {
			before = p.After.ID
		}
		where := `search_title MATCH ?`
		args := []any{all}
		if none != "" {
			where += ` AND NOT EXISTS (SELECT 1 FROM search_text x WHERE search_text MATCH ? AND x.rowid = f.rowid)`
			args = append(args, none)
		}
		found, err := d.searchRank(ctx, docs.RankTitle, `search_title`, where, args, before, p)
		if err != nil {
			return nil, err
		}
		out = found
	}
	if len(out) < p.Limit {
		before := int64(math.MaxInt64)
		if p.After.Rank == docs.RankText {
			before = p.After.ID
		}
		// The title matches are read once, into a set the walk looks
		// up: a correlated probe of search_title for each row opens an
		// FTS5 cursor on every segment each time, and made a page of 20
		// some four times slower. The set is the title matches of the
		// whole query, so it is large only when the first rank is, and
		// then this rank is reached after all of that one.
		where := `search_text MATCH ? AND f.rowid NOT IN (SELECT rowid FROM search_title WHERE search_title MATCH ?)`
		q := p
		q.Limit -= len(out)
		found, err := d.searchRank(ctx, docs.RankText, `search_text`, where, []any{text, all}, before, q)
		if err != nil {
			return nil, err
		}
		out = append(out, found...)
	}
	return out, nil
}

func (d *DB) searchRank(ctx context.Context, rank docs.Rank, table, where string, args []any, before int64, p docs.SearchPage) ([]*docs.Found, error) {
	query := `SELECT d.id, d.title, d.body, d.author_id, u.username, d.created_at, d.updated_at, d.version
		FROM ` + table + ` f JOIN documents d ON d.id = f.rowid JOIN users u ON u.id = d.author_id
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
