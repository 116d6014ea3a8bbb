// Package storetest is the conformance suite for docsd's storage adapters.
// Every backend (SQLite now, PostgreSQL next) runs the same Run from its own
// tests, so the adapters cannot drift apart in what they promise the core:
// error kinds, case-insensitive usernames, optimistic locking, keyset
// pagination, session expiry, microsecond UTC times, the login throttle
// under parallel guesses, personal access tokens, and the epochs the
// caches rely on.
package storetest

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/docsd/docs/pkg/docs"
)

// Store is every storage interface a docsd backend implements, and the
// epochs that caches in front of it compare.
type Store interface {
	docs.UserStore
	docs.DocumentStore
	docs.RevisionStore
	docs.SessionStore
	docs.TokenStore
	docs.LoginFailureStore
	Epochs(ctx context.Context) (docs.Epochs, error)
	ShardEpochs(ctx context.Context) (docs.ShardEpochs, error)
	SessionUserWithEpoch(ctx context.Context, id string) (*docs.Session, *docs.User, int64, error)
	DocumentWithEpoch(ctx context.Context, id int64) (*docs.Document, int64, error)
}

// userDeleter is the user deletion some stores offer. Tests that need it
// skip on stores without it.
type userDeleter interface {
	DeleteUser(ctx context.Context, id, reassignTo int64, now time.Time) error
}

// base is the time the suite's records are created at. It has nanoseconds
// and a zone other than UTC, so a store that keeps either is caught.
var base = time.Date(2025, 3, 14, 15, 9, 26, 535897932, time.FixedZone("CET", 3600))

// Run runs the conformance suite. open must return an empty, migrated store
// that no other test uses; it is called once per subtest and should register
// its own cleanup.
func Run(t *testing.T, open func(t *testing.T) Store) {
	t.Run("users", func(t *testing.T) { testUsers(t, open) })
	t.Run("roles", func(t *testing.T) { testRoles(t, open) })
	t.Run("documents", func(t *testing.T) { testDocuments(t, open) })
	t.Run("pagination", func(t *testing.T) { testPagination(t, open) })
	t.Run("updates", func(t *testing.T) { testUpdates(t, open) })
	t.Run("sessions", func(t *testing.T) { testSessions(t, open) })
	t.Run("passwords", func(t *testing.T) { testPasswords(t, open) })
	t.Run("expiry", func(t *testing.T) { testExpiry(t, open) })
	t.Run("auth epoch", func(t *testing.T) { testAuthEpoch(t, open) })
	t.Run("document epoch", func(t *testing.T) { testDocumentEpoch(t, open) })
	t.Run("shards", func(t *testing.T) { testShards(t, open) })
	t.Run("login throttle", func(t *testing.T) { testThrottle(t, open) })
	t.Run("tokens", func(t *testing.T) { testTokens(t, open) })
}

func testUsers(t *testing.T, open func(t *testing.T) Store) {
	ctx := context.Background()

	t.Run("CreateUser sets an ID and UserByID returns the user as stored at microsecond precision in UTC", func(t *testing.T) {
		s := open(t)
		in := &docs.User{Username: "Alice", Role: docs.RoleEditor, PasswordHash: []byte("$2a$04$hash"), CreatedAt: base}
		if err := s.CreateUser(ctx, in); err != nil {
			t.Fatalf("CreateUser(%q) = %v; want nil", in.Username, err)
		}
		if in.ID <= 0 {
			t.Fatalf("CreateUser(%q) set ID %d; want > 0", in.Username, in.ID)
		}
		got, err := s.UserByID(ctx, in.ID)
		if err != nil {
			t.Fatalf("UserByID(%d) = %v; want nil", in.ID, err)
		}
		if got.ID != in.ID || got.Username != "Alice" || got.Role != docs.RoleEditor || string(got.PasswordHash) != "$2a$04$hash" {
			t.Errorf("UserByID(%d) = {ID:%d Username:%q Role:%q PasswordHash:%q}; want {ID:%d Username:%q Role:%q PasswordHash:%q}",
				in.ID, got.ID, got.Username, got.Role, got.PasswordHash, in.ID, "Alice", docs.RoleEditor, "$2a$04$hash")
		}
		checkTime(t, fmt.Sprintf("UserByID(%d).CreatedAt", in.ID), got.CreatedAt, base)
	})

	t.Run("usernames are unique regardless of case", func(t *testing.T) {
		s := open(t)
		mustUser(t, s, "alice", docs.RoleMember)
		for _, name := range []string{"alice", "ALICE", "Alice", "aLiCe"} {
			u := &docs.User{Username: name, Role: docs.RoleMember, PasswordHash: []byte("x"), CreatedAt: base}
			err := s.CreateUser(ctx, u)
			checkKind(t, fmt.Sprintf("CreateUser(%q) with %q taken", name, "alice"), err, docs.Conflict)
		}
		list, err := s.ListUsers(ctx, docs.Page{Limit: 10})
		if err != nil {
			t.Fatalf("ListUsers = %v", err)
		}
		if len(list) != 1 {
			t.Errorf("after refused duplicates ListUsers returned %d users; want 1", len(list))
		}
	})

	t.Run("UserByName finds a user in any case and keeps the stored spelling", func(t *testing.T) {
		s := open(t)
		want := mustUser(t, s, "Carol.D", docs.RoleMember)
		mustUser(t, s, "carol", docs.RoleMember)
		for _, name := range []string{"Carol.D", "carol.d", "CAROL.D", "cArOl.d"} {
			got, err := s.UserByName(ctx, name)
			if err != nil {
				t.Errorf("UserByName(%q) = %v; want user %d", name, err, want.ID)
				continue
			}
			if got.ID != want.ID || got.Username != "Carol.D" {
				t.Errorf("UserByName(%q) = {ID:%d Username:%q}; want {ID:%d Username:%q}", name, got.ID, got.Username, want.ID, "Carol.D")
			}
		}
	})

	t.Run("missing users are NotFound", func(t *testing.T) {
		s := open(t)
		u := mustUser(t, s, "dave", docs.RoleAdmin)
		missing := u.ID + 1000
		_, err := s.UserByID(ctx, missing)
		checkKind(t, fmt.Sprintf("UserByID(%d)", missing), err, docs.NotFound)
		_, err = s.UserByName(ctx, "nobody")
		checkKind(t, `UserByName("nobody")`, err, docs.NotFound)
		_, err = s.UserByName(ctx, "dav")
		checkKind(t, `UserByName("dav") with only "dave" stored`, err, docs.NotFound)
		_, err = s.SetRole(ctx, missing, docs.RoleEditor)
		checkKind(t, fmt.Sprintf("SetRole(%d, editor)", missing), err, docs.NotFound)
	})

	t.Run("ListUsers pages in id order", func(t *testing.T) {
		s := open(t)
		var want []int64
		for i := range 5 {
			want = append(want, mustUser(t, s, fmt.Sprintf("user%d", i), docs.RoleMember).ID)
		}
		var got []int64
		after := int64(0)
		for range 10 {
			page, err := s.ListUsers(ctx, docs.Page{After: after, Limit: 2})
			if err != nil {
				t.Fatalf("ListUsers(after %d, limit 2) = %v", after, err)
			}
			if len(page) == 0 {
				break
			}
			for _, u := range page {
				got = append(got, u.ID)
			}
			after = page[len(page)-1].ID
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("ListUsers pages of 2 gave ids %v; want %v", got, want)
		}
	})

	t.Run("deleting a user ends their sessions", func(t *testing.T) {
		s := open(t)
		del := mustDeleter(t, s)
		mustUser(t, s, "admin", docs.RoleAdmin)
		gone := mustUser(t, s, "gone", docs.RoleMember)
		kept := mustUser(t, s, "kept", docs.RoleMember)
		mustSession(t, s, "gone-1", gone.ID, base, base)
		mustSession(t, s, "gone-2", gone.ID, base, base)
		mustSession(t, s, "kept-1", kept.ID, base, base)
		if err := del.DeleteUser(ctx, gone.ID, 0, base); err != nil {
			t.Fatalf("DeleteUser(%d, 0) = %v; want nil", gone.ID, err)
		}
		for _, id := range []string{"gone-1", "gone-2"} {
			_, _, err := s.SessionUser(ctx, id)
			checkKind(t, fmt.Sprintf("SessionUser(%q) after deleting its user", id), err, docs.NotFound)
		}
		if _, _, err := s.SessionUser(ctx, "kept-1"); err != nil {
			t.Errorf("SessionUser(%q) of another user after DeleteUser = %v; want nil", "kept-1", err)
		}
	})
}

func testRoles(t *testing.T, open func(t *testing.T) Store) {
	ctx := context.Background()

	for _, role := range []docs.Role{docs.RoleMember, docs.RoleEditor} {
		t.Run(fmt.Sprintf("SetRole refuses to demote the last admin to %s", role), func(t *testing.T) {
			s := open(t)
			admin := mustUser(t, s, "root", docs.RoleAdmin)
			mustUser(t, s, "member", docs.RoleMember)
			_, err := s.SetRole(ctx, admin.ID, role)
			checkKind(t, fmt.Sprintf("SetRole(last admin, %s)", role), err, docs.Conflict)
			got := mustUserByID(t, s, admin.ID)
			if got.Role != docs.RoleAdmin {
				t.Errorf("after refused SetRole(last admin, %s) role = %q; want %q", role, got.Role, docs.RoleAdmin)
			}
		})
	}

	t.Run("SetRole demotes an admin when another admin exists", func(t *testing.T) {
		s := open(t)
		a := mustUser(t, s, "a", docs.RoleAdmin)
		b := mustUser(t, s, "b", docs.RoleMember)
		if _, err := s.SetRole(ctx, b.ID, docs.RoleAdmin); err != nil {
			t.Fatalf("SetRole(b, admin) = %v; want nil", err)
		}
		got, err := s.SetRole(ctx, a.ID, docs.RoleEditor)
		if err != nil {
			t.Fatalf("SetRole(a, editor) with b admin = %v; want nil", err)
		}
		if got.Role != docs.RoleEditor {
			t.Errorf("SetRole(a, editor) returned role %q; want %q", got.Role, docs.RoleEditor)
		}
		if stored := mustUserByID(t, s, a.ID); stored.Role != docs.RoleEditor {
			t.Errorf("after SetRole(a, editor) stored role = %q; want %q", stored.Role, docs.RoleEditor)
		}
		// b is now the only admin and is protected in turn.
		_, err = s.SetRole(ctx, b.ID, docs.RoleMember)
		checkKind(t, "SetRole(b, member) once b is the last admin", err, docs.Conflict)
	})

	t.Run("admins demoting each other at once never leave the server without an admin", func(t *testing.T) {
		s := open(t)
		const admins = 4
		ids := make([]int64, admins)
		for i := range ids {
			ids[i] = mustUser(t, s, fmt.Sprintf("admin%d", i), docs.RoleAdmin).ID
		}
		var (
			start = make(chan struct{})
			wg    sync.WaitGroup
			errs  = make([]error, admins)
		)
		for i, id := range ids {
			wg.Go(func() {
				<-start
				_, errs[i] = s.SetRole(ctx, id, docs.RoleMember)
			})
		}
		close(start)
		wg.Wait()
		demoted := 0
		for i, err := range errs {
			if err == nil {
				demoted++
				continue
			}
			checkKind(t, fmt.Sprintf("racing SetRole(admin%d, member)", i), err, docs.Conflict)
		}
		left := 0
		for _, id := range ids {
			if mustUserByID(t, s, id).Role == docs.RoleAdmin {
				left++
			}
		}
		if left != 1 || demoted != admins-1 {
			t.Errorf("%d admins demoting themselves at once: %d demoted, %d admins left; want %d demoted, 1 left", admins, demoted, left, admins-1)
		}
	})

	t.Run("SetRole keeps the last admin when asked to make it admin again", func(t *testing.T) {
		s := open(t)
		a := mustUser(t, s, "a", docs.RoleAdmin)
		if _, err := s.SetRole(ctx, a.ID, docs.RoleAdmin); err != nil {
			t.Errorf("SetRole(last admin, admin) = %v; want nil", err)
		}
	})

	t.Run("SetRole changes a non-admin's role freely", func(t *testing.T) {
		s := open(t)
		mustUser(t, s, "root", docs.RoleAdmin)
		m := mustUser(t, s, "m", docs.RoleMember)
		for _, role := range []docs.Role{docs.RoleEditor, docs.RoleMember, docs.RoleEditor} {
			got, err := s.SetRole(ctx, m.ID, role)
			if err != nil {
				t.Fatalf("SetRole(m, %s) = %v; want nil", role, err)
			}
			if got.Role != role || mustUserByID(t, s, m.ID).Role != role {
				t.Errorf("SetRole(m, %s): returned role %q; want %q in both result and store", role, got.Role, role)
			}
		}
	})

	t.Run("DeleteUser refuses to remove the last admin and moves none of their documents", func(t *testing.T) {
		s := open(t)
		del := mustDeleter(t, s)
		admin := mustUser(t, s, "root", docs.RoleAdmin)
		heir := mustUser(t, s, "heir", docs.RoleMember)
		doc := mustDocument(t, s, admin, "kept")
		err := del.DeleteUser(ctx, admin.ID, heir.ID, base)
		checkKind(t, "DeleteUser(last admin, reassigning to heir)", err, docs.Conflict)
		if got := mustUserByID(t, s, admin.ID); got.Role != docs.RoleAdmin {
			t.Errorf("after refused DeleteUser the last admin's role = %q; want %q", got.Role, docs.RoleAdmin)
		}
		got, err := s.DocumentByID(ctx, doc.ID)
		if err != nil {
			t.Fatalf("DocumentByID(%d) after refused DeleteUser = %v", doc.ID, err)
		}
		if got.Author.ID != admin.ID {
			t.Errorf("after refused DeleteUser the document's author = %d; want %d (nothing half-done)", got.Author.ID, admin.ID)
		}
	})

	t.Run("DeleteUser removes an admin when another admin exists", func(t *testing.T) {
		s := open(t)
		del := mustDeleter(t, s)
		gone := mustUser(t, s, "gone", docs.RoleAdmin)
		mustUser(t, s, "stays", docs.RoleAdmin)
		if err := del.DeleteUser(ctx, gone.ID, 0, base); err != nil {
			t.Fatalf("DeleteUser(admin, 0) with another admin = %v; want nil", err)
		}
		_, err := s.UserByID(ctx, gone.ID)
		checkKind(t, "UserByID after DeleteUser", err, docs.NotFound)
	})
}

func testDocuments(t *testing.T, open func(t *testing.T) Store) {
	ctx := context.Background()

	t.Run("CreateDocument sets ID, version 1 and the author's name", func(t *testing.T) {
		s := open(t)
		u := mustUser(t, s, "Erin", docs.RoleEditor)
		d := &docs.Document{Title: "T", Body: "B", Author: docs.Author{ID: u.ID}, CreatedAt: base, UpdatedAt: base}
		if err := s.CreateDocument(ctx, d); err != nil {
			t.Fatalf("CreateDocument = %v; want nil", err)
		}
		if d.ID <= 0 || d.Version != 1 || d.Author.Username != "Erin" {
			t.Errorf("CreateDocument set {ID:%d Version:%d Author.Username:%q}; want {ID:>0 Version:1 Author.Username:%q}", d.ID, d.Version, d.Author.Username, "Erin")
		}
		got, err := s.DocumentByID(ctx, d.ID)
		if err != nil {
			t.Fatalf("DocumentByID(%d) = %v; want nil", d.ID, err)
		}
		if got.ID != d.ID || got.Title != "T" || got.Body != "B" || got.Version != 1 || got.Author != (docs.Author{ID: u.ID, Username: "Erin"}) {
			t.Errorf("DocumentByID(%d) = {ID:%d Title:%q Body:%q Version:%d Author:%+v}; want {ID:%d Title:%q Body:%q Version:1 Author:{ID:%d Username:Erin}}",
				d.ID, got.ID, got.Title, got.Body, got.Version, got.Author, d.ID, "T", "B", u.ID)
		}
		checkTime(t, fmt.Sprintf("DocumentByID(%d).CreatedAt", d.ID), got.CreatedAt, base)
		checkTime(t, fmt.Sprintf("DocumentByID(%d).UpdatedAt", d.ID), got.UpdatedAt, base)
	})

	// The API creates a document for the user of the request's session. If
	// that user is removed between the session check and the insert, the
	// session has ended: the client should log in again, not be told that
	// something is missing or that the server failed.
	t.Run("CreateDocument by a removed author is Unauthorized and stores nothing", func(t *testing.T) {
		s := open(t)
		heir := mustUser(t, s, "heir", docs.RoleEditor)
		gone := mustUser(t, s, "gone", docs.RoleEditor)
		mustDocument(t, s, gone, "before")
		if err := s.DeleteUser(ctx, gone.ID, heir.ID, base); err != nil {
			t.Fatalf("DeleteUser(%d, %d) = %v; want nil", gone.ID, heir.ID, err)
		}
		d := &docs.Document{Title: "after", Body: "B", Author: docs.Author{ID: gone.ID}, CreatedAt: base, UpdatedAt: base}
		err := s.CreateDocument(ctx, d)
		checkKind(t, fmt.Sprintf("CreateDocument(author %d) after DeleteUser(%d)", gone.ID, gone.ID), err, docs.Unauthorized)
		list, err := s.ListDocuments(ctx, docs.Page{Limit: 10})
		if err != nil {
			t.Fatalf("ListDocuments = %v", err)
		}
		if len(list) != 1 || list[0].Title != "before" {
			t.Errorf("after the refused CreateDocument ListDocuments returned %d documents; want only %q", len(list), "before")
		}
	})

	t.Run("CreateDocument racing DeleteUser of its author either lands with the heir or is Unauthorized", func(t *testing.T) {
		s := open(t)
		heir := mustUser(t, s, "heir", docs.RoleEditor)
		gone := mustUser(t, s, "gone", docs.RoleEditor)
		const creates = 20
		errs := make([]error, creates)
		var wg sync.WaitGroup
		for i := range creates {
			wg.Go(func() {
				errs[i] = s.CreateDocument(ctx, &docs.Document{Title: fmt.Sprintf("racing %d", i), Author: docs.Author{ID: gone.ID}, CreatedAt: base, UpdatedAt: base})
			})
		}
		wg.Go(func() {
			if err := s.DeleteUser(ctx, gone.ID, heir.ID, base); err != nil {
				t.Errorf("DeleteUser(%d, %d) = %v; want nil", gone.ID, heir.ID, err)
			}
		})
		wg.Wait()
		landed := 0
		for i, err := range errs {
			if err == nil {
				landed++
				continue
			}
			checkKind(t, fmt.Sprintf("CreateDocument %d racing DeleteUser of its author", i), err, docs.Unauthorized)
		}
		list, err := s.ListDocuments(ctx, docs.Page{Limit: 2 * creates})
		if err != nil {
			t.Fatalf("ListDocuments = %v", err)
		}
		if len(list) != landed {
			t.Errorf("%d creates succeeded and ListDocuments returned %d documents; want the same", landed, len(list))
		}
		for _, d := range list {
			if d.Author.ID != heir.ID {
				t.Errorf("document %d (%q) has author %d after DeleteUser; want the heir %d", d.ID, d.Title, d.Author.ID, heir.ID)
			}
		}
	})

	t.Run("missing documents are NotFound", func(t *testing.T) {
		s := open(t)
		u := mustUser(t, s, "u", docs.RoleEditor)
		d := mustDocument(t, s, u, "t")
		missing := d.ID + 1000
		title := "x"
		_, err := s.DocumentByID(ctx, missing)
		checkKind(t, fmt.Sprintf("DocumentByID(%d)", missing), err, docs.NotFound)
		for _, ifVersion := range []int64{0, 1} {
			_, err = s.UpdateDocument(ctx, missing, docs.DocumentUpdate{Title: &title}, ifVersion, 0, base)
			checkKind(t, fmt.Sprintf("UpdateDocument(%d, ifVersion %d)", missing, ifVersion), err, docs.NotFound)
		}
		err = s.DeleteDocument(ctx, missing)
		checkKind(t, fmt.Sprintf("DeleteDocument(%d)", missing), err, docs.NotFound)
	})

	t.Run("DeleteDocument removes the document and a second delete is NotFound", func(t *testing.T) {
		s := open(t)
		u := mustUser(t, s, "u", docs.RoleEditor)
		d := mustDocument(t, s, u, "doomed")
		other := mustDocument(t, s, u, "kept")
		if err := s.DeleteDocument(ctx, d.ID); err != nil {
			t.Fatalf("DeleteDocument(%d) = %v; want nil", d.ID, err)
		}
		_, err := s.DocumentByID(ctx, d.ID)
		checkKind(t, fmt.Sprintf("DocumentByID(%d) after delete", d.ID), err, docs.NotFound)
		err = s.DeleteDocument(ctx, d.ID)
		checkKind(t, fmt.Sprintf("second DeleteDocument(%d)", d.ID), err, docs.NotFound)
		if _, err := s.DocumentByID(ctx, other.ID); err != nil {
			t.Errorf("DocumentByID(%d) of an undeleted document = %v; want nil", other.ID, err)
		}
	})

	t.Run("document ids are never reused after a delete", func(t *testing.T) {
		s := open(t)
		u := mustUser(t, s, "u", docs.RoleEditor)
		mustDocument(t, s, u, "one")
		last := mustDocument(t, s, u, "two")
		// Deleting the highest id is the case a plain rowid would reuse.
		if err := s.DeleteDocument(ctx, last.ID); err != nil {
			t.Fatalf("DeleteDocument(%d) = %v", last.ID, err)
		}
		next := mustDocument(t, s, u, "three")
		if next.ID <= last.ID {
			t.Errorf("CreateDocument after deleting id %d got id %d; want > %d", last.ID, next.ID, last.ID)
		}
	})
}

func testPagination(t *testing.T, open func(t *testing.T) Store) {
	ctx := context.Background()

	// walk lists every page of size limit from after 0 until an empty page
	// and returns the ids seen. between runs after each non-empty page.
	walk := func(t *testing.T, s Store, limit int, between func(page int)) []int64 {
		t.Helper()
		var ids []int64
		after := int64(0)
		for n := 0; ; n++ {
			if n > 100 {
				t.Fatalf("ListDocuments(limit %d) did not reach an empty page after %d pages", limit, n)
			}
			page, err := s.ListDocuments(ctx, docs.Page{After: after, Limit: limit})
			if err != nil {
				t.Fatalf("ListDocuments(after %d, limit %d) = %v", after, limit, err)
			}
			if len(page) > limit {
				t.Fatalf("ListDocuments(after %d, limit %d) returned %d documents; want at most %d", after, limit, len(page), limit)
			}
			if len(page) == 0 {
				return ids
			}
			for _, d := range page {
				if d.ID <= after {
					t.Errorf("ListDocuments(after %d) returned id %d; want ids > %d in increasing order", after, d.ID, after)
				}
				if d.Body != "" {
					t.Errorf("ListDocuments(after %d) returned document %d with body %q; want no body", after, d.ID, d.Body)
				}
				after = d.ID
				ids = append(ids, d.ID)
			}
			if between != nil {
				between(n)
			}
		}
	}

	t.Run("ListDocuments walks every document once in id order without bodies", func(t *testing.T) {
		s := open(t)
		u := mustUser(t, s, "Pat", docs.RoleEditor)
		var want []int64
		for i := range 7 {
			want = append(want, mustDocument(t, s, u, fmt.Sprintf("doc %d", i)).ID)
		}
		for _, limit := range []int{1, 3, 7, 50} {
			if got := walk(t, s, limit, nil); fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("ListDocuments pages of %d gave ids %v; want %v", limit, got, want)
			}
		}
	})

	t.Run("ListDocuments carries title, author, times and version", func(t *testing.T) {
		s := open(t)
		u := mustUser(t, s, "Pat", docs.RoleEditor)
		d := mustDocument(t, s, u, "listed")
		page, err := s.ListDocuments(ctx, docs.Page{Limit: 10})
		if err != nil || len(page) != 1 {
			t.Fatalf("ListDocuments(limit 10) = %d documents, %v; want 1, nil", len(page), err)
		}
		got := page[0]
		if got.ID != d.ID || got.Title != "listed" || got.Version != 1 || got.Author != (docs.Author{ID: u.ID, Username: "Pat"}) {
			t.Errorf("ListDocuments()[0] = {ID:%d Title:%q Version:%d Author:%+v}; want {ID:%d Title:listed Version:1 Author:{ID:%d Username:Pat}}",
				got.ID, got.Title, got.Version, got.Author, d.ID, u.ID)
		}
		checkTime(t, "ListDocuments()[0].CreatedAt", got.CreatedAt, base)
		checkTime(t, "ListDocuments()[0].UpdatedAt", got.UpdatedAt, base)
	})

	t.Run("ListDocuments with an author pages through that author's documents only", func(t *testing.T) {
		s := open(t)
		pat := mustUser(t, s, "Pat", docs.RoleEditor)
		sam := mustUser(t, s, "sam", docs.RoleEditor)
		var want []int64
		for i := range 5 {
			mustDocument(t, s, sam, fmt.Sprintf("sam %d", i))
			want = append(want, mustDocument(t, s, pat, fmt.Sprintf("pat %d", i)).ID)
		}
		var got []int64
		for after := int64(0); ; {
			page, err := s.ListDocuments(ctx, docs.Page{After: after, Limit: 2, Author: "pat"})
			if err != nil {
				t.Fatalf("ListDocuments(author pat, after %d) = %v", after, err)
			}
			if len(page) == 0 {
				break
			}
			for _, d := range page {
				if d.Author.ID != pat.ID || d.Author.Username != "Pat" {
					t.Errorf("ListDocuments(author pat) returned document %d by %+v; want only Pat's", d.ID, d.Author)
				}
				got = append(got, d.ID)
			}
			after = page[len(page)-1].ID
			if len(got) > len(want) {
				break
			}
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("ListDocuments(author pat) in pages of 2 gave ids %v; want %v (the username matched without regard to case)", got, want)
		}
		none, err := s.ListDocuments(ctx, docs.Page{Limit: 10, Author: "nobody"})
		if err != nil || len(none) != 0 {
			t.Errorf("ListDocuments(author nobody) = %d documents, %v; want 0, nil", len(none), err)
		}
	})

	t.Run("ListDocuments is empty after the last document", func(t *testing.T) {
		s := open(t)
		u := mustUser(t, s, "u", docs.RoleEditor)
		empty, err := s.ListDocuments(ctx, docs.Page{Limit: 10})
		if err != nil || len(empty) != 0 {
			t.Errorf("ListDocuments on an empty store = %d documents, %v; want 0, nil", len(empty), err)
		}
		d := mustDocument(t, s, u, "only")
		for _, after := range []int64{d.ID, d.ID + 1, d.ID + 1000} {
			page, err := s.ListDocuments(ctx, docs.Page{After: after, Limit: 10})
			if err != nil || len(page) != 0 {
				t.Errorf("ListDocuments(after %d, limit 10) with last id %d = %d documents, %v; want 0, nil", after, d.ID, len(page), err)
			}
		}
	})

	t.Run("ListDocuments pages stay stable while documents come and go", func(t *testing.T) {
		s := open(t)
		u := mustUser(t, s, "u", docs.RoleEditor)
		var all []*docs.Document
		for i := range 6 {
			all = append(all, mustDocument(t, s, u, fmt.Sprintf("doc %d", i)))
		}
		var added int64
		got := walk(t, s, 2, func(page int) {
			if page != 0 {
				return
			}
			// After the first page (ids 0 and 1): delete a document already
			// seen and one not yet seen, and add a new one. The walk must
			// neither repeat nor skip a surviving document.
			for _, d := range []*docs.Document{all[0], all[3]} {
				if err := s.DeleteDocument(ctx, d.ID); err != nil {
					t.Fatalf("DeleteDocument(%d) = %v", d.ID, err)
				}
			}
			added = mustDocument(t, s, u, "late").ID
		})
		want := []int64{all[0].ID, all[1].ID, all[2].ID, all[4].ID, all[5].ID, added}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("ListDocuments pages of 2, deleting %d and %d and adding one after page 1, gave ids %v; want %v",
				all[0].ID, all[3].ID, got, want)
		}
	})
}

func testUpdates(t *testing.T, open func(t *testing.T) Store) {
	ctx := context.Background()
	ptr := func(s string) *string { return &s }
	later := base.Add(90 * time.Minute)

	for _, tc := range []struct {
		name      string
		update    docs.DocumentUpdate
		bumps     int   // updates applied before the one under test
		ifVersion int64 // 0: any; -1: the current version
		wantTitle string
		wantBody  string
	}{
		{
			name:      "ifVersion 0 updates whatever the version",
			update:    docs.DocumentUpdate{Title: ptr("new title")},
			bumps:     2,
			ifVersion: 0,
			wantTitle: "new title", wantBody: "body",
		},
		{
			name:      "matching version changes only the title when only the title is given",
			update:    docs.DocumentUpdate{Title: ptr("new title")},
			ifVersion: -1,
			wantTitle: "new title", wantBody: "body",
		},
		{
			name:      "matching version changes only the body when only the body is given",
			update:    docs.DocumentUpdate{Body: ptr("new body")},
			bumps:     1,
			ifVersion: -1,
			wantTitle: "title", wantBody: "new body",
		},
		{
			name:      "matching version changes both fields when both are given",
			update:    docs.DocumentUpdate{Title: ptr("new title"), Body: ptr("")},
			ifVersion: -1,
			wantTitle: "new title", wantBody: "",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := open(t)
			u := mustUser(t, s, "u", docs.RoleEditor)
			d := mustDocumentBody(t, s, u, "title", "body")
			for i := range tc.bumps {
				if _, err := s.UpdateDocument(ctx, d.ID, docs.DocumentUpdate{}, 0, 0, base.Add(time.Duration(i+1)*time.Minute)); err != nil {
					t.Fatalf("UpdateDocument(%d, empty, 0) = %v", d.ID, err)
				}
			}
			before := int64(1 + tc.bumps)
			ifVersion := tc.ifVersion
			if ifVersion < 0 {
				ifVersion = before
			}
			got, err := s.UpdateDocument(ctx, d.ID, tc.update, ifVersion, 0, later)
			if err != nil {
				t.Fatalf("UpdateDocument(%d, ifVersion %d) at version %d = %v; want nil", d.ID, ifVersion, before, err)
			}
			stored, err := s.DocumentByID(ctx, d.ID)
			if err != nil {
				t.Fatalf("DocumentByID(%d) = %v", d.ID, err)
			}
			for _, doc := range []struct {
				what string
				d    *docs.Document
			}{{"returned", got}, {"stored", stored}} {
				if doc.d.Version != before+1 || doc.d.Title != tc.wantTitle || doc.d.Body != tc.wantBody || doc.d.Author.Username != "u" {
					t.Errorf("UpdateDocument(%d, ifVersion %d) at version %d: %s {Version:%d Title:%q Body:%q Author:%q}; want {Version:%d Title:%q Body:%q Author:u}",
						d.ID, ifVersion, before, doc.what, doc.d.Version, doc.d.Title, doc.d.Body, doc.d.Author.Username, before+1, tc.wantTitle, tc.wantBody)
				}
				checkTime(t, doc.what+" UpdatedAt", doc.d.UpdatedAt, later)
				checkTime(t, doc.what+" CreatedAt", doc.d.CreatedAt, base)
			}
		})
	}

	t.Run("a stale version is PreconditionFailed and changes nothing", func(t *testing.T) {
		s := open(t)
		u := mustUser(t, s, "u", docs.RoleEditor)
		d := mustDocumentBody(t, s, u, "title", "body")
		if _, err := s.UpdateDocument(ctx, d.ID, docs.DocumentUpdate{Title: ptr("second")}, 1, 0, base.Add(time.Minute)); err != nil {
			t.Fatalf("UpdateDocument(%d, ifVersion 1) = %v", d.ID, err)
		}
		before, err := s.DocumentByID(ctx, d.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, stale := range []int64{1, 3, 99} {
			_, err := s.UpdateDocument(ctx, d.ID, docs.DocumentUpdate{Title: ptr("lost"), Body: ptr("lost")}, stale, 0, later)
			checkKind(t, fmt.Sprintf("UpdateDocument(%d, ifVersion %d) at version 2", d.ID, stale), err, docs.PreconditionFailed)
		}
		after, err := s.DocumentByID(ctx, d.ID)
		if err != nil {
			t.Fatal(err)
		}
		if *after != *before {
			t.Errorf("after refused updates DocumentByID(%d) = %+v; want unchanged %+v", d.ID, *after, *before)
		}
	})

	// The author is part of what a GET returns, so a new author is a new
	// version: the ETag moves, and an If-Match from before is stale.
	t.Run("DeleteUser reassigning documents makes a new version of each, updated at the removal", func(t *testing.T) {
		s := open(t)
		heir := mustUser(t, s, "heir", docs.RoleEditor)
		gone := mustUser(t, s, "gone", docs.RoleEditor)
		edited := mustDocumentBody(t, s, gone, "edited", "body")
		if _, err := s.UpdateDocument(ctx, edited.ID, docs.DocumentUpdate{Title: ptr("edited once")}, 1, 0, base.Add(time.Minute)); err != nil {
			t.Fatalf("UpdateDocument(%d, ifVersion 1) = %v", edited.ID, err)
		}
		fresh := mustDocumentBody(t, s, gone, "fresh", "body")
		kept := mustDocumentBody(t, s, heir, "kept", "body")
		if err := s.DeleteUser(ctx, gone.ID, heir.ID, later); err != nil {
			t.Fatalf("DeleteUser(%d, %d) = %v; want nil", gone.ID, heir.ID, err)
		}
		for _, tc := range []struct {
			d       *docs.Document
			version int64
			updated time.Time
		}{
			{edited, 3, later},
			{fresh, 2, later},
			{kept, 1, base}, // the heir's own: not reassigned, not changed
		} {
			got, err := s.DocumentByID(ctx, tc.d.ID)
			if err != nil {
				t.Fatalf("DocumentByID(%d) = %v", tc.d.ID, err)
			}
			if got.Version != tc.version || got.Author != (docs.Author{ID: heir.ID, Username: "heir"}) {
				t.Errorf("DocumentByID(%d) %q after DeleteUser(%d, %d) = {Version:%d Author:%+v}; want {Version:%d Author:{ID:%d Username:heir}}",
					tc.d.ID, tc.d.Title, gone.ID, heir.ID, got.Version, got.Author, tc.version, heir.ID)
			}
			checkTime(t, fmt.Sprintf("DocumentByID(%d) %q after DeleteUser: UpdatedAt", tc.d.ID, tc.d.Title), got.UpdatedAt, tc.updated)
			checkTime(t, fmt.Sprintf("DocumentByID(%d) %q after DeleteUser: CreatedAt", tc.d.ID, tc.d.Title), got.CreatedAt, base)
		}
		_, err := s.UpdateDocument(ctx, fresh.ID, docs.DocumentUpdate{Title: ptr("lost")}, 1, 0, later)
		checkKind(t, fmt.Sprintf("UpdateDocument(%d, ifVersion 1) after its author was reassigned", fresh.ID), err, docs.PreconditionFailed)
	})

	t.Run("racing updates on one version: exactly one wins", func(t *testing.T) {
		s := open(t)
		u := mustUser(t, s, "u", docs.RoleEditor)
		d := mustDocumentBody(t, s, u, "title", "body")
		const writers = 8
		var (
			start = make(chan struct{})
			wg    sync.WaitGroup
			errs  = make([]error, writers)
		)
		for i := range writers {
			wg.Go(func() {
				<-start
				_, errs[i] = s.UpdateDocument(ctx, d.ID, docs.DocumentUpdate{Title: ptr(fmt.Sprintf("writer %d", i))}, 1, 0, later)
			})
		}
		close(start)
		wg.Wait()
		winner := oneWinner(t, "UpdateDocument of version 1 by writer", errs)
		got, err := s.DocumentByID(ctx, d.ID)
		if err != nil {
			t.Fatal(err)
		}
		if want := fmt.Sprintf("writer %d", winner); got.Version != 2 || got.Title != want {
			t.Errorf("after the race DocumentByID(%d) = {Version:%d Title:%q}; want {Version:2 Title:%q}", d.ID, got.Version, got.Title, want)
		}
	})
}

func testSessions(t *testing.T, open func(t *testing.T) Store) {
	ctx := context.Background()

	t.Run("CreateSession and SessionUser round-trip at microsecond precision in UTC", func(t *testing.T) {
		s := open(t)
		u := mustUser(t, s, "u", docs.RoleMember)
		seen := base.Add(time.Hour + 123456789)
		mustSession(t, s, "abc", u.ID, base, seen)
		got, _, err := s.SessionUser(ctx, "abc")
		if err != nil {
			t.Fatalf("SessionUser(%q) = %v; want nil", "abc", err)
		}
		if got.ID != "abc" || got.UserID != u.ID {
			t.Errorf("SessionUser(%q) = {ID:%q UserID:%d}; want {ID:%q UserID:%d}", "abc", got.ID, got.UserID, "abc", u.ID)
		}
		checkTime(t, "SessionUser.CreatedAt", got.CreatedAt, base)
		checkTime(t, "SessionUser.LastSeen", got.LastSeen, seen)
	})

	t.Run("SessionUser returns the session with its user as it is now", func(t *testing.T) {
		s := open(t)
		mustUser(t, s, "admin", docs.RoleAdmin)
		u := mustUser(t, s, "Carol", docs.RoleMember)
		seen := base.Add(time.Hour)
		mustSession(t, s, "abc", u.ID, base, seen)
		if _, err := s.SetRole(ctx, u.ID, docs.RoleEditor); err != nil {
			t.Fatal(err)
		}
		sess, user, err := s.SessionUser(ctx, "abc")
		if err != nil {
			t.Fatalf("SessionUser(%q) = %v; want nil", "abc", err)
		}
		if sess.ID != "abc" || sess.UserID != u.ID || user.ID != u.ID || user.Username != "Carol" || user.Role != docs.RoleEditor {
			t.Errorf("SessionUser(%q) = {ID:%q UserID:%d}, {ID:%d Username:%q Role:%q}; want {ID:%q UserID:%d}, {ID:%d Username:%q Role:%q}",
				"abc", sess.ID, sess.UserID, user.ID, user.Username, user.Role, "abc", u.ID, u.ID, "Carol", docs.RoleEditor)
		}
		checkTime(t, "SessionUser.CreatedAt", sess.CreatedAt, base)
		checkTime(t, "SessionUser.LastSeen", sess.LastSeen, seen)
		if _, _, err := s.SessionUser(ctx, "missing"); !docs.IsNotFound(err) {
			t.Errorf("SessionUser(%q) = %v; want NotFound", "missing", err)
		}
	})

	t.Run("missing sessions are NotFound", func(t *testing.T) {
		s := open(t)
		u := mustUser(t, s, "u", docs.RoleMember)
		mustSession(t, s, "abc", u.ID, base, base)
		for _, id := range []string{"", "ab", "ABC", "abcd"} {
			_, _, err := s.SessionUser(ctx, id)
			checkKind(t, fmt.Sprintf("SessionUser(%q) with only %q stored", id, "abc"), err, docs.NotFound)
		}
	})

	t.Run("TouchSession moves last seen and nothing else", func(t *testing.T) {
		s := open(t)
		u := mustUser(t, s, "u", docs.RoleMember)
		mustSession(t, s, "a", u.ID, base, base)
		mustSession(t, s, "b", u.ID, base, base)
		seen := base.Add(3*time.Hour + 999)
		if err := s.TouchSession(ctx, "a", seen); err != nil {
			t.Fatalf("TouchSession(%q) = %v; want nil", "a", err)
		}
		a, _, err := s.SessionUser(ctx, "a")
		if err != nil {
			t.Fatal(err)
		}
		checkTime(t, "touched session LastSeen", a.LastSeen, seen)
		checkTime(t, "touched session CreatedAt", a.CreatedAt, base)
		if a.UserID != u.ID {
			t.Errorf("touched session UserID = %d; want %d", a.UserID, u.ID)
		}
		b, _, err := s.SessionUser(ctx, "b")
		if err != nil {
			t.Fatal(err)
		}
		checkTime(t, "untouched session LastSeen", b.LastSeen, base)
	})

	t.Run("a session keeps the client address and user agent of its login", func(t *testing.T) {
		s := open(t)
		u := mustUser(t, s, "u", docs.RoleMember)
		in := &docs.Session{ID: "abc", UserID: u.ID, CreatedAt: base, LastSeen: base, ClientAddress: "2001:db8::7", UserAgent: "docs/1.0 (linux; ünïcode)"}
		if err := s.CreateSession(ctx, in, u.PasswordHash); err != nil {
			t.Fatalf("CreateSession(%q) = %v; want nil", in.ID, err)
		}
		got, err := s.UserSessions(ctx, u.ID)
		if err != nil || len(got) != 1 {
			t.Fatalf("UserSessions(%d) = %d sessions, %v; want 1, nil", u.ID, len(got), err)
		}
		if got[0].ID != "abc" || got[0].ClientAddress != in.ClientAddress || got[0].UserAgent != in.UserAgent {
			t.Errorf("UserSessions(%d)[0] = {ID:%q ClientAddress:%q UserAgent:%q}; want {ID:%q ClientAddress:%q UserAgent:%q}",
				u.ID, got[0].ID, got[0].ClientAddress, got[0].UserAgent, "abc", in.ClientAddress, in.UserAgent)
		}
	})

	t.Run("UserSessions lists one user's sessions oldest first with every field", func(t *testing.T) {
		s := open(t)
		u := mustUser(t, s, "u", docs.RoleMember)
		other := mustUser(t, s, "other", docs.RoleMember)
		for _, in := range []*docs.Session{
			{ID: "late", UserID: u.ID, CreatedAt: base.Add(2 * time.Hour), LastSeen: base.Add(3 * time.Hour), ClientAddress: "192.0.2.2", UserAgent: "curl/8"},
			{ID: "theirs", UserID: other.ID, CreatedAt: base, LastSeen: base},
			{ID: "early", UserID: u.ID, CreatedAt: base, LastSeen: base.Add(time.Hour + 1001), ClientAddress: "192.0.2.1", UserAgent: "docs/1"},
		} {
			if err := s.CreateSession(ctx, in, mustUserByID(t, s, in.UserID).PasswordHash); err != nil {
				t.Fatalf("CreateSession(%q) = %v", in.ID, err)
			}
		}
		got, err := s.UserSessions(ctx, u.ID)
		if err != nil {
			t.Fatalf("UserSessions(%d) = %v; want nil", u.ID, err)
		}
		var ids []string
		for _, g := range got {
			ids = append(ids, g.ID)
		}
		if fmt.Sprint(ids) != "[early late]" {
			t.Fatalf("UserSessions(%d) ids = %v; want [early late]", u.ID, ids)
		}
		if g := got[0]; g.UserID != u.ID || g.ClientAddress != "192.0.2.1" || g.UserAgent != "docs/1" {
			t.Errorf("UserSessions(%d)[0] = {UserID:%d ClientAddress:%q UserAgent:%q}; want {UserID:%d ClientAddress:%q UserAgent:%q}",
				u.ID, g.UserID, g.ClientAddress, g.UserAgent, u.ID, "192.0.2.1", "docs/1")
		}
		checkTime(t, "UserSessions[0].CreatedAt", got[0].CreatedAt, base)
		checkTime(t, "UserSessions[0].LastSeen", got[0].LastSeen, base.Add(time.Hour+1001))
		none, err := s.UserSessions(ctx, 999999)
		if err != nil || len(none) != 0 {
			t.Errorf("UserSessions(999999) = %d sessions, %v; want 0, nil", len(none), err)
		}
	})

	t.Run("DeleteUserSessions ends every session of one user and no other's", func(t *testing.T) {
		s := open(t)
		u := mustUser(t, s, "u", docs.RoleMember)
		other := mustUser(t, s, "other", docs.RoleMember)
		mustSession(t, s, "a", u.ID, base, base)
		mustSession(t, s, "b", u.ID, base, base)
		mustSession(t, s, "c", other.ID, base, base)
		n, err := s.DeleteUserSessions(ctx, u.ID)
		if err != nil || n != 2 {
			t.Fatalf("DeleteUserSessions(%d) = %d, %v; want 2, nil", u.ID, n, err)
		}
		if left, err := s.UserSessions(ctx, u.ID); err != nil || len(left) != 0 {
			t.Errorf("UserSessions(%d) after DeleteUserSessions = %d sessions, %v; want 0, nil", u.ID, len(left), err)
		}
		for _, id := range []string{"a", "b"} {
			if _, _, err := s.SessionUser(ctx, id); !docs.IsNotFound(err) {
				t.Errorf("SessionUser(%q) after DeleteUserSessions = %v; want NotFound", id, err)
			}
		}
		if _, _, err := s.SessionUser(ctx, "c"); err != nil {
			t.Errorf("SessionUser(%q) of another user after DeleteUserSessions = %v; want nil", "c", err)
		}
		if n, err := s.DeleteUserSessions(ctx, u.ID); err != nil || n != 0 {
			t.Errorf("second DeleteUserSessions(%d) = %d, %v; want 0, nil", u.ID, n, err)
		}
	})

	t.Run("DeleteSession ends one session and deleting it again is not an error", func(t *testing.T) {
		s := open(t)
		u := mustUser(t, s, "u", docs.RoleMember)
		mustSession(t, s, "a", u.ID, base, base)
		mustSession(t, s, "b", u.ID, base, base)
		if err := s.DeleteSession(ctx, "a"); err != nil {
			t.Fatalf("DeleteSession(%q) = %v; want nil", "a", err)
		}
		_, _, err := s.SessionUser(ctx, "a")
		checkKind(t, `SessionUser("a") after DeleteSession`, err, docs.NotFound)
		// A logout racing a login's rotation deletes the same row twice.
		if err := s.DeleteSession(ctx, "a"); err != nil {
			t.Errorf("second DeleteSession(%q) = %v; want nil", "a", err)
		}
		if _, _, err := s.SessionUser(ctx, "b"); err != nil {
			t.Errorf("SessionUser(%q) after deleting another session = %v; want nil", "b", err)
		}
	})
}

// testPasswords holds what keeps a password change final: a session is
// made only from the user's current hash, and a conditional change applies
// only from the current hash, atomically, whatever runs beside it.
func testPasswords(t *testing.T, open func(t *testing.T) Store) {
	ctx := context.Background()

	t.Run("CreateSession from a hash that is not the stored one is PreconditionFailed and stores nothing", func(t *testing.T) {
		s := open(t)
		u := mustUser(t, s, "u", docs.RoleMember)
		err := s.CreateSession(ctx, &docs.Session{ID: "abc", UserID: u.ID, CreatedAt: base, LastSeen: base}, []byte("an older hash"))
		checkKind(t, "CreateSession with a stale hash", err, docs.PreconditionFailed)
		_, _, err = s.SessionUser(ctx, "abc")
		checkKind(t, "SessionUser after a refused CreateSession", err, docs.NotFound)
	})

	t.Run("CreateSession for a missing user is PreconditionFailed", func(t *testing.T) {
		s := open(t)
		u := mustUser(t, s, "u", docs.RoleMember)
		err := s.CreateSession(ctx, &docs.Session{ID: "abc", UserID: u.ID + 1000, CreatedAt: base, LastSeen: base}, u.PasswordHash)
		checkKind(t, fmt.Sprintf("CreateSession for missing user %d", u.ID+1000), err, docs.PreconditionFailed)
	})

	t.Run("ChangePassword from the current hash applies and ends every session", func(t *testing.T) {
		s := open(t)
		u := mustUser(t, s, "u", docs.RoleMember)
		mustSession(t, s, "a", u.ID, base, base)
		if err := s.ChangePassword(ctx, u.ID, u.PasswordHash, []byte("new")); err != nil {
			t.Fatalf("ChangePassword from the current hash = %v; want nil", err)
		}
		if got := mustUserByID(t, s, u.ID).PasswordHash; string(got) != "new" {
			t.Errorf("hash after ChangePassword = %q; want %q", got, "new")
		}
		_, _, err := s.SessionUser(ctx, "a")
		checkKind(t, "SessionUser after ChangePassword", err, docs.NotFound)
	})

	t.Run("ChangePassword from a stale hash is PreconditionFailed and changes nothing", func(t *testing.T) {
		s := open(t)
		u := mustUser(t, s, "u", docs.RoleMember)
		mustSession(t, s, "a", u.ID, base, base)
		err := s.ChangePassword(ctx, u.ID, []byte("an older hash"), []byte("new"))
		checkKind(t, "ChangePassword from a stale hash", err, docs.PreconditionFailed)
		if got := mustUserByID(t, s, u.ID).PasswordHash; string(got) != string(u.PasswordHash) {
			t.Errorf("hash after a refused ChangePassword = %q; want %q", got, u.PasswordHash)
		}
		if _, _, err := s.SessionUser(ctx, "a"); err != nil {
			t.Errorf("SessionUser after a refused ChangePassword = %v; want nil", err)
		}
		err = s.ChangePassword(ctx, u.ID+1000, u.PasswordHash, []byte("new"))
		checkKind(t, fmt.Sprintf("ChangePassword of missing user %d", u.ID+1000), err, docs.NotFound)
	})

	t.Run("of changes racing from one current hash exactly one applies", func(t *testing.T) {
		s := open(t)
		u := mustUser(t, s, "u", docs.RoleMember)
		const changers = 8
		errs := make([]error, changers)
		var wg sync.WaitGroup
		for i := range changers {
			wg.Go(func() { errs[i] = s.ChangePassword(ctx, u.ID, u.PasswordHash, fmt.Appendf(nil, "new-%d", i)) })
		}
		wg.Wait()
		winner := oneWinner(t, "ChangePassword from one current hash by changer", errs)
		if got, want := string(mustUserByID(t, s, u.ID).PasswordHash), fmt.Sprintf("new-%d", winner); got != want {
			t.Errorf("stored hash = %q; want the winner's %q", got, want)
		}
	})

	for _, change := range []struct {
		name string
		do   func(s Store, u *docs.User) error
	}{
		{"SetPassword", func(s Store, u *docs.User) error { return s.SetPassword(ctx, u.ID, []byte("reset")) }},
		{"ChangePassword", func(s Store, u *docs.User) error {
			return s.ChangePassword(ctx, u.ID, u.PasswordHash, []byte("changed"))
		}},
		{"DeleteUser", func(s Store, u *docs.User) error { return s.DeleteUser(ctx, u.ID, 0, base) }},
	} {
		t.Run("sessions created from the old hash while "+change.name+" runs never outlive it", func(t *testing.T) {
			s := open(t)
			mustUser(t, s, "admin", docs.RoleAdmin)
			u := mustUser(t, s, "u", docs.RoleMember)
			made := racingSessions(t, s, u, func() error { return change.do(s, u) })
			for _, id := range made {
				_, _, err := s.SessionUser(ctx, id)
				checkKind(t, fmt.Sprintf("SessionUser(%q), created from the old hash, after %s returned", id, change.name), err, docs.NotFound)
			}
		})
	}
}

// racingSessions creates sessions of u from u's hash on several goroutines
// while change runs, as racing does: every attempt must succeed or be
// PreconditionFailed. It returns the ids of the sessions it made.
func racingSessions(t *testing.T, s Store, u *docs.User, change func() error) []string {
	t.Helper()
	return racing(t, "CreateSession", docs.PreconditionFailed, change, func(id string) (string, error) {
		return id, s.CreateSession(context.Background(), &docs.Session{ID: id, UserID: u.ID, CreatedAt: base, LastSeen: base}, u.PasswordHash)
	})
}

// racing calls create on several goroutines, each with names of its own,
// while change runs (each stops once an attempt fails: the change has
// landed), then once more each after change has returned. Every attempt
// must succeed or fail with refused, and every attempt made after the
// change must fail. It returns what the attempts that succeeded made.
func racing[T any](t *testing.T, what string, refused docs.Kind, change func() error, create func(name string) (T, error)) []T {
	t.Helper()
	const workers, attempts = 4, 25
	var (
		started, wg sync.WaitGroup
		changed     = make(chan struct{})
		mu          sync.Mutex
		made        []T
	)
	attempt := func(name string) error {
		v, err := create(name)
		switch {
		case err == nil:
			mu.Lock()
			made = append(made, v)
			mu.Unlock()
		case docs.KindOf(err) != refused:
			t.Errorf("%s(%q) racing the change = %v; want nil or a %s error", what, name, err, kindNames[refused])
		}
		return err
	}
	started.Add(workers)
	for w := range workers {
		wg.Go(func() {
			for i := range attempts {
				err := attempt(fmt.Sprintf("w%d-%d", w, i))
				if i == 0 {
					started.Done()
				}
				if err != nil {
					break
				}
			}
			<-changed
			after := fmt.Sprintf("w%d-after", w)
			if err := attempt(after); err == nil {
				t.Errorf("%s(%q) after the change returned = nil; want a %s error", what, after, kindNames[refused])
			}
		})
	}
	started.Wait()
	if err := change(); err != nil {
		t.Errorf("change racing %s = %v; want nil", what, err)
	}
	close(changed)
	wg.Wait()
	return made
}

func testExpiry(t *testing.T, open func(t *testing.T) Store) {
	ctx := context.Background()
	now := base.Add(30 * 24 * time.Hour)
	idleBefore := now.Add(-time.Hour)
	createdBefore := now.Add(-7 * 24 * time.Hour)

	type sess struct {
		id            string
		created, seen time.Time
		wantKept      bool
		why           string
	}
	for _, tc := range []struct {
		name     string
		sessions []sess
	}{
		{
			name: "DeleteExpiredSessions removes idle sessions and keeps live ones",
			sessions: []sess{
				{"live", now.Add(-2 * time.Hour), now.Add(-time.Minute), true, "seen a minute ago"},
				{"idle", now.Add(-2 * time.Hour), idleBefore.Add(-time.Microsecond), false, "idle a microsecond too long"},
				{"idle-long", now.Add(-6 * 24 * time.Hour), now.Add(-5 * 24 * time.Hour), false, "idle for days"},
			},
		},
		{
			name: "DeleteExpiredSessions removes sessions created too long ago however recently seen",
			sessions: []sess{
				{"live", now.Add(-6 * 24 * time.Hour), now, true, "six days old"},
				{"old", createdBefore.Add(-time.Microsecond), now, false, "a microsecond too old"},
				{"ancient", now.Add(-29 * 24 * time.Hour), now, false, "29 days old"},
			},
		},
		{
			name: "DeleteExpiredSessions keeps a session exactly at either limit",
			sessions: []sess{
				{"idle-limit", now.Add(-2 * time.Hour), idleBefore, true, "last seen exactly at idleBefore"},
				{"age-limit", createdBefore, now, true, "created exactly at createdBefore"},
			},
		},
		{
			name: "DeleteExpiredSessions counts nothing when nothing expired",
			sessions: []sess{
				{"a", now, now, true, "just created"},
				{"b", now.Add(-time.Hour), now.Add(-30 * time.Minute), true, "seen half an hour ago"},
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := open(t)
			u := mustUser(t, s, "u", docs.RoleMember)
			var wantGone int64
			for _, x := range tc.sessions {
				mustSession(t, s, x.id, u.ID, x.created, x.seen)
				if !x.wantKept {
					wantGone++
				}
			}
			n, err := s.DeleteExpiredSessions(ctx, idleBefore, createdBefore)
			if err != nil {
				t.Fatalf("DeleteExpiredSessions = %v; want nil", err)
			}
			if n != wantGone {
				t.Errorf("DeleteExpiredSessions = %d; want %d", n, wantGone)
			}
			for _, x := range tc.sessions {
				_, _, err := s.SessionUser(ctx, x.id)
				switch {
				case x.wantKept && err != nil:
					t.Errorf("session %q (%s): SessionUser after sweep = %v; want it kept", x.id, x.why, err)
				case !x.wantKept:
					checkKind(t, fmt.Sprintf("session %q (%s): SessionUser after sweep", x.id, x.why), err, docs.NotFound)
				}
			}
		})
	}
}

func mustUser(t *testing.T, s Store, name string, role docs.Role) *docs.User {
	t.Helper()
	u := &docs.User{Username: name, Role: role, PasswordHash: []byte("hash-of-" + name), CreatedAt: base}
	if err := s.CreateUser(context.Background(), u); err != nil {
		t.Fatalf("CreateUser(%q) = %v", name, err)
	}
	return u
}

// mustDeleter returns s as a userDeleter, skipping the test on a store
// that has no DeleteUser.
func mustDeleter(t *testing.T, s Store) userDeleter {
	t.Helper()
	del, ok := s.(userDeleter)
	if !ok {
		t.Skipf("%T has no DeleteUser", s)
	}
	return del
}

func mustUserByID(t *testing.T, s Store, id int64) *docs.User {
	t.Helper()
	u, err := s.UserByID(context.Background(), id)
	if err != nil {
		t.Fatalf("UserByID(%d) = %v", id, err)
	}
	return u
}

func mustDocument(t *testing.T, s Store, author *docs.User, title string) *docs.Document {
	t.Helper()
	return mustDocumentBody(t, s, author, title, "body of "+title)
}

func mustDocumentBody(t *testing.T, s Store, author *docs.User, title, body string) *docs.Document {
	t.Helper()
	d := &docs.Document{Title: title, Body: body, Author: docs.Author{ID: author.ID}, CreatedAt: base, UpdatedAt: base}
	if err := s.CreateDocument(context.Background(), d); err != nil {
		t.Fatalf("CreateDocument(%q) = %v", title, err)
	}
	return d
}

// mustSession creates a session of the user with id userID, checked
// against the user's hash as it is stored now.
func mustSession(t *testing.T, s Store, id string, userID int64, created, seen time.Time) {
	t.Helper()
	u := mustUserByID(t, s, userID)
	if err := s.CreateSession(context.Background(), &docs.Session{ID: id, UserID: userID, CreatedAt: created, LastSeen: seen}, u.PasswordHash); err != nil {
		t.Fatalf("CreateSession(%q) = %v", id, err)
	}
}

// oneWinner checks that exactly one of racing calls succeeded and that
// every other is PreconditionFailed, and returns the winner's index.
func oneWinner(t *testing.T, what string, errs []error) int {
	t.Helper()
	winner := -1
	for i, err := range errs {
		switch {
		case err == nil && winner >= 0:
			t.Errorf("%s %d and %d both succeeded; want exactly one", what, winner, i)
		case err == nil:
			winner = i
		default:
			checkKind(t, fmt.Sprintf("%s %d, which lost the race", what, i), err, docs.PreconditionFailed)
		}
	}
	if winner < 0 {
		t.Fatalf("none of %d calls of %s succeeded; want exactly one (errors: %v)", len(errs), what, errs)
	}
	return winner
}

// checkTime reports unless got is want cut to microseconds and put in UTC,
// which is what every store promises to give back.
func checkTime(t *testing.T, what string, got, want time.Time) {
	t.Helper()
	want = want.Truncate(time.Microsecond).UTC()
	if !got.Equal(want) || got.Location() != time.UTC {
		t.Errorf("%s = %v; want %v (microseconds, UTC)", what, got, want)
	}
}

var kindNames = map[docs.Kind]string{
	docs.Internal:           "Internal",
	docs.Invalid:            "Invalid",
	docs.Unauthorized:       "Unauthorized",
	docs.Forbidden:          "Forbidden",
	docs.NotFound:           "NotFound",
	docs.Conflict:           "Conflict",
	docs.PreconditionFailed: "PreconditionFailed",
}

func checkKind(t *testing.T, call string, err error, want docs.Kind) {
	t.Helper()
	if err == nil {
		t.Errorf("%s = nil; want a %s error", call, kindNames[want])
		return
	}
	if got := docs.KindOf(err); got != want {
		t.Errorf("%s = %v (kind %s); want kind %s", call, err, kindNames[got], kindNames[want])
	}
}
