package docsdcmd

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/docsd/docs/pkg/api/apitest"
)

// TestBackupUnderLoad takes a backup of a database that docsd is writing
// to: the copy passes integrity_check, and a docsd started on it serves
// every document that was acknowledged before the backup began.
func TestBackupUnderLoad(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "d.db")
	env := map[string]string{"DOCSD_DATABASE": db, "DOCSD_AUTH_BCRYPT_COST": "4"}
	mustSeed(t, env)
	base, stop := serve(t, env)
	defer stop() //nolint:errcheck // TestServe checks the shutdown
	ctx := context.Background()
	cookie := loginCookie(t, base, "bob")

	// Writers create documents until told to stop; each acknowledged id
	// and its title go in acked.
	var (
		mu      sync.Mutex
		acked   = map[int64]string{}
		failure error
		stopped atomic.Bool
		wg      sync.WaitGroup
	)
	changed := sync.NewCond(&mu)
	fail := func(err error) {
		mu.Lock()
		failure = err
		mu.Unlock()
		changed.Broadcast()
	}
	for w := range 3 {
		wg.Go(func() {
			for i := 0; !stopped.Load(); i++ {
				title := fmt.Sprintf("writer %d document %d", w, i)
				r, err := apitest.Send(ctx, http.DefaultClient, "POST", base+"/documents", cookie, nil, `{"title":"`+title+`","body":"b"}`)
				if err != nil || r.Status != 201 {
					fail(fmt.Errorf("POST /documents = %d %s, %w; want 201", r.Status, r.Body, err))
					return
				}
				var d struct{ ID int64 }
				if err := json.Unmarshal(r.Body, &d); err != nil {
					fail(err)
					return
				}
				mu.Lock()
				acked[d.ID] = title
				mu.Unlock()
				changed.Broadcast()
			}
		})
	}
	// waitFor waits until n documents are acknowledged.
	waitFor := func(n int) {
		t.Helper()
		mu.Lock()
		defer mu.Unlock()
		for len(acked) < n && failure == nil {
			changed.Wait()
		}
		if failure != nil {
			t.Fatal(failure)
		}
	}
	waitFor(50)
	mu.Lock()
	before := make(map[int64]string, len(acked))
	for id, title := range acked {
		before[id] = title
	}
	mu.Unlock()
	backup := filepath.Join(dir, "backup.db")
	out, errOut, code := docsd(t, env, "", "backup", backup)
	n := len(before)
	waitFor(n + 50) // the load went on during and after the backup
	stopped.Store(true)
	wg.Wait()
	if code != 0 {
		t.Fatalf("docsd backup under load: exit %d: %s", code, errOut)
	}
	if !strings.HasPrefix(out, "wrote "+backup) {
		t.Errorf("docsd backup printed %q; want it to name %s", out, backup)
	}
	if _, err := os.Stat(filepath.Join(dir, ".backup.db.partial")); err == nil {
		t.Error("the partial backup file was left behind")
	}

	check, err := sql.Open("sqlite", "file:"+backup+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	var result string
	if err := check.QueryRow("PRAGMA integrity_check").Scan(&result); err != nil || result != "ok" {
		t.Errorf("PRAGMA integrity_check on the backup = %q, %v; want ok", result, err)
	}
	check.Close()

	restored, stopRestored := serve(t, map[string]string{"DOCSD_DATABASE": backup, "DOCSD_AUTH_BCRYPT_COST": "4"})
	defer stopRestored() //nolint:errcheck // TestServe checks the shutdown
	// The session was in the database too: the copy accepts it.
	for id, title := range before {
		r, err := apitest.Send(ctx, http.DefaultClient, "GET", fmt.Sprintf("%s/documents/%d", restored, id), cookie, nil, "")
		if err != nil || r.Status != 200 || !strings.Contains(string(r.Body), `"title":"`+title+`"`) {
			t.Fatalf("GET /documents/%d from the restored backup = %d %s, %v; want 200 with title %q", id, r.Status, r.Body, err, title)
		}
	}
	t.Logf("%d documents acknowledged before the backup, all served from it; %d written in all", n, len(acked))

	t.Run("refuses to overwrite a file", func(t *testing.T) {
		_, errOut, code := docsd(t, env, "", "backup", backup)
		if code != 1 || !strings.Contains(errOut, "already exists") {
			t.Errorf("docsd backup onto an existing file = exit %d, %q; want 1 and \"already exists\"", code, errOut)
		}
	})
	t.Run("a PostgreSQL database points to pg_dump", func(t *testing.T) {
		_, errOut, code := docsd(t, map[string]string{"DOCSD_DATABASE": "postgres://postgres@127.0.0.1:5432/test"}, "", "backup", filepath.Join(dir, "pg.db"))
		if code != 2 || !strings.Contains(errOut, "pg_dump") {
			t.Errorf("docsd backup of a postgres:// database = exit %d, %q; want 2 and pg_dump", code, errOut)
		}
	})
}

// loginCookie logs user in with the demo password and returns the cookie.
func loginCookie(t *testing.T, base, user string) *http.Cookie {
	t.Helper()
	r, err := apitest.Send(context.Background(), http.DefaultClient, "POST", base+"/login", nil, nil, `{"username":"`+user+`","password":"password"}`)
	if err != nil || r.Status != 200 {
		t.Fatalf("login %s = %d, %v; want 200", user, r.Status, err)
	}
	for _, c := range (&http.Response{Header: r.Header}).Cookies() {
		if c.Name == "docs_session" {
			return c
		}
	}
	t.Fatalf("login %s: no session cookie", user)
	return nil
}
