package api

import (
	"context"
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
	wait := max(until.Sub(now), time.Second)
	what := "too many failed logins"
	if username == "" {
		what = "too many attempts from this address"
	}
	e := docs.Errorf(docs.TooManyRequests, "%s; try again in %s", what, wait.Round(time.Second))
	e.RetryAfter = wait
	return e
}

// clearFailures forgets username's failures after a right password,
// including the attempt reserveAttempt counted.
func (s *Server) clearFailures(ctx context.Context, username string) error {
	return s.LoginFailures.ClearLoginFailures(ctx, username)
}
