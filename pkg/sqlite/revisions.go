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

// addRevisionSQL copies the document with id (the last argument) as it
// is now into its revision made by the user with id by (the first two
// arguments; 0 for no user, whose name is empty).
const addRevisionSQL = `INSERT INTO revisions (document_id, version, title, body, author_id, author_name, by_id, by_name, created_at)
	SELECT d.id, d.version, d.title, d.body, d.author_id, a.username, ?, COALESCE((SELECT username FROM users WHERE id = ?), ''), d.updated_at
	FROM documents d JOIN users a ON a.id = d.author_id WHERE d.id = ?`

// addRevision stores the revision of the document's current version, made
// by the user by, in the transaction that made the version.
func addRevision(ctx context.Context, tx writeTx, id, by int64) error {
	if _, err := tx.ExecContext(ctx, addRevisionSQL, by, by, id); err != nil {
		return fmt.Errorf("store revision of document %d: %w", id, err)
	}
	return nil
}

// Revisions returns up to p.Limit revisions of the document with id,
// newest first, older than version p.After when it is set, without
// bodies. The primary key (document_id, version) makes it a range scan.
func (d *DB) Revisions(ctx context.Context, id int64, p docs.Page) ([]*docs.Revision, error) {
	rows, err := d.q.QueryContext(ctx,
		`SELECT document_id, version, title, author_id, author_name, by_id, by_name, created_at
		 FROM revisions WHERE document_id = ? AND (? = 0 OR version < ?)
		 ORDER BY version DESC LIMIT ?`, id, p.After, p.After, p.Limit)
	if err != nil {
		return nil, fmt.Errorf("list revisions of document %d: %w", id, err)
	}
	defer rows.Close()
	out := make([]*docs.Revision, 0, p.Limit)
	for rows.Next() {
		var (
			r       docs.Revision
			created int64
		)
		if err := rows.Scan(&r.DocumentID, &r.Version, &r.Title, &r.Author.ID, &r.Author.Username, &r.By.ID, &r.By.Username, &created); err != nil {
			return nil, fmt.Errorf("list revisions of document %d: %w", id, err)
		}
		r.CreatedAt = sqlstore.FromMicros(created)
		out = append(out, &r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list revisions of document %d: %w", id, err)
	}
	return out, nil
}

// Revision returns one revision with its body, or NotFound.
func (d *DB) Revision(ctx context.Context, id, version int64) (*docs.Revision, error) {
	return revision(ctx, d.q, id, version)
}

func revision(ctx context.Context, q queryRower, id, version int64) (*docs.Revision, error) {
	var (
		r       docs.Revision
		created int64
	)
	err := q.QueryRowContext(ctx,
		`SELECT document_id, version, title, body, author_id, author_name, by_id, by_name, created_at
		 FROM revisions WHERE document_id = ? AND version = ?`, id, version,
	).Scan(&r.DocumentID, &r.Version, &r.Title, &r.Body, &r.Author.ID, &r.Author.Username, &r.By.ID, &r.By.Username, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, docs.RevisionNotFound(id, version)
	}
	if err != nil {
		return nil, fmt.Errorf("load revision %d of document %d: %w", version, id, err)
	}
	r.CreatedAt = sqlstore.FromMicros(created)
	return &r, nil
}

// RevertDocument makes version's title and body the next version of the
// document, under the same version check as UpdateDocument, in one
// transaction with its revision.
func (d *DB) RevertDocument(ctx context.Context, id, version, ifVersion, by int64, now time.Time) (*docs.Document, error) {
	var doc *docs.Document
	err := d.inTx(ctx, fmt.Sprintf("revert document %d", id), func(tx writeTx) error {
		if _, _, err := documentWithEpoch(ctx, tx, id); err != nil {
			return err
		}
		r, err := revision(ctx, tx, id, version)
		if docs.IsNotFound(err) {
			return docs.FieldErrorf("version", "document %d has no version %d: see its revisions for those it keeps", id, version)
		}
		if err != nil {
			return err
		}
		doc, err = update(ctx, tx, id, docs.DocumentUpdate{Title: &r.Title, Body: &r.Body}, ifVersion, by, now)
		return err
	})
	if err != nil {
		return nil, err
	}
	return doc, nil
}

// DeletedDocument returns the deleted document with id as its last
// revision shows it, with its author as deleted_documents has them.
func (d *DB) DeletedDocument(ctx context.Context, id int64) (*docs.Document, error) {
	return deletedDocument(ctx, d.q, id)
}

func deletedDocument(ctx context.Context, q queryRower, id int64) (*docs.Document, error) {
	var (
		doc              docs.Document
		created, updated int64
	)
	err := q.QueryRowContext(ctx,
		`SELECT x.id, r.title, r.body, x.author_id, COALESCE(u.username, r.author_name), x.created_at, r.created_at, x.version
		 FROM deleted_documents x
		 JOIN revisions r ON r.document_id = x.id AND r.version = x.version
		 LEFT JOIN users u ON u.id = x.author_id
		 WHERE x.id = ?`, id,
	).Scan(&doc.ID, &doc.Title, &doc.Body, &doc.Author.ID, &doc.Author.Username, &created, &updated, &doc.Version)
	if errors.Is(err, sql.ErrNoRows) {
		if _, _, err := documentWithEpoch(ctx, q, id); err != nil {
			return nil, err
		}
		return nil, docs.NotDeleted(id)
	}
	if err != nil {
		return nil, fmt.Errorf("load deleted document %d: %w", id, err)
	}
	doc.CreatedAt, doc.UpdatedAt = sqlstore.FromMicros(created), sqlstore.FromMicros(updated)
	return &doc, nil
}

// RestoreDocument puts the deleted document with id back under its id, as
// the version after the one it was deleted at, with that version's title
// and body, and its revision by the user by, indexed for search again.
func (d *DB) RestoreDocument(ctx context.Context, id, by int64, now time.Time) (*docs.Document, error) {
	var doc *docs.Document
	err := d.inTx(ctx, fmt.Sprintf("restore document %d", id), func(tx writeTx) error {
		old, err := deletedDocument(ctx, tx, id)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx,
			`INSERT INTO documents (id, title, body, author_id, created_at, updated_at, version)
			 VALUES (?, ?, ?, ?, ?, ?, ?)`,
			id, old.Title, old.Body, old.Author.ID, sqlstore.Micros(old.CreatedAt), sqlstore.Micros(now), old.Version+1)
		if isForeignKeyViolation(err) {
			return docs.Errorf(docs.Conflict, "document %d cannot be restored: its author, user %d, was removed without handing it on", id, old.Author.ID)
		}
		if err != nil {
			return fmt.Errorf("restore document %d: %w", id, err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM deleted_documents WHERE id = ?`, id); err != nil {
			return fmt.Errorf("restore document %d: %w", id, err)
		}
		if err := addRevision(ctx, tx, id, by); err != nil {
			return err
		}
		// Its rows in the search tables went with it (migration 00010).
		if err := index(ctx, tx, id, old.Title, old.Body, true); err != nil {
			return err
		}
		doc, _, err = documentWithEpoch(ctx, tx, id)
		return err
	})
	if err != nil {
		return nil, err
	}
	return doc, nil
}

// pruneBatch is how many documents one transaction of PruneRevisions
// prunes, so that the write lock is never held for long.
const pruneBatch = 500

// PruneRevisions deletes every revision older than its document's newest
// keep. It finds, outside any write transaction, each document's oldest
// version to keep, then deletes what is older in short transactions: new
// revisions only ever come with higher versions, so what it deletes is
// still beyond the newest keep when it does.
func (d *DB) PruneRevisions(ctx context.Context, keep int) (int64, error) {
	if keep <= 0 {
		return 0, fmt.Errorf("prune revisions: keep %d; want at least 1", keep)
	}
	// Each document with more than keep revisions, and its newest
	// version beyond them.
	type cut struct{ id, last int64 }
	var cuts []cut
	rows, err := d.q.QueryContext(ctx,
		`SELECT document_id, version FROM (
		   SELECT document_id, version, row_number() OVER (PARTITION BY document_id ORDER BY version DESC) AS n
		   FROM revisions)
		 WHERE n = ?`, keep+1)
	if err != nil {
		return 0, fmt.Errorf("prune revisions: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var c cut
		if err := rows.Scan(&c.id, &c.last); err != nil {
			return 0, fmt.Errorf("prune revisions: %w", err)
		}
		cuts = append(cuts, c)
	}
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("prune revisions: %w", err)
	}
	var pruned int64
	for start := 0; start < len(cuts); start += pruneBatch {
		var batch int64
		err := d.inTx(ctx, "prune revisions", func(tx writeTx) error {
			for _, c := range cuts[start:min(start+pruneBatch, len(cuts))] {
				res, err := tx.ExecContext(ctx, `DELETE FROM revisions WHERE document_id = ? AND version <= ?`, c.id, c.last)
				if err != nil {
					return fmt.Errorf("prune revisions: %w", err)
				}
				n, err := res.RowsAffected()
				if err != nil {
					return fmt.Errorf("prune revisions: %w", err)
				}
				batch += n
			}
			return nil
		})
		if err != nil {
			return pruned, err
		}
		pruned += batch
	}
	return pruned, nil
}
