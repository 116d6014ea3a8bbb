package storetest

import (
	"context"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/docsd/docs/pkg/docs"
)

// RunRevisions runs the suite for a store's history. open must return two
// handles on one empty, migrated database, as two processes sharing it
// would have; it is called once per subtest and should register its own
// cleanup.
func RunRevisions(t *testing.T, open func(t *testing.T) (Store, Store)) {
	ctx := context.Background()
	one := func(t *testing.T) Store { s, _ := open(t); return s }
	at := func(minutes int) time.Time { return base.Add(time.Duration(minutes) * time.Minute) }

	t.Run("every committed change keeps one revision naming who made it, a refused one none, across processes", func(t *testing.T) {
		a, b := open(t)
		alice := mustUser(t, a, "alice", docs.RoleMember)
		bob := mustUser(t, b, "Bob", docs.RoleEditor)
		d := mustDocumentBody(t, a, alice, "v1", "one")
		if _, err := b.UpdateDocument(ctx, d.ID, docs.DocumentUpdate{Body: strp("two")}, 1, bob.ID, at(1)); err != nil {
			t.Fatalf("UpdateDocument(%d, ifVersion 1) on the second handle = %v", d.ID, err)
		}
		_, err := a.UpdateDocument(ctx, d.ID, docs.DocumentUpdate{Title: strp("lost")}, 1, alice.ID, at(2))
		checkKind(t, fmt.Sprintf("UpdateDocument(%d, ifVersion 1) on the first handle after the second's edit", d.ID), err, docs.PreconditionFailed)
		_, err = a.RevertDocument(ctx, d.ID, 1, 1, alice.ID, at(2))
		checkKind(t, fmt.Sprintf("RevertDocument(%d, to 1, ifVersion 1) with version 2 stored", d.ID), err, docs.PreconditionFailed)
		if _, err := a.UpdateDocument(ctx, d.ID, docs.DocumentUpdate{Title: strp("v3")}, 2, alice.ID, at(3)); err != nil {
			t.Fatalf("UpdateDocument(%d, ifVersion 2) = %v", d.ID, err)
		}
		want := []docs.Revision{
			{DocumentID: d.ID, Version: 3, Title: "v3", Body: "two", Author: docs.Author{ID: alice.ID, Username: "alice"}, By: docs.Author{ID: alice.ID, Username: "alice"}, CreatedAt: at(3)},
			{DocumentID: d.ID, Version: 2, Title: "v1", Body: "two", Author: docs.Author{ID: alice.ID, Username: "alice"}, By: docs.Author{ID: bob.ID, Username: "Bob"}, CreatedAt: at(1)},
			{DocumentID: d.ID, Version: 1, Title: "v1", Body: "one", Author: docs.Author{ID: alice.ID, Username: "alice"}, By: docs.Author{ID: alice.ID, Username: "alice"}, CreatedAt: base},
		}
		for _, s := range []Store{a, b} {
			checkRevisions(t, s, d.ID, want)
		}
	})

	t.Run("Revisions pages newest first from before a version", func(t *testing.T) {
		s := one(t)
		u := mustUser(t, s, "u", docs.RoleMember)
		d := mustDocument(t, s, u, "doc")
		other := mustDocument(t, s, u, "other")
		for i := range 4 {
			if _, err := s.UpdateDocument(ctx, d.ID, docs.DocumentUpdate{Body: strp(fmt.Sprint(i))}, 0, u.ID, at(i+1)); err != nil {
				t.Fatal(err)
			}
		}
		var got []int64
		after := int64(0)
		for range 10 {
			page, err := s.Revisions(ctx, d.ID, docs.Page{After: after, Limit: 2})
			if err != nil {
				t.Fatalf("Revisions(%d, after %d) = %v", d.ID, after, err)
			}
			if len(page) == 0 {
				break
			}
			for _, r := range page {
				if r.Body != "" {
					t.Errorf("Revisions(%d) version %d has body %q; want none in a list", d.ID, r.Version, r.Body)
				}
				got = append(got, r.Version)
			}
			after = page[len(page)-1].Version
		}
		if want := []int64{5, 4, 3, 2, 1}; !reflect.DeepEqual(got, want) {
			t.Errorf("Revisions(%d) paged by 2 = %v; want %v", d.ID, got, want)
		}
		if list, err := s.Revisions(ctx, other.ID, docs.Page{Limit: 10}); err != nil || len(list) != 1 {
			t.Errorf("Revisions(%d), an unedited document = %d revisions, %v; want 1", other.ID, len(list), err)
		}
		if list, err := s.Revisions(ctx, other.ID+1000, docs.Page{Limit: 10}); err != nil || len(list) != 0 {
			t.Errorf("Revisions(%d), no document = %d revisions, %v; want none", other.ID+1000, len(list), err)
		}
	})

	t.Run("a revision never changes, whatever happens to its document", func(t *testing.T) {
		a, b := open(t)
		alice := mustUser(t, a, "alice", docs.RoleMember)
		heir := mustUser(t, a, "heir", docs.RoleMember)
		d := mustDocumentBody(t, a, alice, "first", "one")
		before, err := b.Revision(ctx, d.ID, 1)
		if err != nil {
			t.Fatalf("Revision(%d, 1) = %v", d.ID, err)
		}
		if _, err := a.UpdateDocument(ctx, d.ID, docs.DocumentUpdate{Title: strp("second"), Body: strp("two")}, 1, alice.ID, at(1)); err != nil {
			t.Fatal(err)
		}
		if _, err := a.RevertDocument(ctx, d.ID, 1, 2, alice.ID, at(2)); err != nil {
			t.Fatalf("RevertDocument(%d, to 1) = %v", d.ID, err)
		}
		if err := a.DeleteUser(ctx, alice.ID, heir.ID, at(3)); err != nil {
			t.Fatal(err)
		}
		if err := a.DeleteDocument(ctx, d.ID); err != nil {
			t.Fatal(err)
		}
		after, err := b.Revision(ctx, d.ID, 1)
		if err != nil {
			t.Fatalf("Revision(%d, 1) after edits, a revert, its author's removal and its deletion = %v", d.ID, err)
		}
		if !reflect.DeepEqual(after, before) {
			t.Errorf("Revision(%d, 1) = %+v after changes; want %+v as before them", d.ID, *after, *before)
		}
	})

	t.Run("RevertDocument makes a version's title and body the next version", func(t *testing.T) {
		s := one(t)
		u := mustUser(t, s, "u", docs.RoleMember)
		ed := mustUser(t, s, "ed", docs.RoleEditor)
		d := mustDocumentBody(t, s, u, "first", "one")
		if _, err := s.UpdateDocument(ctx, d.ID, docs.DocumentUpdate{Title: strp("second"), Body: strp("two")}, 0, u.ID, at(1)); err != nil {
			t.Fatal(err)
		}
		got, err := s.RevertDocument(ctx, d.ID, 1, 2, ed.ID, at(2))
		if err != nil {
			t.Fatalf("RevertDocument(%d, to 1, ifVersion 2) = %v", d.ID, err)
		}
		if got.Version != 3 || got.Title != "first" || got.Body != "one" || got.Author.ID != u.ID {
			t.Errorf("RevertDocument(%d, to 1) = {Version:%d Title:%q Body:%q Author:%d}; want {3 first one %d}", d.ID, got.Version, got.Title, got.Body, got.Author.ID, u.ID)
		}
		r, err := s.Revision(ctx, d.ID, 3)
		if err != nil || r.By.ID != ed.ID || r.Title != "first" {
			t.Errorf("Revision(%d, 3) after the revert = %+v, %v; want by %d titled first", d.ID, r, err, ed.ID)
		}
		_, err = s.RevertDocument(ctx, d.ID, 9, 0, ed.ID, at(3))
		checkKind(t, fmt.Sprintf("RevertDocument(%d, to 9) with no version 9", d.ID), err, docs.Invalid)
		_, err = s.RevertDocument(ctx, d.ID+1000, 1, 0, ed.ID, at(3))
		checkKind(t, fmt.Sprintf("RevertDocument(%d), no document", d.ID+1000), err, docs.NotFound)
		checkVersions(t, s, d.ID, []int64{3, 2, 1})
	})

	t.Run("PruneRevisions keeps each document's newest N, the current one among them", func(t *testing.T) {
		a, b := open(t)
		u := mustUser(t, a, "u", docs.RoleMember)
		long := mustDocument(t, a, u, "long")
		short := mustDocument(t, a, u, "short")
		deleted := mustDocument(t, a, u, "deleted")
		for i := range 4 {
			for _, d := range []*docs.Document{long, deleted} {
				if _, err := a.UpdateDocument(ctx, d.ID, docs.DocumentUpdate{Body: strp(fmt.Sprint(i))}, 0, u.ID, at(i+1)); err != nil {
					t.Fatal(err)
				}
			}
		}
		if err := a.DeleteDocument(ctx, deleted.ID); err != nil {
			t.Fatal(err)
		}
		n, err := b.PruneRevisions(ctx, 2)
		if err != nil || n != 6 {
			t.Errorf("PruneRevisions(2) over 5, 1 and 5 (deleted) revisions = %d, %v; want 6", n, err)
		}
		checkVersions(t, a, long.ID, []int64{5, 4})
		checkVersions(t, a, short.ID, []int64{1})
		checkVersions(t, a, deleted.ID, []int64{5, 4})
		if n, err := b.PruneRevisions(ctx, 1); err != nil || n != 2 {
			t.Errorf("PruneRevisions(1) then = %d, %v; want 2", n, err)
		}
		checkVersions(t, a, long.ID, []int64{5})
		if got, err := a.RestoreDocument(ctx, deleted.ID, u.ID, at(9)); err != nil || got.Body != "3" {
			t.Errorf("RestoreDocument(%d) after pruning its history to one = %+v, %v; want its last body 3", deleted.ID, got, err)
		}
		if _, err := b.PruneRevisions(ctx, 0); err == nil {
			t.Errorf("PruneRevisions(0) = nil; want an error: 0 keeps all, and is never pruned")
		}
	})

	t.Run("a deleted document is gone from reads and keeps its history", func(t *testing.T) {
		a, b := open(t)
		u := mustUser(t, a, "u", docs.RoleMember)
		d := mustDocument(t, a, u, "doc")
		if _, err := a.UpdateDocument(ctx, d.ID, docs.DocumentUpdate{Body: strp("two")}, 0, u.ID, at(1)); err != nil {
			t.Fatal(err)
		}
		if err := b.DeleteDocument(ctx, d.ID); err != nil {
			t.Fatalf("DeleteDocument(%d) = %v", d.ID, err)
		}
		_, err := a.DocumentByID(ctx, d.ID)
		checkKind(t, fmt.Sprintf("DocumentByID(%d) after its deletion", d.ID), err, docs.NotFound)
		_, _, err = a.DocumentWithEpoch(ctx, d.ID)
		checkKind(t, fmt.Sprintf("DocumentWithEpoch(%d) after its deletion", d.ID), err, docs.NotFound)
		if list, err := a.ListDocuments(ctx, docs.Page{Limit: 10}); err != nil || len(list) != 0 {
			t.Errorf("ListDocuments after the only document's deletion = %d documents, %v; want none", len(list), err)
		}
		_, err = a.UpdateDocument(ctx, d.ID, docs.DocumentUpdate{Body: strp("x")}, 0, u.ID, at(2))
		checkKind(t, fmt.Sprintf("UpdateDocument(%d) after its deletion", d.ID), err, docs.NotFound)
		checkKind(t, fmt.Sprintf("DeleteDocument(%d) again", d.ID), a.DeleteDocument(ctx, d.ID), docs.NotFound)
		checkVersions(t, a, d.ID, []int64{2, 1})
		got, err := a.DeletedDocument(ctx, d.ID)
		if err != nil || got.Version != 2 || got.Body != "two" || got.Author != (docs.Author{ID: u.ID, Username: "u"}) {
			t.Errorf("DeletedDocument(%d) = %+v, %v; want version 2, body two, author u", d.ID, got, err)
		}
	})

	t.Run("RestoreDocument brings a deleted document back under its id as a new version", func(t *testing.T) {
		a, b := open(t)
		u := mustUser(t, a, "u", docs.RoleMember)
		admin := mustUser(t, a, "root", docs.RoleAdmin)
		d := mustDocumentBody(t, a, u, "doc", "one")
		if err := a.DeleteDocument(ctx, d.ID); err != nil {
			t.Fatal(err)
		}
		before := mustShardEpochs(t, b)
		got, err := b.RestoreDocument(ctx, d.ID, admin.ID, at(5))
		if err != nil {
			t.Fatalf("RestoreDocument(%d) = %v", d.ID, err)
		}
		if got.ID != d.ID || got.Version != 2 || got.Title != "doc" || got.Body != "one" || got.Author != (docs.Author{ID: u.ID, Username: "u"}) {
			t.Errorf("RestoreDocument(%d) = %+v; want the same id, version 2, its title, body and author", d.ID, *got)
		}
		checkTime(t, "restored CreatedAt", got.CreatedAt, base)
		checkTime(t, "restored UpdatedAt", got.UpdatedAt, at(5))
		if after := mustShardEpochs(t, a); after.Shards[docs.ShardOf(d.ID)] == before.Shards[docs.ShardOf(d.ID)] {
			t.Errorf("the shard epoch of document %d stayed %d across its restore; want it moved", d.ID, after.Shards[docs.ShardOf(d.ID)])
		}
		if read, err := a.DocumentByID(ctx, d.ID); err != nil || read.Version != 2 {
			t.Errorf("DocumentByID(%d) after the restore = %+v, %v; want version 2", d.ID, read, err)
		}
		if r, err := a.Revision(ctx, d.ID, 2); err != nil || r.By.ID != admin.ID {
			t.Errorf("Revision(%d, 2), the restore = %+v, %v; want by %d", d.ID, r, err, admin.ID)
		}
		_, err = a.RestoreDocument(ctx, d.ID, admin.ID, at(6))
		checkKind(t, fmt.Sprintf("RestoreDocument(%d) again", d.ID), err, docs.Conflict)
		_, err = a.DeletedDocument(ctx, d.ID)
		checkKind(t, fmt.Sprintf("DeletedDocument(%d), restored", d.ID), err, docs.Conflict)
		_, err = a.RestoreDocument(ctx, d.ID+1000, admin.ID, at(6))
		checkKind(t, fmt.Sprintf("RestoreDocument(%d), no document", d.ID+1000), err, docs.NotFound)
		checkVersions(t, a, d.ID, []int64{2, 1})
	})

	t.Run("a reassignment is a revision no user made, and moves deleted documents too", func(t *testing.T) {
		s := one(t)
		gone := mustUser(t, s, "gone", docs.RoleMember)
		heir := mustUser(t, s, "heir", docs.RoleMember)
		live := mustDocument(t, s, gone, "live")
		deleted := mustDocument(t, s, gone, "deleted")
		if err := s.DeleteDocument(ctx, deleted.ID); err != nil {
			t.Fatal(err)
		}
		if err := s.DeleteUser(ctx, gone.ID, heir.ID, at(1)); err != nil {
			t.Fatal(err)
		}
		checkRevisions(t, s, live.ID, []docs.Revision{
			{DocumentID: live.ID, Version: 2, Title: "live", Body: "body of live", Author: docs.Author{ID: heir.ID, Username: "heir"}, CreatedAt: at(1)},
			{DocumentID: live.ID, Version: 1, Title: "live", Body: "body of live", Author: docs.Author{ID: gone.ID, Username: "gone"}, By: docs.Author{ID: gone.ID, Username: "gone"}, CreatedAt: base},
		})
		if got, err := s.DeletedDocument(ctx, deleted.ID); err != nil || got.Author != (docs.Author{ID: heir.ID, Username: "heir"}) {
			t.Errorf("DeletedDocument(%d) after its author's removal to heir = %+v, %v; want heir's", deleted.ID, got, err)
		}
	})

	t.Run("a deleted document whose author was removed without an heir cannot be restored", func(t *testing.T) {
		s := one(t)
		gone := mustUser(t, s, "gone", docs.RoleMember)
		admin := mustUser(t, s, "root", docs.RoleAdmin)
		d := mustDocument(t, s, gone, "orphan")
		if err := s.DeleteDocument(ctx, d.ID); err != nil {
			t.Fatal(err)
		}
		if err := s.DeleteUser(ctx, gone.ID, 0, at(1)); err != nil {
			t.Fatalf("DeleteUser(%d, 0) of a user whose only document is deleted = %v; want nil", gone.ID, err)
		}
		_, err := s.RestoreDocument(ctx, d.ID, admin.ID, at(2))
		checkKind(t, fmt.Sprintf("RestoreDocument(%d) of a removed author", d.ID), err, docs.Conflict)
		checkVersions(t, s, d.ID, []int64{1})
	})
}

func strp(s string) *string { return &s }

// checkRevisions checks every revision of document id, newest first, in
// the list and one by one with its body.
func checkRevisions(t *testing.T, s Store, id int64, want []docs.Revision) {
	t.Helper()
	ctx := context.Background()
	list, err := s.Revisions(ctx, id, docs.Page{Limit: 100})
	if err != nil {
		t.Fatalf("Revisions(%d) = %v", id, err)
	}
	if len(list) != len(want) {
		t.Fatalf("Revisions(%d) = %d revisions; want %d", id, len(list), len(want))
	}
	for i, w := range want {
		got, err := s.Revision(ctx, id, w.Version)
		if err != nil {
			t.Fatalf("Revision(%d, %d) = %v", id, w.Version, err)
		}
		checkTime(t, fmt.Sprintf("Revision(%d, %d).CreatedAt", id, w.Version), got.CreatedAt, w.CreatedAt)
		w.CreatedAt = got.CreatedAt
		if !reflect.DeepEqual(*got, w) {
			t.Errorf("Revision(%d, %d) = %+v; want %+v", id, w.Version, *got, w)
		}
		w.Body = ""
		if *list[i] != w {
			t.Errorf("Revisions(%d)[%d] = %+v; want %+v", id, i, *list[i], w)
		}
	}
}

func checkVersions(t *testing.T, s Store, id int64, want []int64) {
	t.Helper()
	list, err := s.Revisions(context.Background(), id, docs.Page{Limit: 100})
	if err != nil {
		t.Fatalf("Revisions(%d) = %v", id, err)
	}
	var got []int64
	for _, r := range list {
		got = append(got, r.Version)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Revisions(%d) versions = %v; want %v", id, got, want)
	}
}
