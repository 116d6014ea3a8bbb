package sqlite

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/docsd/docs/pkg/docs"
)

// TestInTx holds the one transaction helper to its promise: all of fn's
// writes or none of them.
func TestInTx(t *testing.T) {
	ctx := context.Background()
	db := mustOpenMigrated(t, filepath.Join(t.TempDir(), "docs.db"))
	write := func(key string) func(writeTx) error {
		return func(tx writeTx) error {
			_, err := tx.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES (?, 'v')`, key)
			return err
		}
	}
	stored := func(key string) bool {
		var n int
		if err := db.db.QueryRowContext(ctx, `SELECT count(*) FROM settings WHERE key = ?`, key).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n == 1
	}
	// holding starts a write that holds the writer's turn, running fn
	// once release (which may be called again) lets it go; done gives its
	// error.
	holding := func(fn func(writeTx) error) (release func(), done <-chan error) {
		let, held, result := make(chan struct{}), make(chan struct{}), make(chan error, 1)
		go func() {
			result <- db.inTx(ctx, "test", func(tx writeTx) error {
				close(held)
				<-let
				return fn(tx)
			})
		}()
		<-held
		var once sync.Once
		return func() { once.Do(func() { close(let) }) }, result
	}
	nothing := func(writeTx) error { return nil }

	t.Run("fn returning nil commits its writes", func(t *testing.T) {
		if err := db.inTx(ctx, "test", write("committed")); err != nil {
			t.Fatalf("inTx = %v; want nil", err)
		}
		if !stored("committed") {
			t.Error("the write of a transaction whose fn returned nil is missing")
		}
	})

	t.Run("fn returning an error rolls back its writes and returns the error as it is", func(t *testing.T) {
		refused := docs.Errorf(docs.Conflict, "refused")
		err := db.inTx(ctx, "test", func(tx writeTx) error {
			if err := write("rolled-back")(tx); err != nil {
				return err
			}
			return refused
		})
		if !errors.Is(err, refused) || err.Error() != refused.Error() {
			t.Errorf("inTx = %v; want %v, unwrapped", err, refused)
		}
		if stored("rolled-back") {
			t.Error("a write of a transaction whose fn failed was committed")
		}
	})

	t.Run("fn panicking rolls back its writes and frees the write lock", func(t *testing.T) {
		func() {
			defer func() { _ = recover() }()
			_ = db.inTx(ctx, "test", func(tx writeTx) error {
				if err := write("panicked")(tx); err != nil {
					return err
				}
				panic("boom")
			})
		}()
		if stored("panicked") {
			t.Error("a write of a transaction whose fn panicked was committed")
		}
		if err := db.inTx(ctx, "test", write("after-panic")); err != nil {
			t.Errorf("inTx after a panicking one = %v; want nil", err)
		}
	})
	t.Run("a write whose request ends while it waits for its turn writes nothing, and the next one does", func(t *testing.T) {
		release, done := holding(write("holder"))
		waiting, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
		defer cancel()
		if err := db.inTx(waiting, "test", write("gave-up")); !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("inTx while another write holds the turn, past its deadline = %v; want context.DeadlineExceeded", err)
		}
		release()
		if err := <-done; err != nil {
			t.Fatalf("the holding write = %v", err)
		}
		if stored("gave-up") || !stored("holder") {
			t.Errorf("stored gave-up %v, holder %v; want false, true", stored("gave-up"), stored("holder"))
		}
		if err := db.inTx(ctx, "test", write("after-wait")); err != nil || !stored("after-wait") {
			t.Errorf("inTx after a write gave up waiting = %v (stored %v); want nil, stored", err, stored("after-wait"))
		}
	})

	t.Run("a request ending inside its transaction rolls it back, and the next write commits", func(t *testing.T) {
		inside, cancel := context.WithCancel(ctx)
		err := db.inTx(inside, "test", func(tx writeTx) error {
			if err := write("interrupted")(tx); err != nil {
				return err
			}
			cancel()
			_, err := tx.ExecContext(inside, `INSERT INTO settings (key, value) VALUES ('interrupted-2', 'v')`)
			return err
		})
		if err == nil {
			t.Error("inTx whose context ended inside = nil; want an error")
		}
		if stored("interrupted") || stored("interrupted-2") {
			t.Error("a write of a transaction whose request ended was committed")
		}
		if err := db.inTx(ctx, "test", write("after-interrupt")); err != nil || !stored("after-interrupt") {
			t.Errorf("inTx after an interrupted one = %v (stored %v); want nil, stored", err, stored("after-interrupt"))
		}
	})

	t.Run("a transaction SQLite ended itself leaves the writer usable", func(t *testing.T) {
		refused := docs.Errorf(docs.Conflict, "refused")
		err := db.inTx(ctx, "test", func(tx writeTx) error {
			if err := write("ended")(tx); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `ROLLBACK`); err != nil {
				return err
			}
			return refused
		})
		if !errors.Is(err, refused) {
			t.Errorf("inTx = %v; want %v", err, refused)
		}
		if err := db.inTx(ctx, "test", write("after-ended")); err != nil || !stored("after-ended") {
			t.Errorf("inTx after a transaction that ended itself = %v (stored %v); want nil, stored", err, stored("after-ended"))
		}
	})

	t.Run("a write that waits past the writer's patience is Unavailable, and does not wait for its turn", func(t *testing.T) {
		db.w.patience = 50 * time.Millisecond
		defer func() { db.w.patience = busyTimeout }()
		release, done := holding(nothing)
		// Were it to wait for its turn, it would have it once this lets go.
		letGo := time.AfterFunc(5*time.Second, release)
		err := db.inTx(ctx, "test", write("impatient"))
		letGo.Stop()
		release()
		if err := <-done; err != nil {
			t.Fatalf("the holding write = %v", err)
		}
		if docs.KindOf(err) != docs.Unavailable {
			t.Errorf("inTx behind a write holding the turn past the patience = %v (kind %d); want kind Unavailable", err, docs.KindOf(err))
		}
		if stored("impatient") {
			t.Error("a write that gave up waiting for its turn was committed")
		}
	})

	t.Run("reads go on while writes queue", func(t *testing.T) {
		release, done := holding(nothing)
		var wg sync.WaitGroup
		// More writers than the pool has connections: were each to hold
		// one while it waits for the write lock, no read would get one.
		for i := range 3 * db.db.Stats().MaxOpenConnections {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_ = db.inTx(ctx, "test", write(fmt.Sprintf("queued-%d", i)))
			}()
		}
		read, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		var n int
		err := db.q.QueryRowContext(read, `SELECT count(*) FROM settings`).Scan(&n)
		release()
		if err := <-done; err != nil {
			t.Errorf("the holding write = %v", err)
		}
		wg.Wait()
		if err != nil {
			t.Errorf("a read while writes queue behind a long one = %v; want it answered", err)
		}
	})
}
