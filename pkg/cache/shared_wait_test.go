package cache_test

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"

	"github.com/docsd/docs/pkg/cache"
)

// answer is what one call of Shared.Epochs returned.
type answer struct {
	epochs cache.Reading
	err    error
}

// call runs s.Read(ctx) on its own goroutine.
func call(s *cache.Shared, ctx context.Context) <-chan answer {
	out := make(chan answer, 1)
	go func() {
		e, err := s.Read(ctx)
		out <- answer{e, err}
	}()
	return out
}

// answered returns the call's answer if it has one now. Inside a synctest
// bubble, after synctest.Wait, a call without an answer is blocked for good
// unless something else happens.
func answered(c <-chan answer) (answer, bool) {
	select {
	case a := <-c:
		return a, true
	default:
		return answer{}, false
	}
}

// TestSharedWaitsWithOwnContext holds a shared read of the epochs as a hung
// database would, and checks that every caller, the one whose call started
// the read included, stops waiting when its own context ends, while the
// read goes on for the others.
func TestSharedWaitsWithOwnContext(t *testing.T) {
	t.Run("the caller that started the read leaves when its context ends", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			src := newGated()
			s := cache.NewShared(src)
			ctx, cancel := context.WithCancel(t.Context())
			leader := call(s, ctx)
			synctest.Wait() // read 1 is under way, held
			cancel()
			synctest.Wait()
			a, ok := answered(leader)
			switch {
			case !ok:
				t.Errorf("Read(a cancelled context) during a held read: got no answer, want %v", context.Canceled)
			case !errors.Is(a.err, context.Canceled):
				t.Errorf("Read(a cancelled context) during a held read = %v, %v; want %v", a.epochs, a.err, context.Canceled)
			}
			src.finish <- nil
			synctest.Wait()
		})
	})

	t.Run("a caller waiting for the next read leaves when its context ends, and the read still answers the others", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			src := newGated()
			s := cache.NewShared(src)
			first := call(s, t.Context())
			synctest.Wait() // read 1 is under way, held
			ctx, cancel := context.WithCancel(t.Context())
			leaving := call(s, ctx) // the first to wait for read 2
			synctest.Wait()
			staying := call(s, t.Context()) // waits for read 2 too
			synctest.Wait()
			cancel()
			synctest.Wait()
			a, ok := answered(leaving)
			switch {
			case !ok:
				t.Errorf("Read(a cancelled context) waiting for the next read: got no answer, want %v", context.Canceled)
			case !errors.Is(a.err, context.Canceled):
				t.Errorf("Read(a cancelled context) waiting for the next read = %v, %v; want %v", a.epochs, a.err, context.Canceled)
			}
			src.finish <- nil // read 1 ends, read 2 starts
			synctest.Wait()
			src.finish <- nil // read 2 ends
			synctest.Wait()
			if a, ok := answered(first); !ok || a.err != nil || a.epochs.Auth != 1 {
				t.Errorf("the first caller got %v, %v (answered %v); want read 1", a.epochs, a.err, ok)
			}
			if a, ok := answered(staying); !ok || a.err != nil || a.epochs.Auth != 2 {
				t.Errorf("the caller that stayed got %v, %v (answered %v); want read 2", a.epochs, a.err, ok)
			}
		})
	})
}
