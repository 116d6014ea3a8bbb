package api

import (
	"context"
	"maps"
	"sync"
	"time"

	"github.com/docsd/docs/pkg/docs"
)

// Throttle bounds password guessing. Failures are counted in the database,
// per username and per client address, over a sliding window.
type Throttle struct {
	// MaxFailures for one username within Window locks that username.
	MaxFailures int
	// MaxFailuresPerAddress from one address within Window locks that
	// address; higher than MaxFailures because of NAT. Registrations count
	// toward it too.
	MaxFailuresPerAddress int
	Window                time.Duration
}

// ThrottleDefaults returns the throttle docsd applies unless configured
// otherwise (auth.throttle in configs/docsd.yaml, which a test holds equal
// to it).
func ThrottleDefaults() Throttle {
	return Throttle{MaxFailures: 5, MaxFailuresPerAddress: 20, Window: 15 * time.Minute}
}

// reserveAttempt counts a password check before it happens, as a failure
// until the password proves right (then clearFailures), and returns a
// TooManyRequests error while the username or the address is locked out.
// Counting first is what keeps parallel guesses within the limit.
func (s *Server) reserveAttempt(ctx context.Context, username, address string) error {
	now := s.cfg.Now()
	until, err := s.LoginFailures.ReserveLoginAttempt(ctx, docs.LoginAttempt{
		Username: username, Address: address, At: now,
		Window:         s.cfg.Throttle.Window,
		MaxPerUsername: s.cfg.Throttle.MaxFailures,
		MaxPerAddress:  s.cfg.Throttle.MaxFailuresPerAddress,
	})
	if err != nil || until.IsZero() {
		return err
	}
	if username == "" {
		return tooManyAttempts(until.Sub(now))
	}
	return throttled("too many failed logins", until.Sub(now))
}

// tooManyAttempts is the 429 of an address locked out for wait.
func tooManyAttempts(wait time.Duration) error {
	return throttled("too many attempts from this address", wait)
}

// throttled is a 429 that says what and when to try again, at least a
// second from now.
func throttled(what string, wait time.Duration) error {
	wait = max(wait, time.Second)
	e := docs.Errorf(docs.TooManyRequests, "%s; try again in %s", what, wait.Round(time.Second))
	e.RetryAfter = wait
	return e
}

// clearFailures forgets username's failures after a right password,
// including the attempt reserveAttempt counted.
func (s *Server) clearFailures(ctx context.Context, username string) error {
	return s.LoginFailures.ClearLoginFailures(ctx, username)
}

// tokenFailureFlush is how often a process writes the unknown tokens it
// saw: the throttle holds across replicas to within one flush of
// failures.
const tokenFailureFlush = 100 * time.Millisecond

// maxTrackedAddresses bounds the memory of tokenFailures: past it, the
// lockouts it remembers start over (the database keeps them).
const maxTrackedAddresses = 100_000

// tokenFailures counts unknown tokens per client address, toward the same
// throttle as failed logins, without a write on every request: a 256-bit
// token cannot be guessed, so the throttle on tokens bounds noise, and it
// must not make a bad token's 401 cost a transaction and a flush to disk
// where a bad cookie's costs a read. Failures gather here; the first
// request after tokenFailureFlush writes them all, per address, in one
// transaction each (docs.LoginAttempt.Count), and learns which addresses
// are locked. Every other request from a locked address is answered 429
// from memory until its lockout ends. Nothing runs in the background: a
// process that sees no more unknown tokens has nothing to throttle.
type tokenFailures struct {
	mu       sync.Mutex
	pending  map[string]int       // by address, failures not yet written
	locked   map[string]time.Time // by address, until when the last write said
	flushing bool
	last     time.Time
}

// failedToken counts an unknown token from address and returns a
// TooManyRequests error while the address is locked out.
func (s *Server) failedToken(ctx context.Context, address string) error {
	f := &s.tokenFailures
	now := s.cfg.Now()
	f.mu.Lock()
	if until := f.locked[address]; until.After(now) {
		f.mu.Unlock()
		return tooManyAttempts(until.Sub(now))
	}
	if f.pending == nil {
		f.pending, f.locked = map[string]int{}, map[string]time.Time{}
	}
	f.pending[address]++
	if f.flushing || now.Sub(f.last) < tokenFailureFlush {
		f.mu.Unlock()
		return nil
	}
	batch := f.pending
	f.pending, f.flushing, f.last = map[string]int{}, true, now
	f.mu.Unlock()

	locked := map[string]time.Time{}
	var err error
	for addr, n := range batch {
		var until time.Time
		until, err = s.LoginFailures.ReserveLoginAttempt(ctx, docs.LoginAttempt{
			Address: addr, At: now, Count: n,
			Window:        s.cfg.Throttle.Window,
			MaxPerAddress: s.cfg.Throttle.MaxFailuresPerAddress,
		})
		if err != nil {
			break
		}
		delete(batch, addr)
		if !until.IsZero() {
			locked[addr] = until
		}
	}

	f.mu.Lock()
	defer f.mu.Unlock()
	f.flushing = false
	for addr, n := range batch { // not written: the next flush tries again
		f.pending[addr] += n
	}
	if len(f.locked) >= maxTrackedAddresses {
		f.locked = map[string]time.Time{}
	}
	maps.Copy(f.locked, locked)
	if err != nil {
		return err
	}
	if until := f.locked[address]; until.After(now) {
		return tooManyAttempts(until.Sub(now))
	}
	return nil
}
