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

// addRevisionSQL begins the INSERT that stores the revision of a version
// a statement has just made, as a CTE "d" returns it with its author
// joined as "u": the statement appends who made it, when, and its FROM.
const addRevisionSQL = `INSERT INTO revisions (document_id, version, title, body, author_id, author_name, by_id, by_name, created_at)
	SELECT d.id, d.version, d.title, d.body, d.author_id, u.username`

const revisionColumns = `document_id, version, title, author_id, author_name, by_id, by_name, created_at`

// Revisions returns up to p.Limit revisions of the document with id,
// newest first, older than version p.After when it is set, without
// bodies: a range scan of the primary key (document_id, version).
func (d *DB) Revisions(ctx context.Context, id int64, p docs.Page) ([]*docs.Revision, error) {
	rows, err := d.pool.Query(ctx,
		`SELECT `+revisionColumns+` FROM revisions
		 WHERE document_id = $1 AND ($2::bigint = 0 OR version < $2::bigint)
		 ORDER BY version DESC LIMIT $3`, id, p.After, p.Limit)
	if err != nil {
		return nil, d.wrap(fmt.Sprintf("list revisions of document %d", id), err)
	}
	out := make([]*docs.Revision, 0, p.Limit)
	var (
		r       docs.Revision
		created int64
	)
	_, err = pgx.ForEachRow(rows, []any{&r.DocumentID, &r.Version, &r.Title, &r.Author.ID, &r.Author.Username, &r.By.ID, &r.By.Username, &created}, func() error {
		r.CreatedAt = sqlstore.FromMicros(created)
		c := r
		out = append(out, &c)
		return nil
	})
	if err != nil {
		return nil, d.wrap(fmt.Sprintf("list revisions of document %d", id), err)
	}
	return out, nil
}

// Revision returns one revision with its body, or NotFound.
func (d *DB) Revision(ctx context.Context, id, version int64) (*docs.Revision, error) {
	r, err := revision(ctx, d.pool, id, version)
	if err != nil && docs.KindOf(err) == docs.Internal {
		return nil, d.wrap(fmt.Sprintf("load revision %d of document %d", version, id), err)
	}
	return r, err
}

func revision(ctx context.Context, q querier, id, version int64) (*docs.Revision, error) {
	var (
		r       docs.Revision
		created int64
	)
	err := q.QueryRow(ctx,
		`SELECT document_id, version, title, body, author_id, author_name, by_id, by_name, created_at
		 FROM revisions WHERE document_id = $1 AND version = $2`, id, version,
	).Scan(&r.DocumentID, &r.Version, &r.Title, &r.Body, &r.Author.ID, &r.Author.Username, &r.By.ID, &r.By.Username, &created)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, docs.RevisionNotFound(id, version)
	}
	if err != nil {
		return nil, err
	}
	r.CreatedAt = sqlstore.FromMicros(created)
	return &r, nil
}

// RevertDocument makes version's title and body the next version of the
// document, under the same version check as UpdateDocument, in one
// transaction with its revision.
func (d *DB) RevertDocument(ctx context.Context, id, version, ifVersion, by int64, now time.Time) (*docs.Document, error) {
	var doc *docs.Document
	err := d.inTx(ctx, fmt.Sprintf("revert document %d", id), func(tx pgx.Tx) error {
		var exists bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM documents WHERE id = $1)`, id).Scan(&exists); err != nil {
			return err
		}
		if !exists {
			return docs.DocumentNotFound(id)
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
	doc, err := deletedDocument(ctx, d.pool, id)
	if err != nil && docs.KindOf(err) == docs.Internal {
		return nil, d.wrap(fmt.Sprintf("load deleted document %d", id), err)
	}
	return doc, err
}

func deletedDocument(ctx context.Context, q querier, id int64) (*docs.Document, error) {
	doc, err := scanDocument(q.QueryRow(ctx,
		`SELECT x.id, r.title, r.body, x.author_id, COALESCE(u.username, r.author_name), x.created_at, r.created_at, x.version
		 FROM deleted_documents x
		 JOIN revisions r ON r.document_id = x.id AND r.version = x.version
		 LEFT JOIN users u ON u.id = x.author_id
		 WHERE x.id = $1`, id))
	if !errors.Is(err, pgx.ErrNoRows) {
		return doc, err
	}
	var exists bool
	if err := q.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM documents WHERE id = $1)`, id).Scan(&exists); err != nil {
		return nil, err
	}
	if exists {
		return nil, docs.NotDeleted(id)
	}
	return nil, docs.DocumentNotFound(id)
}

// RestoreDocument puts the deleted document with id back under its id, as
// the version after the one it was deleted at, with that version's title
// and body, and its revision by the user by, indexed for search again
// (its vectors left with its row). FOR UPDATE on the row in
// deleted_documents makes a second restore wait, then find it gone.
func (d *DB) RestoreDocument(ctx context.Context, id, by int64, now time.Time) (*docs.Document, error) {
	var doc *docs.Document
	err := d.inTx(ctx, fmt.Sprintf("restore document %d", id), func(tx pgx.Tx) error {
		var locked int64
		err := tx.QueryRow(ctx, `SELECT id FROM deleted_documents WHERE id = $1 FOR UPDATE`, id).Scan(&locked)
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		old, err := deletedDocument(ctx, tx, id)
		if err != nil {
			return err
		}
		doc, err = scanDocument(tx.QueryRow(ctx,
			`WITH d AS (
			   INSERT INTO documents (id, title, body, author_id, created_at, updated_at, version, search_title, search_body)
			   OVERRIDING SYSTEM VALUE
			   VALUES ($1, $2, $3, $4, $5, $6, $7, $9::tsvector, $10::tsvector)
			   RETURNING *),
			 r AS (`+addRevisionSQL+`, $8::bigint, COALESCE((SELECT username FROM users WHERE id = $8), ''), d.updated_at
			   FROM d JOIN users u ON u.id = d.author_id),
			 x AS (DELETE FROM deleted_documents WHERE id = $1)
			 SELECT `+documentColumns+` FROM d JOIN users u ON u.id = d.author_id`,
			id, old.Title, old.Body, old.Author.ID, sqlstore.Micros(old.CreatedAt), sqlstore.Micros(now), old.Version+1, by,
			titleVector(old.Title), bodyVector(old.Body)))
		if sqlState(err) == foreignKeyViolation {
			return docs.Errorf(docs.Conflict, "document %d cannot be restored: its author, user %d, was removed without handing it on", id, old.Author.ID)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return doc, nil
}

// pruneBatch is how many documents one transaction of PruneRevisions
// prunes, so that no transaction holds many locks for long.
const pruneBatch = 500

// PruneRevisions deletes every revision older than its document's newest
// keep. It finds each document's newest version beyond them, then deletes
// that and what is older in short transactions: new revisions only ever
// come with higher versions, so what it deletes is still beyond the
// newest keep when it does.
func (d *DB) PruneRevisions(ctx context.Context, keep int) (int64, error) {
	if keep <= 0 {
		return 0, fmt.Errorf("prune revisions: keep %d; want at least 1", keep)
	}
	rows, err := d.pool.Query(ctx,
		`SELECT document_id, version FROM (
		   SELECT document_id, version, row_number() OVER (PARTITION BY document_id ORDER BY version DESC) AS n
		   FROM revisions) v
		 WHERE n = $1`, keep+1)
	if err != nil {
		return 0, d.wrap("prune revisions", err)
	}
	var ids, lasts []int64
	var id, last int64
	_, err = pgx.ForEachRow(rows, []any{&id, &last}, func() error {
		ids, lasts = append(ids, id), append(lasts, last)
		return nil
	})
	if err != nil {
		return 0, d.wrap("prune revisions", err)
	}
	var pruned int64
	for start := 0; start < len(ids); start += pruneBatch {
		end := min(start+pruneBatch, len(ids))
		tag, err := d.pool.Exec(ctx,
			`DELETE FROM revisions r USING unnest($1::bigint[], $2::bigint[]) AS c(id, last)
			 WHERE r.document_id = c.id AND r.version <= c.last`, ids[start:end], lasts[start:end])
		if err != nil {
			return pruned, d.wrap("prune revisions", err)
		}
		pruned += tag.RowsAffected()
	}
	return pruned, nil
}
