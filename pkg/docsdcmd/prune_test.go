package docsdcmd

import (
	"context"
	"encoding/json"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/docsd/docs/pkg/api/apitest"
)

// TestServePrunesRevisions: with documents.keep_revisions set, docsd serve
// deletes the older revisions of every document at start, keeping the
// newest and never the current version.
func TestServePrunesRevisions(t *testing.T) {
	db := filepath.Join(t.TempDir(), "d.db")
	env := map[string]string{"DOCSD_DATABASE": db, "DOCSD_AUTH_BCRYPT_COST": "4"}
	mustSeed(t, env)
	base, stop := serve(t, env)
	ctx := context.Background()
	// No kept connections, so that each serve stops at once.
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	login, err := apitest.Send(ctx, client, "POST", base+"/login", nil, nil, `{"username":"alice","password":"password"}`)
	if err != nil || login.Status != http.StatusOK {
		t.Fatalf("login = %d, %v; want 200", login.Status, err)
	}
	cookie := (&http.Response{Header: login.Header}).Cookies()[0]
	for i := range 3 {
		r, err := apitest.Send(ctx, client, "PATCH", base+"/documents/1", cookie, nil, `{"body":"edit `+string(rune('a'+i))+`"}`)
		if err != nil || r.Status != http.StatusOK {
			t.Fatalf("PATCH = %d, %v; want 200", r.Status, err)
		}
	}
	versions := func(base string) []int64 {
		t.Helper()
		r, err := apitest.Send(ctx, client, "GET", base+"/documents/1/revisions", cookie, nil, "")
		if err != nil || r.Status != http.StatusOK {
			t.Fatalf("GET revisions = %d, %v; want 200", r.Status, err)
		}
		var list []struct{ Version int64 }
		if err := json.Unmarshal(r.Body, &list); err != nil {
			t.Fatal(err)
		}
		var out []int64
		for _, rev := range list {
			out = append(out, rev.Version)
		}
		return out
	}
	if got := versions(base); len(got) != 4 {
		t.Fatalf("revisions before pruning: %v; want 4", got)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}

	env["DOCSD_DOCUMENTS_KEEP_REVISIONS"] = "2"
	base, stop = serve(t, env)
	defer func() {
		if err := stop(); err != nil {
			t.Errorf("serve returned %v after shutdown; want nil", err)
		}
	}()
	// The sweep runs at start, beside the first requests: wait for it, up
	// to a deadline far beyond what it takes.
	deadline := time.Now().Add(30 * time.Second)
	for got := versions(base); len(got) != 2; got = versions(base) {
		if time.Now().After(deadline) {
			t.Fatalf("revisions with keep_revisions 2: %v; want the newest two, [4 3]", got)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if got := versions(base); got[0] != 4 || got[1] != 3 {
		t.Errorf("revisions kept: %v; want [4 3]", got)
	}
}
