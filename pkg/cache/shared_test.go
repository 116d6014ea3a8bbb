package cache_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/docsd/docs/pkg/cache"
	"github.com/docsd/docs/pkg/docs"
)

// gated is an epoch source whose reads return their own number (the first
// read says 1) and wait, once started, until the test lets them finish.
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
	if err := <-g.finish; err != nil {
		return docs.Epochs{}, err
	}
	return docs.Epochs{Auth: n, Documents: n}, nil
}

func TestShared(t *testing.T) {
	ctx := context.Background()

	t.Run("a caller never gets a read that started before it called", func(t *testing.T) {
		src := newGated()
		s := cache.NewShared(src)
		first := make(chan cache.Reading)
		go func() {
			e, _ := s.Read(ctx)
			first <- e
		}()
		<-src.started // read 1 is under way
		const late = 10
		var (
			wg  sync.WaitGroup
			got = make([]cache.Reading, late)
		)
		joined := make(chan struct{}, late)
		for i := range late {
			wg.Go(func() {
				joined <- struct{}{}
				got[i], _ = s.Read(ctx)
			})
		}
		for range late {
			<-joined
		}
		src.finish <- nil // read 1 ends; the callers that came during it wait for read 2
		if e := <-first; e.Auth != 1 || e.Seq != 1 {
			t.Errorf("the first caller got read %d, numbered %d; want 1, 1", e.Auth, e.Seq)
		}
		// Read 2 starts only once read 1 has ended, and answers everyone
		// who called before it started; a caller that was slower to call
		// may need a third. Callers that took read 1 return without one.
		lateDone := make(chan struct{})
		go func() {
			wg.Wait()
			close(lateDone)
		}()
		go func() {
			for range src.started {
				src.finish <- nil
			}
		}()
		<-lateDone
		for i, e := range got {
			if e.Auth < 2 {
				t.Errorf("caller %d, which called during read 1, got read %d; want a later one", i, e.Auth)
			}
			// The source counts its reads as Shared numbers them.
			if e.Seq != uint64(e.Auth) {
				t.Errorf("caller %d got read %d numbered %d; want the numbers in the order the reads ran", i, e.Auth, e.Seq)
			}
		}
		if n := src.reads.Load(); n > 3 {
			t.Errorf("%d callers took %d reads; want them to share (at most 3)", late+1, n)
		}
	})

	t.Run("an error reaches every caller of the read", func(t *testing.T) {
		src := newGated()
		s := cache.NewShared(src)
		down := errors.New("database down")
		src.finish <- down
		if _, err := s.Read(ctx); !errors.Is(err, down) {
			t.Errorf("Read = %v; want %v", err, down)
		}
		src.finish <- nil
		if e, err := s.Read(ctx); err != nil || e.Auth != 2 {
			t.Errorf("Read after the error = %v, %v; want read 2", e, err)
		}
	})
}
