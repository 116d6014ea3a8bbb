package cache

import (
	"context"
	"sync"
)

// Shared reads the epochs for every request of a process, and lets
// requests that ask while a read is under way share the next one: under
// load, one statement answers many requests.
//
// A request may only use a read that started after it asked: a read that
// began before could miss a change committed just before the request
// came, a logout say, that the request must see. So a request that finds
// a read under way does not take its answer; it joins the group waiting
// for the next read, which starts as soon as the current one ends and
// answers the whole group.
//
// Reads therefore never overlap, and Shared numbers them in the order they
// run (Reading.Seq): the order in which they saw the database.
type Shared struct {
	src Epochs

	mu sync.Mutex
	// seq is the number of the last read started.
	seq uint64
	// reading is the group whose read is under way, nil when none is.
	reading *group
	// waiting is the group that will read when reading is done; a
	// request that asks now joins it.
	waiting *group
}

type group struct {
	done    chan struct{}
	reading Reading
	err     error
}

// NewShared returns a Shared reading from src.
func NewShared(src Epochs) *Shared { return &Shared{src: src} }

// Read returns epochs read by a statement that started after the call.
//
// When no read is under way, the caller reads at once, on its own
// goroutine and with its own ctx: nobody else can join a read already
// under way, so it is the only one waiting for this one. That is every
// read of an idle process, and it costs no goroutine and no hand-over.
//
// Otherwise the caller joins the group waiting for the next read, which a
// goroutine of its own starts when the current one ends; every member
// waits for it with its own ctx, so a caller whose request ends leaves at
// once and the read goes on for the others. The read itself is bounded by
// the backend (postgres.query_timeout), so a hung database fails the group
// in seconds instead of holding it.
func (s *Shared) Read(ctx context.Context) (Reading, error) {
	s.mu.Lock()
	if s.waiting == nil && s.reading == nil {
		g := &group{done: make(chan struct{})}
		s.reading = g
		s.mu.Unlock()
		s.read(ctx, g, nil)
		return g.reading, g.err
	}
	g := s.waiting
	if g == nil {
		// Read once the read under way is done, gathering whoever asks
		// meanwhile. The group's read is shared: it belongs to no one
		// request, so one member's cancelled request must not cancel it.
		g = &group{done: make(chan struct{})}
		s.waiting = g
		go s.read(context.WithoutCancel(ctx), g, s.reading)
	}
	s.mu.Unlock()
	return g.wait(ctx)
}

// read answers g, after prev when that is not nil, and numbers the read
// as it starts: reads never overlap, so that is also the order in which
// they end.
func (s *Shared) read(ctx context.Context, g, prev *group) {
	if prev != nil {
		<-prev.done
	}
	s.mu.Lock()
	if prev != nil {
		s.waiting = nil
		s.reading = g
	}
	s.seq++
	g.reading.Seq = s.seq
	s.mu.Unlock()
	g.reading.Epochs, g.err = s.src.Epochs(ctx)
	s.mu.Lock()
	s.reading = nil
	s.mu.Unlock()
	close(g.done)
}

func (g *group) wait(ctx context.Context) (Reading, error) {
	select {
	case <-g.done:
		return g.reading, g.err
	case <-ctx.Done():
		return Reading{}, ctx.Err()
	}
}
