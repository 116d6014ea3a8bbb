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
	// address; higher than MaxFailures because of NAT.
	MaxFailuresPerAddress int
	Window                time.Duration
}

// DefaultThrottle is 5 failures per username and 20 per address in 15 minutes.
var DefaultThrottle = Throttle{MaxFailures: 5, MaxFailuresPerAddress: 20, Window: 15 * time.Minute}

// checkThrottle returns a TooManyRequests error while username or address
// is locked out. The lockout lasts until the oldest of the last max
// failures leaves the window. It also says how many recent failures the
// username has, so a good login clears them only when there are some:
// most logins then write nothing but their session.
func (s *Server) checkThrottle(ctx context.Context, username, address string) (userFailures int, err error) {
	now := s.cfg.Now()
	since := now.Add(-s.cfg.Throttle.Window)
	for _, key := range []struct {
		username, address string
		max               int
	}{
		{username, "", s.cfg.Throttle.MaxFailures},
		{"", address, s.cfg.Throttle.MaxFailuresPerAddress},
	} {
		if key.max <= 0 {
			continue
		}
		times, err := s.LoginFailures.LoginFailures(ctx, key.username, key.address, since, key.max)
		if err != nil {
			return 0, err
		}
		if key.username != "" {
			userFailures = len(times)
		}
		if len(times) >= key.max {
			wait := times[len(times)-1].Add(s.cfg.Throttle.Window).Sub(now)
			if wait < time.Second {
				wait = time.Second
			}
			e := docs.Errorf(docs.TooManyRequests, "too many failed logins; try again in %s", wait.Round(time.Second))
			e.RetryAfter = wait
			return 0, e
		}
	}
	return userFailures, nil
}

func (s *Server) recordLoginFailure(ctx context.Context, username, address string) error {
	return s.LoginFailures.RecordLoginFailure(ctx, username, address, s.cfg.Now())
}
