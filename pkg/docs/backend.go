package docs

import (
	"context"
	"time"
)

// Epochs are the values a process compares on every request to know
// whether what it keeps in memory may still be served. The database
// changes each in the same transaction as the changes it covers, whoever
// makes them, to a random value that never comes back: a value names one
// state of what it covers, in whatever history the database took. A
// restore, a point-in-time recovery or a failover to a standby that was
// behind takes the database back to an older value, and new traffic from
// there makes new values, never one that a process saw in the history
// that was lost. So a cache compares them only for equality, and a cache
// that compares them stays true across processes and across restores.
// They are read together, in one statement, so that adding one never
// costs a request another round trip.
type Epochs struct {
	// Auth changes with every session or token created or deleted and
	// every change to a user's name, role or password, and when a user is
	// removed.
	Auth int64
	// Documents changes with every document inserted, updated (its author
	// reassigned included) or deleted, and every change to a user's name,
	// which documents show as their author's. With it changes the epoch of
	// each shard the change touched (ShardEpochs). A store may keep it in
	// a row of its own, which every document write then sets, or derive
	// it from the shard epochs so that writes to different shards never
	// wait for one row (PostgreSQL); either way it changes whenever a
	// shard's does, and names one state.
	Documents int64
}

// DocumentShards is how many shards the document epoch is split into: a
// document's shard is its id modulo DocumentShards.
const DocumentShards = 64

// ShardOf returns the shard of the document with id.
func ShardOf(id int64) int {
	k := id % DocumentShards
	if k < 0 {
		k += DocumentShards
	}
	return int(k)
}

// ShardEpochs are the document epoch and that of each shard, read in one
// statement. Shard k's epoch changes, in the same transaction as
// Epochs.Documents, with every change to a document whose id is k modulo
// DocumentShards, and every shard's with a change to a user's name. A
// cache that sees Documents change reads them and forgets only the shards
// that changed, so that a write costs the readers of other documents
// nothing.
type ShardEpochs struct {
	Documents int64
	Shards    [DocumentShards]int64
}

// Migration is one schema migration and whether it has been applied.
type Migration struct {
	Version   int64
	Name      string
	Applied   bool
	AppliedAt time.Time
}

// Backend is one storage engine behind docsd (SQLite, PostgreSQL): every
// store, the epochs, settings, the schema and Close. pkg/docsdcmd and the test
// harness open one and hand it to everything else.
type Backend interface {
	UserStore
	DocumentStore
	RevisionStore
	SessionStore
	TokenStore
	LoginFailureStore
	// Epochs reads every epoch in one statement.
	Epochs(ctx context.Context) (Epochs, error)
	// Writable returns nil when the database takes writes now, else a
	// ReadOnly error (a standby, a primary being demoted), or an
	// Unavailable one when it cannot be asked.
	Writable(ctx context.Context) error
	// ShardEpochs reads the document epoch and that of every shard in one
	// statement.
	ShardEpochs(ctx context.Context) (ShardEpochs, error)
	// SessionUserWithEpoch is SessionUser and the auth epoch, read in one
	// statement: the answer is exactly what that epoch names.
	SessionUserWithEpoch(ctx context.Context, id string) (*Session, *User, int64, error)
	// DocumentWithEpoch is DocumentByID and the epoch of the document's
	// shard, read in one statement: the answer is exactly what that epoch
	// names.
	DocumentWithEpoch(ctx context.Context, id int64) (*Document, int64, error)
	// Setting returns the value stored under key, creating it with
	// create() when absent. Concurrent callers, in one process or several
	// sharing the database, all get the value that was stored first.
	Setting(ctx context.Context, key string, create func() (string, error)) (string, error)
	// ImportDocuments inserts many documents quickly, for seeding and
	// benchmarks, setting each one's ID and Version.
	ImportDocuments(ctx context.Context, list []*Document) error
	// Migrate applies every pending migration and returns those it applied.
	Migrate(ctx context.Context) ([]Migration, error)
	// Migrations returns every known migration and whether it is applied.
	Migrations(ctx context.Context) ([]Migration, error)
	Close() error
}
