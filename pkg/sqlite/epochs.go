package sqlite

import (
	"context"
	"fmt"

	"github.com/docsd/docs/pkg/docs"
	"github.com/docsd/docs/pkg/internal/sqlstore"
)

// Epochs returns the values that triggers change (migrations 00003, 00006,
// 00007 and 00008) in one statement: see docs.Epochs. The caches in pkg/cache
// compare them on every request. The document epoch is a row of its own:
// SQLite takes one write at a time anyway, so setting it costs a write no
// wait, and the read is one row.
func (d *DB) Epochs(ctx context.Context) (docs.Epochs, error) {
	e, err := sqlstore.ScanEpochs(d.q.QueryRowContext(ctx, `SELECT a.n, d.n FROM auth_epoch a, document_epoch d`))
	if err != nil {
		return docs.Epochs{}, fmt.Errorf("read epochs: %w", err)
	}
	return e, nil
}

// ShardEpochs returns the document epoch and that of every shard
// (migration 00006) in one statement.
func (d *DB) ShardEpochs(ctx context.Context) (docs.ShardEpochs, error) {
	var out docs.ShardEpochs
	rows, err := d.q.QueryContext(ctx, `SELECT d.n, s.shard, s.n FROM document_epoch d, document_shard_epoch s`)
	if err != nil {
		return out, fmt.Errorf("read shard epochs: %w", err)
	}
	defer rows.Close()
	count := 0
	for rows.Next() {
		var shard, n int64
		if err := rows.Scan(&out.Documents, &shard, &n); err != nil {
			return out, fmt.Errorf("read shard epochs: %w", err)
		}
		k, err := sqlstore.Shard(shard)
		if err != nil {
			return out, fmt.Errorf("read shard epochs: %w", err)
		}
		out.Shards[k] = n
		count++
	}
	if err := rows.Err(); err != nil {
		return out, fmt.Errorf("read shard epochs: %w", err)
	}
	if err := sqlstore.ShardCount(count); err != nil {
		return out, fmt.Errorf("read shard epochs: %w", err)
	}
	return out, nil
}
