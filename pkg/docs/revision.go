package docs

import (
	"context"
	"time"
)

// Revision is one version of a document as it was committed: every change
// that makes a version (creation, an edit, the reassignment of its author,
// a revert, a restore) stores one in the same transaction, and none is
// ever changed afterwards. Names are those the users had at the time, so
// that a revision, once read, may be kept forever.
type Revision struct {
	DocumentID int64
	Version    int64
	Title      string
	// Body is empty in lists of revisions.
	Body string
	// Author is the document's author in this version.
	Author Author
	// By is the user who made the change. ID 0 (and an empty Username)
	// is a change no user made through the API: the reassignment of a
	// removed user's documents by `docsd user rm --reassign-to`, or the
	// version a document had when history began to be kept.
	By        Author
	CreatedAt time.Time
}

// RevisionStore keeps the history of documents. A deleted document keeps
// its history and can be restored under the same id.
type RevisionStore interface {
	// Revisions returns up to p.Limit revisions of the document with id,
	// newest first, without their bodies: those older than p.After when
	// it is set (p.After is a version). A deleted document still has its
	// history; one that never existed has none.
	Revisions(ctx context.Context, id int64, p Page) ([]*Revision, error)
	// Revision returns one revision with its body, or NotFound (for a
	// version pruned or never made too).
	Revision(ctx context.Context, id, version int64) (*Revision, error)
	// RevertDocument makes the title and body of version the document's
	// next version, by the user with id by, when the stored version is
	// ifVersion (0: any), as UpdateDocument does.
	RevertDocument(ctx context.Context, id, version, ifVersion, by int64, now time.Time) (*Document, error)
	// DeletedDocument returns a deleted document as it was when it was
	// deleted (its author as they are now), so that the rule for
	// restoring it can be checked: NotFound for a document that never
	// existed, Conflict for one that is not deleted.
	DeletedDocument(ctx context.Context, id int64) (*Document, error)
	// RestoreDocument brings a deleted document back under its id, as a
	// new version made by the user with id by, with the title and body it
	// had when it was deleted. Its author must still exist (Conflict).
	RestoreDocument(ctx context.Context, id, by int64, now time.Time) (*Document, error)
	// PruneRevisions deletes, for every document, the revisions older than
	// its newest keep (keep > 0), so the current version always stays,
	// and says how many went.
	PruneRevisions(ctx context.Context, keep int) (int64, error)
}

// RevisionNotFound is the error of a version a document does not keep.
func RevisionNotFound(id, version int64) *Error {
	return Errorf(NotFound, "document %d has no version %d", id, version)
}

// NotDeleted is the error of restoring a document that is there.
func NotDeleted(id int64) *Error {
	return Errorf(Conflict, "document %d is not deleted", id)
}
