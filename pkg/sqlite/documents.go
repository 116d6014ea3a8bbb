package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/docsd/docs/pkg/docs"
	"github.com/docsd/docs/pkg/internal/sqlstore"
)

// CreateDocument inserts doc and sets its ID, Version and author name,
// with its first revision, made by its author, and indexes it for search.
// An author who no longer exists is Unauthorized (docs.AuthorRemoved).
func (d *DB) CreateDocument(ctx context.Context, doc *docs.Document) error {
	doc.Version = 1
	return d.inTx(ctx, "create document", func(tx writeTx) error {
		err := tx.QueryRowContext(ctx,
			`INSERT INTO documents (title, body, author_id, created_at, updated_at, version)
			 VALUES (?, ?, ?, ?, ?, 1)
			 RETURNING id, (SELECT username FROM users WHERE id = author_id)`,
			doc.Title, doc.Body, doc.Author.ID, sqlstore.Micros(doc.CreatedAt), sqlstore.Micros(doc.UpdatedAt),
		).Scan(&doc.ID, &doc.Author.Username)
		if isForeignKeyViolation(err) {
			return docs.AuthorRemoved(doc.Author.ID)
		}
		if err != nil {
			return fmt.Errorf("create document: %w", err)
		}
		if err := addRevision(ctx, tx, doc.ID, doc.Author.ID); err != nil {
			return err
		}
		return index(ctx, tx, doc.ID, doc.Title, doc.Body, true)
	})
}

// DocumentByID returns the document with id, or a NotFound error.
func (d *DB) DocumentByID(ctx context.Context, id int64) (*docs.Document, error) {
	doc, _, err := documentWithEpoch(ctx, d.q, id)
	return doc, err
}

// DocumentWithEpoch returns the document with id and the epoch of its
// shard, read in one statement, so the document is exactly what the
// shard's epoch names; or a NotFound error.
func (d *DB) DocumentWithEpoch(ctx context.Context, id int64) (*docs.Document, int64, error) {
	return documentWithEpoch(ctx, d.q, id)
}

type queryRower interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func documentWithEpoch(ctx context.Context, q queryRower, id int64) (*docs.Document, int64, error) {
	var (
		doc              docs.Document
		created, updated int64
		epoch            int64
	)
	err := q.QueryRowContext(ctx,
		`SELECT d.id, d.title, d.body, d.author_id, u.username, d.created_at, d.updated_at, d.version,
		        (SELECT n FROM document_shard_epoch WHERE shard = ?)
		 FROM documents d JOIN users u ON u.id = d.author_id WHERE d.id = ?`, docs.ShardOf(id), id,
	).Scan(&doc.ID, &doc.Title, &doc.Body, &doc.Author.ID, &doc.Author.Username, &created, &updated, &doc.Version, &epoch)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, 0, docs.DocumentNotFound(id)
	}
	if err != nil {
		return nil, 0, fmt.Errorf("load document %d: %w", id, err)
	}
	doc.CreatedAt, doc.UpdatedAt = sqlstore.FromMicros(created), sqlstore.FromMicros(updated)
	return &doc, epoch, nil
}

// ListDocuments returns up to p.Limit documents with id > p.After, in id
// order, without bodies, only p.Author's when it is set. The primary key,
// or the (author_id, id) index, makes every page an index range scan,
// however deep.
func (d *DB) ListDocuments(ctx context.Context, p docs.Page) ([]*docs.Document, error) {
	query := `SELECT d.id, d.title, d.author_id, u.username, d.created_at, d.updated_at, d.version
		 FROM documents d JOIN users u ON u.id = d.author_id
		 WHERE d.id > ? ORDER BY d.id LIMIT ?`
	args := []any{p.After, p.Limit}
	if p.Author != "" {
		query = `SELECT d.id, d.title, d.author_id, u.username, d.created_at, d.updated_at, d.version
		 FROM users u JOIN documents d ON d.author_id = u.id
		 WHERE lower(u.username) = lower(?) AND d.id > ? ORDER BY d.id LIMIT ?`
		args = []any{p.Author, p.After, p.Limit}
	}
	rows, err := d.q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("list documents: %w", err)
	}
	defer rows.Close()
	out := make([]*docs.Document, 0, p.Limit)
	for rows.Next() {
		var (
			doc              docs.Document
			created, updated int64
		)
		if err := rows.Scan(&doc.ID, &doc.Title, &doc.Author.ID, &doc.Author.Username, &created, &updated, &doc.Version); err != nil {
			return nil, fmt.Errorf("list documents: %w", err)
		}
		doc.CreatedAt, doc.UpdatedAt = sqlstore.FromMicros(created), sqlstore.FromMicros(updated)
		out = append(out, &doc)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list documents: %w", err)
	}
	return out, nil
}

// UpdateDocument applies u if the stored version is ifVersion (0: any),
// with its revision, made by the user by, and indexes the new text.
func (d *DB) UpdateDocument(ctx context.Context, id int64, u docs.DocumentUpdate, ifVersion, by int64, now time.Time) (*docs.Document, error) {
	var doc *docs.Document
	err := d.inTx(ctx, fmt.Sprintf("update document %d", id), func(tx writeTx) (err error) {
		doc, err = update(ctx, tx, id, u, ifVersion, by, now)
		return err
	})
	if err != nil {
		return nil, err
	}
	return doc, nil
}

// update is UpdateDocument in tx. The version check and the write are one
// statement, so two writers racing on the same version cannot both
// succeed, and the revision and the index are written only when the write
// was.
func update(ctx context.Context, tx writeTx, id int64, u docs.DocumentUpdate, ifVersion, by int64, now time.Time) (*docs.Document, error) {
	res, err := tx.ExecContext(ctx,
		`UPDATE documents SET
		   title = COALESCE(?, title),
		   body = COALESCE(?, body),
		   updated_at = ?,
		   version = version + 1
		 WHERE id = ? AND (? = 0 OR version = ?)`,
		u.Title, u.Body, sqlstore.Micros(now), id, ifVersion, ifVersion)
	if err != nil {
		return nil, fmt.Errorf("update document %d: %w", id, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return nil, fmt.Errorf("update document %d: %w", id, err)
	}
	doc, _, err := documentWithEpoch(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	if n == 0 {
		return nil, docs.Errorf(docs.PreconditionFailed,
			"document %d is at version %d, not %d: someone else changed it; fetch it again and reapply your edit", id, doc.Version, ifVersion)
	}
	if err := addRevision(ctx, tx, id, by); err != nil {
		return nil, err
	}
	if err := index(ctx, tx, id, doc.Title, doc.Body, u.Title != nil); err != nil {
		return nil, err
	}
	return doc, nil
}

// DeleteDocument deletes the document with id, or returns NotFound. It
// leaves a row in deleted_documents for RestoreDocument; its revisions
// stay.
func (d *DB) DeleteDocument(ctx context.Context, id int64) error {
	return d.inTx(ctx, fmt.Sprintf("delete document %d", id), func(tx writeTx) error {
		res, err := tx.ExecContext(ctx,
			`INSERT INTO deleted_documents (id, author_id, created_at, version)
			 SELECT id, author_id, created_at, version FROM documents WHERE id = ?`, id)
		if err != nil {
			return fmt.Errorf("delete document %d: %w", id, err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return fmt.Errorf("delete document %d: %w", id, err)
		} else if n == 0 {
			return docs.DocumentNotFound(id)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM documents WHERE id = ?`, id); err != nil {
			return fmt.Errorf("delete document %d: %w", id, err)
		}
		return nil
	})
}

// ImportDocuments inserts many documents quickly, with their revisions
// and indexed for search: committed every 10,000 rows. It sets each document's ID and Version.
// It is for seeding and benchmarks; the API creates documents one by one.
func (d *DB) ImportDocuments(ctx context.Context, list []*docs.Document) error {
	const batch = 10000
	for start := 0; start < len(list); start += batch {
		if err := d.importBatch(ctx, list[start:min(start+batch, len(list))]); err != nil {
			return err
		}
	}
	return nil
}

func (d *DB) importBatch(ctx context.Context, list []*docs.Document) error {
	return d.inTx(ctx, "import documents", func(tx writeTx) error {
		for _, doc := range list {
			err := tx.QueryRowContext(ctx,
				`INSERT INTO documents (title, body, author_id, created_at, updated_at, version) VALUES (?, ?, ?, ?, ?, 1) RETURNING id`,
				doc.Title, doc.Body, doc.Author.ID, sqlstore.Micros(doc.CreatedAt), sqlstore.Micros(doc.UpdatedAt)).Scan(&doc.ID)
			if err != nil {
				return fmt.Errorf("import documents: %w", err)
			}
			if err := addRevision(ctx, tx, doc.ID, doc.Author.ID); err != nil {
				return err
			}
			if err := index(ctx, tx, doc.ID, doc.Title, doc.Body, true); err != nil {
				return err
			}
			doc.Version = 1
		}
		return nil
	})
}
