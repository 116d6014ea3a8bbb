package postgres

import (
	"context"

	"github.com/docsd/docs/pkg/docs"
	"github.com/docsd/docs/pkg/internal/sqlstore"
)

// documentEpoch is the document epoch: the XOR of every shard's epoch
// (migration 00011). A document write sets only its shards' epochs, so
// that writes to different shards never wait for one row; each shard
// epoch is a random value new at every change, so their XOR changes with
// any of them and never comes back, and it names one state of the
// documents as docs.Epochs requires. It reads 64 rows where a row of its
// own would be one: a few microseconds of PostgreSQL's CPU a read.
const documentEpoch = `SELECT bit_xor(n) FROM document_shard_epoch`

// Epochs returns the values that triggers change (migrations 00003, 00007,
// 00008 and 00011) in one statement, one round trip: see docs.Epochs. The
// caches in pkg/cache compare them on every request.
func (d *DB) Epochs(ctx context.Context) (docs.Epochs, error) {
	e, err := sqlstore.ScanEpochs(d.pool.QueryRow(ctx, `SELECT a.n, (`+documentEpoch+`) FROM auth_epoch a`))
	if err != nil {
		return docs.Epochs{}, d.wrap("read epochs", err)
	}
	return e, nil
}

// ShardEpochs returns the document epoch and that of every shard
// (migrations 00006 and 00011) in one statement: the document epoch as
// Epochs reads it, from the same rows.
func (d *DB) ShardEpochs(ctx context.Context) (docs.ShardEpochs, error) {
	var out docs.ShardEpochs
	var shards []int64
	err := d.pool.QueryRow(ctx,
		`SELECT bit_xor(n), array_agg(n ORDER BY shard) FROM document_shard_epoch`,
	).Scan(&out.Documents, &shards)
	if err != nil {
		return out, d.wrap("read shard epochs", err)
	}
	if err := sqlstore.ShardCount(len(shards)); err != nil {
		return out, d.wrap("read shard epochs", err)
	}
	copy(out.Shards[:], shards)
	return out, nil
}
