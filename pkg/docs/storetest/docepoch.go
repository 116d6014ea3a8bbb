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
// the document epoch changes with every change to what a document shows,
// in the transaction of the change, and with nothing else, so that logins,
// reads and refused writes leave every process's cached documents alone;
// and a value it or a shard's epoch takes names one state, never to be
// taken again.
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
			_, err := f.s.UpdateDocument(ctx, f.doc.ID, docs.DocumentUpdate{Title: &title}, f.doc.Version, 0, base)
			return err
		}, true},
		{"DeleteDocument moves it", func(f fixture) error { return f.s.DeleteDocument(ctx, f.doc.ID) }, true},
		{"DeleteUser reassigning documents moves it", func(f fixture) error { return f.s.DeleteUser(ctx, f.member.ID, f.admin.ID, base) }, true},
		{"an UpdateDocument refused for a stale version leaves it", func(f fixture) error {
			_, err := f.s.UpdateDocument(ctx, f.doc.ID, docs.DocumentUpdate{Title: &title}, f.doc.Version+1, 0, base)
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
			shardsAfter := mustShardEpochs(t, f.s)
			if shardsAfter.Documents != after.Documents {
				t.Errorf("ShardEpochs().Documents = %d; want the document epoch, %d", shardsAfter.Documents, after.Documents)
			}
			if !tc.moves && shardsAfter.Shards != shardsBefore.Shards {
				t.Errorf("shard epochs moved; want them to stand still with the document epoch")
			}
		})
	}

	t.Run("the document epochs never take a value twice", func(t *testing.T) {
		f := setup(t)
		seen := map[int64]int{mustEpochs(t, f.s).Documents: 0}
		shardSeen := map[int64]int{mustShardEpochs(t, f.s).Shards[docs.ShardOf(f.doc.ID)]: 0}
		for i := 1; i <= 50; i++ {
			body := fmt.Sprintf("body %d", i)
			if _, err := f.s.UpdateDocument(ctx, f.doc.ID, docs.DocumentUpdate{Body: &body}, 0, 0, base); err != nil {
				t.Fatal(err)
			}
			e := mustShardEpochs(t, f.s)
			if j, ok := seen[e.Documents]; ok {
				t.Fatalf("document epoch %d after update %d was already taken after update %d; want a new value", e.Documents, i, j)
			}
			seen[e.Documents] = i
			shard := e.Shards[docs.ShardOf(f.doc.ID)]
			if j, ok := shardSeen[shard]; ok {
				t.Fatalf("shard epoch %d after update %d was already taken after update %d; want a new value", shard, i, j)
			}
			shardSeen[shard] = i
		}
	})

	t.Run("two databases start at different document epochs", func(t *testing.T) {
		a, b := mustShardEpochs(t, open(t)), mustShardEpochs(t, open(t))
		if a.Documents == b.Documents {
			t.Errorf("two new databases both start at document epoch %d; want each its own", a.Documents)
		}
		for k := range a.Shards {
			if a.Shards[k] == b.Shards[k] {
				t.Errorf("two new databases both start at epoch %d for shard %d; want each its own", a.Shards[k], k)
			}
		}
	})

	t.Run("DocumentWithEpoch reads the document with its shard's epoch", func(t *testing.T) {
		f := setup(t)
		before := mustShardEpochs(t, f.s)
		d, epoch, err := f.s.DocumentWithEpoch(ctx, f.doc.ID)
		if err != nil {
			t.Fatalf("DocumentWithEpoch = %v", err)
		}
		if want := before.Shards[docs.ShardOf(f.doc.ID)]; d.ID != f.doc.ID || epoch != want {
			t.Errorf("DocumentWithEpoch(%d) = document %d, epoch %d; want document %d, epoch %d", f.doc.ID, d.ID, epoch, f.doc.ID, want)
		}
		_, _, err = f.s.DocumentWithEpoch(ctx, f.doc.ID+1000)
		checkKind(t, "DocumentWithEpoch(missing)", err, docs.NotFound)
	})

	t.Run("a change moves the shard epochs of the documents it touches and no other", func(t *testing.T) {
		f := setup(t)
		other := mustDocument(t, f.s, f.admin, "admin's")
		moved := func(before docs.ShardEpochs) []int {
			after := mustShardEpochs(t, f.s)
			var out []int
			for k := range after.Shards {
				if after.Shards[k] != before.Shards[k] {
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
		if _, err := f.s.UpdateDocument(ctx, f.doc.ID, docs.DocumentUpdate{Title: &title}, 0, 0, base); err != nil {
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

	t.Run("a document epoch names one state of the document while edits go on", func(t *testing.T) {
		// The cache keeps a document with its shard's epoch, read with it,
		// and serves it while the document epoch is the one read with the
		// shard epochs: two reads with one value must see one version. A
		// bump committed before the edit, or after it, would show one
		// value with two.
		f := setup(t)
		const updates = 60
		k := docs.ShardOf(f.doc.ID)
		var (
			wg   sync.WaitGroup
			done = make(chan struct{})
			bad  []string
			// version maps each epoch value seen to the version seen with it.
			version = map[string]int64{}
		)
		saw := func(what string, epoch, v int64) {
			key := fmt.Sprintf("%s %d", what, epoch)
			if was, ok := version[key]; ok && was != v {
				bad = append(bad, fmt.Sprintf("at %s the document was at versions %d and %d", key, was, v))
			}
			version[key] = v
		}
		wg.Go(func() {
			defer close(done)
			for i := range updates {
				body := fmt.Sprintf("body %d", i+1)
				if _, err := f.s.UpdateDocument(ctx, f.doc.ID, docs.DocumentUpdate{Body: &body}, 0, 0, base); err != nil {
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
				s1, err1 := f.s.ShardEpochs(ctx)
				d, err2 := f.s.DocumentByID(ctx, f.doc.ID)
				s2, err3 := f.s.ShardEpochs(ctx)
				dw, epoch, err4 := f.s.DocumentWithEpoch(ctx, f.doc.ID)
				if err := errors.Join(err1, err2, err3, err4); err != nil {
					t.Errorf("reads during updates: %v", err)
					return
				}
				if s1 == s2 {
					saw("document epoch", s1.Documents, d.Version)
					saw("shard epoch", s1.Shards[k], d.Version)
				}
				saw("shard epoch", epoch, dw.Version)
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
