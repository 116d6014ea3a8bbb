package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/docsd/docs/pkg/docs"
	"github.com/docsd/docs/pkg/internal/sqlstore"
)

// CreateDocument inserts d, indexed for search, and sets its ID, Version
// and author name, with its first revision, made by its author, in the
// same statement. An author who no longer exists is Unauthorized
// (docs.AuthorRemoved).
func (d *DB) CreateDocument(ctx context.Context, doc *docs.Document) error {
	doc.Version = 1
	err := d.pool.QueryRow(ctx,
		`WITH d AS (
		   INSERT INTO documents (title, body, author_id, created_at, updated_at, version, search_title, search_body)
		   VALUES ($1, $2, $3, $4, $5, 1, $6::tsvector, $7::tsvector)
		   RETURNING *),
		 r AS (`+addRevisionSQL+`, $3::bigint, u.username, d.updated_at FROM d JOIN users u ON u.id = d.author_id)
		 SELECT d.id, u.username FROM d JOIN users u ON u.id = d.author_id`,
		doc.Title, doc.Body, doc.Author.ID, sqlstore.Micros(doc.CreatedAt), sqlstore.Micros(doc.UpdatedAt),
		titleVector(doc.Title), bodyVector(doc.Body),
	).Scan(&doc.ID, &doc.Author.Username)
	if sqlState(err) == foreignKeyViolation {
		return docs.AuthorRemoved(doc.Author.ID)
	}
	if err != nil {
		return d.wrap("create document", err)
	}
	return nil
}

const documentColumns = `d.id, d.title, d.body, d.author_id, u.username, d.created_at, d.updated_at, d.version`

func scanDocument(row pgx.Row) (*docs.Document, error) {
	var (
		doc              docs.Document
		created, updated int64
	)
	if err := row.Scan(&doc.ID, &doc.Title, &doc.Body, &doc.Author.ID, &doc.Author.Username, &created, &updated, &doc.Version); err != nil {
		return nil, err
	}
	doc.CreatedAt, doc.UpdatedAt = sqlstore.FromMicros(created), sqlstore.FromMicros(updated)
	return &doc, nil
}

// DocumentByID returns the document with id, or a NotFound error.
func (d *DB) DocumentByID(ctx context.Context, id int64) (*docs.Document, error) {
	doc, _, err := d.DocumentWithEpoch(ctx, id)
	return doc, err
}

// DocumentWithEpoch returns the document with id and the epoch of its
// shard, read in one statement, so the document is exactly what the
// shard's epoch names; or a NotFound error.
func (d *DB) DocumentWithEpoch(ctx context.Context, id int64) (*docs.Document, int64, error) {
	var (
		doc              docs.Document
		created, updated int64
		epoch            int64
	)
	err := d.pool.QueryRow(ctx,
		`SELECT `+documentColumns+`, (SELECT n FROM document_shard_epoch WHERE shard = $2)
		 FROM documents d JOIN users u ON u.id = d.author_id WHERE d.id = $1`, id, docs.ShardOf(id),
	).Scan(&doc.ID, &doc.Title, &doc.Body, &doc.Author.ID, &doc.Author.Username, &created, &updated, &doc.Version, &epoch)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, 0, docs.DocumentNotFound(id)
	}
	if err != nil {
		return nil, 0, d.wrap(fmt.Sprintf("load document %d", id), err)
	}
	doc.CreatedAt, doc.UpdatedAt = sqlstore.FromMicros(created), sqlstore.FromMicros(updated)
	return &doc, epoch, nil
}

// ListDocuments returns up to p.Limit documents with id > p.After, in id
// order, without bodies.
func (d *DB) ListDocuments(ctx context.Context, p docs.Page) ([]*docs.Document, error) {
	query := `SELECT d.id, d.title, d.author_id, u.username, d.created_at, d.updated_at, d.version
		 FROM documents d JOIN users u ON u.id = d.author_id
		 WHERE d.id > $1 ORDER BY d.id LIMIT $2`
	args := []any{p.After, p.Limit}
	if p.Author != "" {
		// One author's page is a range scan of documents (author_id, id).
		query = `SELECT d.id, d.title, d.author_id, u.username, d.created_at, d.updated_at, d.version
		 FROM users u JOIN documents d ON d.author_id = u.id
		 WHERE lower(u.username) = lower($3) AND d.id > $1 ORDER BY d.id LIMIT $2`
		args = append(args, p.Author)
	}
	rows, err := d.pool.Query(ctx, query, args...)
	if err != nil {
		return nil, d.wrap("list documents", err)
	}
	out := make([]*docs.Document, 0, p.Limit)
	var (
		doc              docs.Document
		created, updated int64
	)
	_, err = pgx.ForEachRow(rows, []any{&doc.ID, &doc.Title, &doc.Author.ID, &doc.Author.Username, &created, &updated, &doc.Version}, func() error {
		doc.CreatedAt, doc.UpdatedAt = sqlstore.FromMicros(created), sqlstore.FromMicros(updated)
		c := doc
		out = append(out, &c)
		return nil
	})
	if err != nil {
		return nil, d.wrap("list documents", err)
	}
	return out, nil
}

// UpdateDocument applies u if the stored version is ifVersion (0: any),
// with its revision, made by the user by, and the search vector of what it
// changes.
func (d *DB) UpdateDocument(ctx context.Context, id int64, u docs.DocumentUpdate, ifVersion, by int64, now time.Time) (*docs.Document, error) {
	doc, err := update(ctx, d.pool, id, u, ifVersion, by, now)
	if err != nil && docs.KindOf(err) == docs.Internal {
		return nil, d.wrap(fmt.Sprintf("update document %d", id), err)
	}
	return doc, err
}

// querier is what update needs of the pool or a transaction.
type querier interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// update is UpdateDocument through q. The version check is in the
// UPDATE's WHERE clause: a second writer on the same version waits for
// the first, then finds the version moved and changes nothing, under READ
// COMMITTED as under any stricter level. The revision is written by the
// same statement, from what the UPDATE returns, so it exists exactly when
// the version does; the search vectors are written by the UPDATE itself.
func update(ctx context.Context, q querier, id int64, u docs.DocumentUpdate, ifVersion, by int64, now time.Time) (*docs.Document, error) {
	doc, err := scanDocument(q.QueryRow(ctx,
		`WITH d AS (
		   UPDATE documents SET
		     title = COALESCE($1, title),
		     body = COALESCE($2, body),
		     updated_at = $3,
		     version = version + 1,
		     search_title = COALESCE($7::tsvector, search_title),
		     search_body = COALESCE($8::tsvector, search_body)
		   WHERE id = $4 AND ($5::bigint = 0 OR version = $5::bigint)
		   RETURNING *),
		 r AS (`+addRevisionSQL+`, $6::bigint, COALESCE((SELECT username FROM users WHERE id = $6), ''), d.updated_at
		   FROM d JOIN users u ON u.id = d.author_id)
		 SELECT `+documentColumns+` FROM d JOIN users u ON u.id = d.author_id`,
		u.Title, u.Body, sqlstore.Micros(now), id, ifVersion, by, vectorOf(u.Title, titleVector), vectorOf(u.Body, bodyVector)))
	if err == nil {
		return doc, nil
	}
	if !errors.Is(err, pgx.ErrNoRows) {
		return nil, err
	}
	var version int64
	err = q.QueryRow(ctx, `SELECT version FROM documents WHERE id = $1`, id).Scan(&version)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, docs.DocumentNotFound(id)
	}
	if err != nil {
		return nil, err
	}
	return nil, docs.Errorf(docs.PreconditionFailed,
		"document %d is at version %d, not %d: someone else changed it; fetch it again and reapply your edit", id, version, ifVersion)
}

// DeleteDocument deletes the document with id, or returns NotFound. The
// same statement leaves its row in deleted_documents for RestoreDocument;
// its revisions stay.
func (d *DB) DeleteDocument(ctx context.Context, id int64) error {
	tag, err := d.pool.Exec(ctx,
		`WITH d AS (DELETE FROM documents WHERE id = $1 RETURNING id, author_id, created_at, version)
		 INSERT INTO deleted_documents (id, author_id, created_at, version)
		 SELECT id, author_id, created_at, version FROM d`, id)
	if err != nil {
		return d.wrap(fmt.Sprintf("delete document %d", id), err)
	}
	if tag.RowsAffected() == 0 {
		return docs.DocumentNotFound(id)
	}
	return nil
}

// ImportDocuments inserts many documents quickly, indexed for search: batches of inserts sent
// in one round trip each, committed every 10,000 rows. It sets each
// document's ID and Version. It is for seeding and benchmarks; the API
// creates documents one by one.
//
// Each insert is a statement of its own and takes its shard's epoch row
// (migration 00011), so a batch takes every shard's, in shard order,
// before the first: two imports, or an import and a statement that
// changes documents in several shards (a reassignment), then wait for
// each other instead of taking the shards in opposite orders.
func (d *DB) ImportDocuments(ctx context.Context, list []*docs.Document) error {
	const batch = 10000
	for start := 0; start < len(list); start += batch {
		chunk := list[start:min(start+batch, len(list))]
		err := d.inTx(ctx, "import documents", func(tx pgx.Tx) error {
			var b pgx.Batch
			b.Queue(`SELECT FROM document_shard_epoch ORDER BY shard FOR UPDATE`)
			for _, doc := range chunk {
				b.Queue(`WITH d AS (
				   INSERT INTO documents (title, body, author_id, created_at, updated_at, version, search_title, search_body)
				   VALUES ($1, $2, $3, $4, $5, 1, $6::tsvector, $7::tsvector) RETURNING *),
				 r AS (`+addRevisionSQL+`, $3::bigint, u.username, d.updated_at FROM d JOIN users u ON u.id = d.author_id)
				 SELECT id FROM d`,
					doc.Title, doc.Body, doc.Author.ID, sqlstore.Micros(doc.CreatedAt), sqlstore.Micros(doc.UpdatedAt),
					titleVector(doc.Title), bodyVector(doc.Body)).QueryRow(func(r pgx.Row) error {
					doc.Version = 1
					return r.Scan(&doc.ID)
				})
			}
			return tx.SendBatch(ctx, &b).Close()
		})
		if err != nil {
			return err
		}
	}
	return nil
}
