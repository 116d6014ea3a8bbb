package cache_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"testing/synctest"

	"github.com/docsd/docs/pkg/cache"
	"github.com/docsd/docs/pkg/docs"
)

// gated is an epoch source whose reads return their own number (the first
// read says 1) and wait, once started, until the test lets them finish or
// their context ends.
type gated struct {
	reads   atomic.Int64
	started chan int64
	finish  chan error
}

func newGated() *gated {
	return &gated{started: make(chan int64, 100), finish: make(chan error, 100)}
}

func (g *gated) Epochs(ctx context.Context) (docs.Epochs, error) {
	n := g.reads.Add(1)
	g.started <- n
	select {
	case err := <-g.finish:
		if err != nil {
			return docs.Epochs{}, err
		}
	case <-ctx.Done():
		// As a driver gives up a query whose context ended.
		return docs.Epochs{}, ctx.Err()
	}
	return docs.Epochs{Auth: n, Documents: n}, nil
}

func TestShared(t *testing.T) {
	ctx := context.Background()

	t.Run("callers during a read share the next one, never the one under way", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			src := newGated()
			s := cache.NewShared(src)
			first := call(s, ctx)
			<-src.started // read 1 is under way
			const late = 10
			calls := make([]<-chan answer, late)
			for i := range calls {
				calls[i] = call(s, ctx)
			}
			// Every late caller is inside Read, waiting: none may have an
			// answer while read 1 is held.
			synctest.Wait()
			for i, c := range calls {
				if a, ok := answered(c); ok {
					t.Fatalf("caller %d, which called during read 1, answered %+v before read 1 ended; want it to wait for read 2", i, a)
				}
			}
			src.finish <- nil // read 1 ends; read 2 starts for all the late callers
			if a := <-first; a.epochs.Auth != 1 || a.epochs.Seq != 1 {
				t.Errorf("the first caller got read %d, numbered %d; want 1, 1", a.epochs.Auth, a.epochs.Seq)
			}
			if n := <-src.started; n != 2 {
				t.Fatalf("after read 1, read %d started; want 2", n)
			}
			src.finish <- nil
			for i, c := range calls {
				if a := <-c; a.err != nil || a.epochs.Auth != 2 || a.epochs.Seq != 2 {
					t.Errorf("caller %d, which called during read 1, got read %d numbered %d (%v); want read 2 numbered 2", i, a.epochs.Auth, a.epochs.Seq, a.err)
				}
			}
			if n := src.reads.Load(); n != 2 {
				t.Errorf("%d callers took %d reads; want 2: the one under way and one for all who came during it", late+1, n)
			}
		})
	})

	t.Run("an error reaches every caller of the read, and the next read is a new one", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			src := newGated()
			s := cache.NewShared(src)
			down := errors.New("database down")
			src.finish <- down
			if _, err := s.Read(ctx); !errors.Is(err, down) {
				t.Errorf("Read = %v; want %v", err, down)
			}
			src.finish <- nil
			if e, err := s.Read(ctx); err != nil || e.Auth != 2 || e.Seq != 2 {
				t.Errorf("Read after the error = %+v, %v; want read 2 numbered 2", e, err)
			}
		})
	})
}
