package postgres

import (
	"context"

	"github.com/docsd/docs/pkg/docs"
	"github.com/docsd/docs/pkg/internal/sqlstore"
)

// Epochs returns the values that triggers change (migrations 00003, 00006,
// 00007 and 00008) in one statement, one round trip: see docs.Epochs. The
// caches in pkg/cache compare them on every request.
func (d *DB) Epochs(ctx context.Context) (docs.Epochs, error) {
	e, err := sqlstore.ScanEpochs(d.pool.QueryRow(ctx, sqlstore.EpochsQuery))
	if err != nil {
		return docs.Epochs{}, d.wrap("read epochs", err)
	}
	return e, nil
}

// ShardEpochs returns the document epoch and that of every shard
// (migration 00006) in one statement.
func (d *DB) ShardEpochs(ctx context.Context) (docs.ShardEpochs, error) {
	var out docs.ShardEpochs
	var shards []int64
	err := d.pool.QueryRow(ctx,
		`SELECT d.n, array(SELECT n FROM document_shard_epoch ORDER BY shard) FROM document_epoch d`,
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
