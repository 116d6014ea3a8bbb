package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// boundedPool is the connection pool with every statement bounded: Exec, Query
// and QueryRow wait at most timeout for a connection and the answer, as
// inTx does for a whole transaction. A server that stops answering
// without closing its connections (stopped, frozen, cut off by a network
// that drops packets) then fails a statement in seconds, as Unavailable
// (wrap), instead of holding the request that sent it for as long as the
// server stays silent. Every method of this package goes through it or
// inTx, so a new statement is bounded without a word; migrations, which
// may take long on a large database, take a connection with Acquire,
// which is not bounded.
type boundedPool struct {
	*pgxpool.Pool
	timeout time.Duration
}

func (p *boundedPool) bound(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, p.timeout)
}

func (p *boundedPool) Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	ctx, cancel := p.bound(ctx)
	defer cancel()
	return p.Pool.Exec(ctx, sql, args...)
}

// Query is bounded until the rows are closed, as pgx.ForEachRow and
// pgx.CollectRows do, or read to the end.
func (p *boundedPool) Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	ctx, cancel := p.bound(ctx)
	rows, err := p.Pool.Query(ctx, sql, args...)
	if err != nil {
		cancel()
		return nil, err
	}
	return &boundedRows{Rows: rows, cancel: cancel}, nil
}

// QueryRow is bounded until the row is scanned.
func (p *boundedPool) QueryRow(ctx context.Context, sql string, args ...any) pgx.Row {
	ctx, cancel := p.bound(ctx)
	return boundedRow{row: p.Pool.QueryRow(ctx, sql, args...), cancel: cancel}
}

type boundedRows struct {
	pgx.Rows
	cancel context.CancelFunc
}

func (r *boundedRows) Next() bool {
	if r.Rows.Next() {
		return true
	}
	r.cancel()
	return false
}

func (r *boundedRows) Close() {
	r.Rows.Close()
	r.cancel()
}

type boundedRow struct {
	row    pgx.Row
	cancel context.CancelFunc
}

func (r boundedRow) Scan(dest ...any) error {
	defer r.cancel()
	return r.row.Scan(dest...)
}
