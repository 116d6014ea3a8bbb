package api_test

import (
	"fmt"
	"testing"

	"github.com/docsd/docs/pkg/api/apitest"
	"github.com/docsd/docs/pkg/docs"
	"github.com/docsd/docs/pkg/postgres/pgtest"
)

// TestRestore takes the database of two replicas back in time with
// pg_dump and psql, as an operator restoring a backup does (a
// point-in-time recovery or a failover to a standby that was behind looks
// the same to docsd), then lets ordinary traffic replay as many changes as
// the restore undid. Neither replica may serve a document, a session or a
// role the database does not hold now: not the one that reads right after
// the restore, nor the one that made no request at all in between. With
// epochs that count, the replayed changes brought back the counts the
// replicas had cached under, and both served the deleted document and the
// removed admin's session.
func TestRestore(t *testing.T) {
	url := pgtest.URL(t)
	a := apitest.NewServerWith(t, apitest.Options{Backend: apitest.Database("postgres", url)})
	b := apitest.NewServerWith(t, apitest.Options{Share: a})
	dump := pgtest.Dump(t, url)

	// The history the restore undoes: alice writes a secret, carol logs
	// out, and an admin, dave, is added and logs in. Both replicas read
	// them.
	secret := documentOf(t, do(t, a, call{method: "POST", path: "/documents", body: `{"title":"SECRET","body":"alice's"}`, cookie: a.Login(t, "alice")}).Want(t, 201)).ID
	do(t, a, call{method: "DELETE", path: "/logout", cookie: a.Login(t, "carol")}).Want(t, 204)
	daveID := a.AddUser(t, "dave", docs.RoleAdmin)
	dave := a.Login(t, "dave")
	for _, srv := range []*apitest.Server{a, b} {
		do(t, srv, call{method: "GET", path: fmt.Sprintf("/documents/%d", secret), cookie: dave}).Want(t, 200)
		do(t, srv, call{method: "GET", path: "/me", cookie: dave}).Want(t, 200)
	}

	pgtest.Restore(t, url, dump)

	t.Run("right after the restore, a replica serves what the database holds", func(t *testing.T) {
		do(t, a, call{method: "GET", path: "/me", cookie: dave}).Want(t, 401)
		do(t, a, call{method: "GET", path: fmt.Sprintf("/documents/%d", secret), cookie: a.Login(t, "bob")}).Want(t, 404)
	})

	// Ordinary traffic after the restore: bob writes a document, which
	// takes the secret's id, and logs out; erin is added, with dave's id.
	bob := a.Login(t, "bob")
	if id := documentOf(t, do(t, a, call{method: "POST", path: "/documents", body: `{"title":"bob's","body":"public"}`, cookie: bob}).Want(t, 201)).ID; id != secret {
		t.Fatalf("bob's document has id %d; want the restored sequence to give it the secret's, %d", id, secret)
	}
	do(t, a, call{method: "DELETE", path: "/logout", cookie: bob}).Want(t, 204)
	if erin := a.AddUser(t, "erin", docs.RoleMember); erin != daveID {
		t.Fatalf("erin has id %d; want the restored sequence to give her dave's, %d", erin, daveID)
	}

	for _, srv := range []struct {
		name string
		*apitest.Server
	}{{"the replica that slept through it", b}, {"the replica that saw the restore", a}} {
		t.Run(srv.name+" serves only what the database holds", func(t *testing.T) {
			carol := srv.Login(t, "carol")
			if d := documentOf(t, do(t, srv.Server, call{method: "GET", path: fmt.Sprintf("/documents/%d", secret), cookie: carol}).Want(t, 200)); d.Title != "bob's" {
				t.Errorf("GET /documents/%d = %q; want bob's document, not the one the restore deleted", secret, d.Title)
			}
			do(t, srv.Server, call{method: "GET", path: "/me", cookie: dave}).Want(t, 401)
			do(t, srv.Server, call{method: "POST", path: "/documents", body: `{"title":"as erin","body":"x"}`, cookie: dave}).Want(t, 401)
			do(t, srv.Server, call{method: "PATCH", path: fmt.Sprintf("/users/%d", srv.Users["carol"]), body: `{"role":"admin"}`, cookie: dave}).Want(t, 401)
		})
	}
}
