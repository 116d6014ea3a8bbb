package postgres

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/docsd/docs/pkg/docs"
	"github.com/docsd/docs/pkg/postgres/pgtest"
)

// TestDeadlineKeepsThePool: a statement that runs out of time says nothing
// about the other pooled connections, which are as good as they were. Only
// errors that mean a connection is broken drop the pool; a deadline that
// did so would make every slow statement cost every request a new
// connection.
func TestDeadlineKeepsThePool(t *testing.T) {
	ctx := context.Background()
	url := pgtest.URL(t)
	d, err := Open(ctx, url, Config{MaxConns: 4})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if _, err := d.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	// Several connections in the pool: four statements at once.
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			if _, err := d.pool.Exec(ctx, `SELECT pg_sleep(0.3)`); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	idle := d.pool.Stat().IdleConns()
	if idle < 2 {
		t.Fatalf("%d idle connections after four statements at once; want at least 2", idle)
	}

	// Another session holds the epochs' row: reading it runs out of time.
	other, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close(ctx)
	tx, err := other.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(ctx, `LOCK TABLE auth_epoch IN ACCESS EXCLUSIVE MODE`); err != nil {
		t.Fatal(err)
	}
	short, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
	defer cancel()
	_, err = d.Epochs(short)
	if docs.KindOf(err) != docs.Unavailable {
		t.Fatalf("Epochs with its table locked past its deadline = %v (kind %v); want kind Unavailable", err, docs.KindOf(err))
	}
	if err := tx.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	// pgx closes the connection whose statement it cancelled; the others
	// stay.
	if n := d.pool.Stat().IdleConns(); n < idle-1 {
		t.Errorf("%d idle connections after one statement ran out of time; want the other %d kept", n, idle-1)
	}
}
