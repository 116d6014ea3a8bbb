package docs

import (
	"context"
	"time"
)

// Epochs are the counters a process compares on every request to know
// whether what it keeps in memory may still be served. The database moves
// each in the same transaction as the changes it covers, whoever makes
// them, so a cache that compares them stays true across processes. They
// are read together, in one statement, so that adding a counter never
// costs a request another round trip.
type Epochs struct {
	// Auth moves with every session deletion and every change to a user's
	// name, role or password, and when a user is removed.
	Auth int64
	// Documents moves with every document inserted, updated (its author
	// reassigned included) or deleted, and every change to a user's name,
	// which documents show as their author's. With it moves the counter of
	// each shard the change touched (ShardEpochs).
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

// ShardEpochs are the document epoch of each shard: shard k's counter
// moves, in the same transaction as Epochs.Documents, with every change
// to a document whose id is k modulo DocumentShards, and every shard's
// with a change to a user's name. A cache that sees Documents move reads
// them and forgets only the shards that changed, so that a write costs the
// readers of other documents nothing.
type ShardEpochs [DocumentShards]int64

// Migration is one schema migration and whether it has been applied.
type Migration struct {
	Version   int64
	Name      string
	Applied   bool
	AppliedAt time.Time
}

// Backend is one storage engine behind docsd (SQLite, PostgreSQL): every
// store, the epochs, settings, the schema and Close. cmd/docsd and the test
// harness open one and hand it to everything else.
type Backend interface {
	UserStore
	DocumentStore
	SessionStore
	LoginFailureStore
	// Epochs reads every epoch in one statement.
	Epochs(ctx context.Context) (Epochs, error)
	// Writable returns nil when the database takes writes now, else a
	// ReadOnly error (a standby, a primary being demoted), or an
	// Unavailable one when it cannot be asked.
	Writable(ctx context.Context) error
	// ShardEpochs reads the document epoch of every shard in one statement.
	ShardEpochs(ctx context.Context) (ShardEpochs, error)
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
