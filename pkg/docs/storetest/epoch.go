package storetest

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/docsd/docs/pkg/docs"
)

// testAuthEpoch checks what the session cache (pkg/cache) relies on:
// the auth epoch changes with every change that can start or end a
// session or change what its user may do, and it changes if and only if
// the change is made, which a bump in a transaction of its own, before or
// after the change, would not give when the change is refused and rolled
// back; and a value it takes names one state, never to be taken again.
func testAuthEpoch(t *testing.T, open func(t *testing.T) Store) {
	ctx := context.Background()
	// fixture is a store with an admin, a member with two sessions and a
	// document, and an editor with a session.
	type fixture struct {
		s                     Store
		admin, member, editor *docs.User
	}
	setup := func(t *testing.T) fixture {
		s := open(t)
		f := fixture{s: s, admin: mustUser(t, s, "admin", docs.RoleAdmin), member: mustUser(t, s, "member", docs.RoleMember), editor: mustUser(t, s, "editor", docs.RoleEditor)}
		mustSession(t, s, "member-1", f.member.ID, base, base)
		mustSession(t, s, "member-2", f.member.ID, base, base.Add(time.Hour))
		mustSession(t, s, "editor-1", f.editor.ID, base, base.Add(time.Hour))
		mustDocument(t, s, f.member, "member's")
		return f
	}
	for _, tc := range []struct {
		name  string
		op    func(f fixture) error
		moves bool
	}{
		{"DeleteSession moves it", func(f fixture) error { return f.s.DeleteSession(ctx, "member-1") }, true},
		{"DeleteExpiredSessions moves it when it deletes one", func(f fixture) error {
			_, err := f.s.DeleteExpiredSessions(ctx, base.Add(time.Minute), base.Add(-time.Hour))
			return err
		}, true},
		{"SetRole moves it", func(f fixture) error { _, err := f.s.SetRole(ctx, f.member.ID, docs.RoleEditor); return err }, true},
		{"SetPassword moves it", func(f fixture) error { return f.s.SetPassword(ctx, f.editor.ID, []byte("new hash")) }, true},
		{"DeleteUser moves it", func(f fixture) error { return f.s.DeleteUser(ctx, f.editor.ID, 0, base) }, true},
		{"DeleteUser reassigning documents moves it", func(f fixture) error { return f.s.DeleteUser(ctx, f.member.ID, f.admin.ID, base) }, true},
		{"a refused demotion of the last admin leaves it", func(f fixture) error {
			_, err := f.s.SetRole(ctx, f.admin.ID, docs.RoleMember)
			checkKind(t, "SetRole(last admin, member)", err, docs.Conflict)
			return nil
		}, false},
		{"a refused DeleteUser of an author leaves it", func(f fixture) error {
			err := f.s.DeleteUser(ctx, f.member.ID, 0, base)
			checkKind(t, "DeleteUser(author, 0)", err, docs.Conflict)
			return nil
		}, false},
		{"deleting a session that does not exist leaves it", func(f fixture) error { return f.s.DeleteSession(ctx, "missing") }, false},
		// A restore can undo a login: a cache must not keep its session
		// under a value the restored database still shows.
		{"CreateSession moves it", func(f fixture) error {
			return f.s.CreateSession(ctx, &docs.Session{ID: "new", UserID: f.member.ID, CreatedAt: base, LastSeen: base}, f.member.PasswordHash)
		}, true},
		// Use must not empty every process's cache.
		{"TouchSession leaves it", func(f fixture) error { return f.s.TouchSession(ctx, "member-1", base.Add(time.Minute)) }, false},
		{"CreateUser leaves it", func(f fixture) error {
			return f.s.CreateUser(ctx, &docs.User{Username: "new", Role: docs.RoleMember, PasswordHash: []byte("h"), CreatedAt: base})
		}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := setup(t)
			before := mustEpochs(t, f.s)
			if err := tc.op(f); err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
			after := mustEpochs(t, f.s)
			if moved := after.Auth != before.Auth; moved != tc.moves {
				t.Errorf("auth epoch went from %d to %d; want moved=%v", before.Auth, after.Auth, tc.moves)
			}
		})
	}

	t.Run("the auth epoch never takes a value twice", func(t *testing.T) {
		// Counters would: a restored database counts again from an older
		// value, and new traffic reaches values a cache has seen in the
		// history the restore undid.
		f := setup(t)
		seen := map[int64]int{mustEpochs(t, f.s).Auth: 0}
		for i := 1; i <= 50; i++ {
			id := fmt.Sprintf("again-%d", i)
			mustSession(t, f.s, id, f.member.ID, base, base)
			if err := f.s.DeleteSession(ctx, id); err != nil {
				t.Fatal(err)
			}
			e := mustEpochs(t, f.s).Auth
			if j, ok := seen[e]; ok {
				t.Fatalf("auth epoch %d after change %d was already taken after change %d; want a new value", e, 2*i, 2*j)
			}
			seen[e] = i
		}
	})

	t.Run("two databases start at different auth epochs", func(t *testing.T) {
		if a, b := mustEpochs(t, open(t)), mustEpochs(t, open(t)); a.Auth == b.Auth {
			t.Errorf("two new databases both start at auth epoch %d; want each its own", a.Auth)
		}
	})

	t.Run("SessionUserWithEpoch reads the session with the epoch that names it", func(t *testing.T) {
		f := setup(t)
		before := mustEpochs(t, f.s)
		s, u, epoch, err := f.s.SessionUserWithEpoch(ctx, "member-1")
		if err != nil {
			t.Fatalf("SessionUserWithEpoch = %v", err)
		}
		if s.ID != "member-1" || u.ID != f.member.ID || epoch != before.Auth {
			t.Errorf("SessionUserWithEpoch = %q, user %d, epoch %d; want %q, user %d, epoch %d", s.ID, u.ID, epoch, "member-1", f.member.ID, before.Auth)
		}
		_, _, _, err = f.s.SessionUserWithEpoch(ctx, "missing")
		checkKind(t, "SessionUserWithEpoch(missing)", err, docs.NotFound)
	})

	t.Run("SetPassword ends every session of the user and no one else's", func(t *testing.T) {
		f := setup(t)
		if err := f.s.SetPassword(ctx, f.member.ID, []byte("new hash")); err != nil {
			t.Fatalf("SetPassword = %v", err)
		}
		for _, id := range []string{"member-1", "member-2"} {
			_, _, err := f.s.SessionUser(ctx, id)
			checkKind(t, fmt.Sprintf("SessionUser(%q) after SetPassword", id), err, docs.NotFound)
		}
		if _, _, err := f.s.SessionUser(ctx, "editor-1"); err != nil {
			t.Errorf("SessionUser(%q) of another user after SetPassword = %v; want nil", "editor-1", err)
		}
		if got := mustUserByID(t, f.s, f.member.ID); string(got.PasswordHash) != "new hash" {
			t.Errorf("PasswordHash after SetPassword = %q; want %q", got.PasswordHash, "new hash")
		}
		err := f.s.SetPassword(ctx, 999999, []byte("x"))
		checkKind(t, "SetPassword(missing user)", err, docs.NotFound)
	})

	t.Run("an auth epoch names one state of the sessions while logins and logouts go on", func(t *testing.T) {
		// The cache keeps a session with the epoch read with it and serves
		// it while the epoch has that value. A bump committed in a
		// transaction of its own, before or after the change, would show
		// one value with the session both present and gone.
		f := setup(t)
		const sessions = 40
		for i := range sessions {
			mustSession(t, f.s, fmt.Sprintf("race-%d", i), f.editor.ID, base, base)
		}
		var (
			wg   sync.WaitGroup
			done = make(chan struct{})
			mu   sync.Mutex
			bad  []string
			// state maps an epoch and a session id to whether the
			// session was there.
			state = map[string]bool{}
		)
		saw := func(epoch int64, id string, present bool) {
			key := fmt.Sprintf("%d/%s", epoch, id)
			if was, ok := state[key]; ok && was != present {
				mu.Lock()
				bad = append(bad, fmt.Sprintf("at epoch %d %s was present=%v and present=%v", epoch, id, was, present))
				mu.Unlock()
			}
			state[key] = present
		}
		wg.Go(func() {
			defer close(done)
			for i := range sessions {
				if err := f.s.DeleteSession(ctx, fmt.Sprintf("race-%d", i)); err != nil {
					t.Errorf("DeleteSession = %v", err)
					return
				}
				if err := f.s.CreateSession(ctx, &docs.Session{ID: fmt.Sprintf("new-%d", i), UserID: f.editor.ID, CreatedAt: base, LastSeen: base}, f.editor.PasswordHash); err != nil {
					t.Errorf("CreateSession = %v", err)
					return
				}
			}
		})
		wg.Go(func() {
			for i := 0; ; i = (i + 1) % sessions {
				select {
				case <-done:
					return
				default:
				}
				for _, id := range []string{fmt.Sprintf("race-%d", i), fmt.Sprintf("new-%d", i)} {
					e1, err1 := f.s.Epochs(ctx)
					_, _, err := f.s.SessionUser(ctx, id)
					e2, err2 := f.s.Epochs(ctx)
					_, _, epoch, errWith := f.s.SessionUserWithEpoch(ctx, id)
					for _, err := range []error{err, errWith} {
						if err != nil && !docs.IsNotFound(err) {
							t.Errorf("reads during logins and logouts: %v", err)
							return
						}
					}
					if err1 != nil || err2 != nil {
						t.Errorf("reads during logins and logouts: %v, %v", err1, err2)
						return
					}
					if e1.Auth == e2.Auth {
						saw(e1.Auth, id, err == nil)
					}
					if errWith == nil {
						saw(epoch, id, true)
					}
				}
			}
		})
		wg.Wait()
		if len(bad) > 0 {
			t.Errorf("%d inconsistent reads, first: %s", len(bad), bad[0])
		}
	})
}

// testThrottle checks ReserveLoginAttempt: the count and the record of a
// failure are one step, so parallel guesses cannot all pass the check.
func testThrottle(t *testing.T, open func(t *testing.T) Store) {
	ctx := context.Background()
	const window = 15 * time.Minute
	attempt := func(user, addr string, at time.Time) docs.LoginAttempt {
		return docs.LoginAttempt{Username: user, Address: addr, At: at, Window: window, MaxPerUsername: 5, MaxPerAddress: 20}
	}

	t.Run("N parallel wrong guesses with a limit of 5: exactly 5 pass the check", func(t *testing.T) {
		s := open(t)
		const guesses = 20
		var (
			wg     sync.WaitGroup
			start  = make(chan struct{})
			passed = make([]bool, guesses)
			errs   = make([]error, guesses)
		)
		for i := range guesses {
			wg.Go(func() {
				<-start
				// Each guess from an address of its own: only the username
				// limit applies.
				until, err := s.ReserveLoginAttempt(ctx, attempt("Alice", fmt.Sprintf("10.0.0.%d", i), base))
				passed[i], errs[i] = err == nil && until.IsZero(), err
			})
		}
		close(start)
		wg.Wait()
		n := 0
		for i := range guesses {
			if errs[i] != nil {
				t.Errorf("guess %d: ReserveLoginAttempt = %v; want nil", i, errs[i])
			}
			if passed[i] {
				n++
			}
		}
		if n != 5 {
			t.Errorf("%d parallel guesses: %d passed the check; want exactly 5", guesses, n)
		}
	})

	t.Run("a locked username stays locked until its fifth failure leaves the window, in any case", func(t *testing.T) {
		s := open(t)
		for i := range 5 {
			if until, err := s.ReserveLoginAttempt(ctx, attempt("bob", "10.0.0.1", base.Add(time.Duration(i)*time.Minute))); err != nil || !until.IsZero() {
				t.Fatalf("attempt %d: ReserveLoginAttempt = %v, %v; want zero, nil", i+1, until, err)
			}
		}
		until, err := s.ReserveLoginAttempt(ctx, attempt("BOB", "10.0.0.2", base.Add(5*time.Minute)))
		if err != nil {
			t.Fatal(err)
		}
		checkTime(t, "lockout end after 5 failures", until, base.Add(window))
		if until, err := s.ReserveLoginAttempt(ctx, attempt("bob", "10.0.0.2", base.Add(window+time.Second))); err != nil || !until.IsZero() {
			t.Errorf("attempt once the first failure left the window = %v, %v; want zero, nil", until, err)
		}
	})

	t.Run("ClearLoginFailures unlocks the username", func(t *testing.T) {
		s := open(t)
		for range 5 {
			if _, err := s.ReserveLoginAttempt(ctx, attempt("carol", "10.0.0.1", base)); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.ClearLoginFailures(ctx, "Carol"); err != nil {
			t.Fatalf("ClearLoginFailures = %v", err)
		}
		if until, err := s.ReserveLoginAttempt(ctx, attempt("carol", "10.0.0.1", base)); err != nil || !until.IsZero() {
			t.Errorf("attempt after ClearLoginFailures = %v, %v; want zero, nil", until, err)
		}
	})

	t.Run("an address is locked across usernames", func(t *testing.T) {
		s := open(t)
		for i := range 20 {
			if _, err := s.ReserveLoginAttempt(ctx, attempt(fmt.Sprintf("user%d", i), "10.9.9.9", base)); err != nil {
				t.Fatal(err)
			}
		}
		until, err := s.ReserveLoginAttempt(ctx, attempt("someone-else", "10.9.9.9", base))
		if err != nil || until.IsZero() {
			t.Errorf("21st attempt from one address = %v, %v; want a lockout", until, err)
		}
	})

	t.Run("an attempt of Count failures records that many, at most the limit", func(t *testing.T) {
		s := open(t)
		many := attempt("", "10.7.7.7", base)
		many.Count = 19
		if until, err := s.ReserveLoginAttempt(ctx, many); err != nil || !until.IsZero() {
			t.Fatalf("19 failures at once = %v, %v; want them recorded, no lockout yet", until, err)
		}
		if until, err := s.ReserveLoginAttempt(ctx, attempt("", "10.7.7.7", base)); err != nil || !until.IsZero() {
			t.Fatalf("the 20th = %v, %v; want it recorded", until, err)
		}
		if until, err := s.ReserveLoginAttempt(ctx, attempt("", "10.7.7.7", base)); err != nil || until.IsZero() {
			t.Errorf("the 21st = %v, %v; want a lockout: 19 + 1 failures are recorded", until, err)
		}
		huge := attempt("", "10.6.6.6", base)
		huge.Count = 1 << 30
		if _, err := s.ReserveLoginAttempt(ctx, huge); err != nil {
			t.Fatalf("a billion failures at once = %v; want them capped at the limit", err)
		}
	})
}

func mustEpochs(t *testing.T, s Store) docs.Epochs {
	t.Helper()
	e, err := s.Epochs(context.Background())
	if err != nil {
		t.Fatalf("Epochs = %v", err)
	}
	return e
}
