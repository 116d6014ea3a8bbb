package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/docsd/docs/pkg/docs"
)

// testDocumentEpoch checks what the document cache (pkg/cache) relies on:
// the document epoch moves with every change to what a document shows, in
// the transaction of the change, and with nothing else, so that logins,
// reads and refused writes leave every process's cached documents alone.
func testDocumentEpoch(t *testing.T, open func(t *testing.T) Store) {
	ctx := context.Background()
	type fixture struct {
		s             Store
		admin, member *docs.User
		doc           *docs.Document
	}
	setup := func(t *testing.T) fixture {
		s := open(t)
		f := fixture{s: s, admin: mustUser(t, s, "admin", docs.RoleAdmin), member: mustUser(t, s, "member", docs.RoleMember)}
		f.doc = mustDocument(t, s, f.member, "member's")
		return f
	}
	title := "changed"
	for _, tc := range []struct {
		name  string
		op    func(f fixture) error
		moves bool
	}{
		{"CreateDocument moves it", func(f fixture) error {
			return f.s.CreateDocument(ctx, &docs.Document{Title: "new", Author: docs.Author{ID: f.admin.ID}, CreatedAt: base, UpdatedAt: base})
		}, true},
		{"UpdateDocument moves it", func(f fixture) error {
			_, err := f.s.UpdateDocument(ctx, f.doc.ID, docs.DocumentUpdate{Title: &title}, f.doc.Version, base)
			return err
		}, true},
		{"DeleteDocument moves it", func(f fixture) error { return f.s.DeleteDocument(ctx, f.doc.ID) }, true},
		{"DeleteUser reassigning documents moves it", func(f fixture) error { return f.s.DeleteUser(ctx, f.member.ID, f.admin.ID, base) }, true},
		{"an UpdateDocument refused for a stale version leaves it", func(f fixture) error {
			_, err := f.s.UpdateDocument(ctx, f.doc.ID, docs.DocumentUpdate{Title: &title}, f.doc.Version+1, base)
			checkKind(t, "UpdateDocument(stale version)", err, docs.PreconditionFailed)
			return nil
		}, false},
		{"a DeleteDocument of a missing document leaves it", func(f fixture) error {
			err := f.s.DeleteDocument(ctx, f.doc.ID+1000)
			checkKind(t, "DeleteDocument(missing)", err, docs.NotFound)
			return nil
		}, false},
		{"a refused DeleteUser of an author leaves it", func(f fixture) error {
			err := f.s.DeleteUser(ctx, f.member.ID, 0, base)
			checkKind(t, "DeleteUser(author, 0)", err, docs.Conflict)
			return nil
		}, false},
		// Sessions and roles do not change what a document shows.
		{"SetRole leaves it", func(f fixture) error { _, err := f.s.SetRole(ctx, f.member.ID, docs.RoleEditor); return err }, false},
		{"CreateSession and DeleteSession leave it", func(f fixture) error {
			if err := f.s.CreateSession(ctx, &docs.Session{ID: "s", UserID: f.member.ID, CreatedAt: base, LastSeen: base}, f.member.PasswordHash); err != nil {
				return err
			}
			return f.s.DeleteSession(ctx, "s")
		}, false},
		{"reading documents leaves it", func(f fixture) error {
			if _, err := f.s.DocumentByID(ctx, f.doc.ID); err != nil {
				return err
			}
			_, err := f.s.ListDocuments(ctx, docs.Page{Limit: 10})
			return err
		}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := setup(t)
			before, shardsBefore := mustEpochs(t, f.s), mustShardEpochs(t, f.s)
			if err := tc.op(f); err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
			after := mustEpochs(t, f.s)
			if moved := after.Documents != before.Documents; moved != tc.moves {
				t.Errorf("document epoch went from %d to %d; want moved=%v", before.Documents, after.Documents, tc.moves)
			}
			if !tc.moves && mustShardEpochs(t, f.s) != shardsBefore {
				t.Errorf("shard epochs moved; want them to stand still with the document epoch")
			}
			if after.Documents < before.Documents {
				t.Errorf("document epoch went back from %d to %d; want it never to decrease", before.Documents, after.Documents)
			}
		})
	}

	t.Run("a change moves the shard epochs of the documents it touches and no other", func(t *testing.T) {
		f := setup(t)
		other := mustDocument(t, f.s, f.admin, "admin's")
		moved := func(before docs.ShardEpochs) []int {
			after := mustShardEpochs(t, f.s)
			var out []int
			for k := range after {
				if after[k] != before[k] {
					out = append(out, k)
				}
			}
			return out
		}
		check := func(what string, before docs.ShardEpochs, want ...int) {
			t.Helper()
			if got := moved(before); fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("%s moved shards %v; want %v", what, got, want)
			}
		}
		before := mustShardEpochs(t, f.s)
		if _, err := f.s.UpdateDocument(ctx, f.doc.ID, docs.DocumentUpdate{Title: &title}, 0, base); err != nil {
			t.Fatal(err)
		}
		check(fmt.Sprintf("UpdateDocument(%d)", f.doc.ID), before, docs.ShardOf(f.doc.ID))
		before = mustShardEpochs(t, f.s)
		if err := f.s.DeleteDocument(ctx, other.ID); err != nil {
			t.Fatal(err)
		}
		check(fmt.Sprintf("DeleteDocument(%d)", other.ID), before, docs.ShardOf(other.ID))
		before = mustShardEpochs(t, f.s)
		if err := f.s.DeleteUser(ctx, f.member.ID, f.admin.ID, base); err != nil {
			t.Fatal(err)
		}
		check("DeleteUser reassigning the member's documents", before, docs.ShardOf(f.doc.ID))
	})

	t.Run("a reader never sees an edit without the epoch that covers it", func(t *testing.T) {
		// The cache reads the epoch, then the document, and keeps the
		// document under that epoch: a bump committed before the edit
		// would let it keep the old body under the new epoch. Every
		// update adds one to both the version and the epoch, so version V
		// was written by the (V-1)-th update: the epoch read after it is
		// at least start+V-1, the one read before it at most that.
		f := setup(t)
		const updates = 60
		start := mustEpochs(t, f.s).Documents
		shardStart := mustShardEpochs(t, f.s)[docs.ShardOf(f.doc.ID)]
		var (
			wg   sync.WaitGroup
			done = make(chan struct{})
			mu   sync.Mutex
			bad  []string
		)
		wg.Go(func() {
			defer close(done)
			for i := range updates {
				body := fmt.Sprintf("body %d", i+1)
				if _, err := f.s.UpdateDocument(ctx, f.doc.ID, docs.DocumentUpdate{Body: &body}, 0, base); err != nil {
					t.Errorf("UpdateDocument = %v", err)
					return
				}
			}
		})
		wg.Go(func() {
			for {
				select {
				case <-done:
					return
				default:
				}
				e1, err1 := f.s.Epochs(ctx)
				s1, err2 := f.s.ShardEpochs(ctx)
				d, err := f.s.DocumentByID(ctx, f.doc.ID)
				e2, err3 := f.s.Epochs(ctx)
				s2, err4 := f.s.ShardEpochs(ctx)
				if err := errors.Join(err1, err2, err, err3, err4); err != nil {
					t.Errorf("reads during updates: %v", err)
					return
				}
				written := start + d.Version - 1
				if e2.Documents < written || e1.Documents > written {
					mu.Lock()
					bad = append(bad, fmt.Sprintf("version %d read between epochs %d and %d; want %d within them", d.Version, e1.Documents, e2.Documents, written))
					mu.Unlock()
				}
				// The shard counts the same updates, from its own start.
				k := docs.ShardOf(f.doc.ID)
				if shardWritten := shardStart + d.Version - 1; s2[k] < shardWritten || s1[k] > shardWritten {
					mu.Lock()
					bad = append(bad, fmt.Sprintf("version %d read between shard epochs %d and %d; want %d within them", d.Version, s1[k], s2[k], shardWritten))
					mu.Unlock()
				}
			}
		})
		wg.Wait()
		if len(bad) > 0 {
			t.Errorf("%d inconsistent reads, first: %s", len(bad), bad[0])
		}
	})
}

func mustShardEpochs(t *testing.T, s Store) docs.ShardEpochs {
	t.Helper()
	e, err := s.ShardEpochs(context.Background())
	if err != nil {
		t.Fatalf("ShardEpochs = %v", err)
	}
	return e
}
