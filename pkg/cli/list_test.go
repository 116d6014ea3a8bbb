package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/docsd/docs/internal/syncbuf"
	"github.com/docsd/docs/pkg/api/apitest"
	"github.com/docsd/docs/pkg/client"
)

// withDocuments is a harness over a server holding n more documents than
// the seed.
func withDocuments(t *testing.T, tty bool, n int) *harness {
	t.Helper()
	srv := apitest.NewServer(t)
	for i := range n {
		srv.CreateDocument(t, "bob", fmt.Sprintf("doc %d", i), "body")
	}
	return newHarnessWith(t, srv, tty, "")
}

func rows(out string) int { return strings.Count(out, "\n") - 1 } // less the header

func TestListLimits(t *testing.T) {
	h := withDocuments(t, true, 40) // 47 in all
	t.Run("30 by default, and a note that there are more", func(t *testing.T) {
		wantExit(t, h, h.run(t, "list"), exitOK, "list")
		if got := rows(h.out.String()); got != 30 {
			t.Errorf("list printed %d rows; want 30", got)
		}
		if !strings.Contains(h.err.String(), "there are more (--limit N, or --all)") {
			t.Errorf("stderr = %q; want the note that there are more", h.err)
		}
	})
	t.Run("-L N", func(t *testing.T) {
		wantExit(t, h, h.run(t, "list", "-L", "5"), exitOK, "list -L 5")
		if got := rows(h.out.String()); got != 5 {
			t.Errorf("list -L 5 printed %d rows; want 5", got)
		}
	})
	t.Run("-L 1 says the first document", func(t *testing.T) {
		wantExit(t, h, h.run(t, "list", "-L", "1"), exitOK, "list -L 1")
		if want := "Showing the first document; there are more"; !strings.Contains(h.err.String(), want) {
			t.Errorf("stderr = %q; want %q", h.err, want)
		}
	})
	t.Run("--all, with no note", func(t *testing.T) {
		wantExit(t, h, h.run(t, "list", "--all"), exitOK, "list --all")
		if got := rows(h.out.String()); got != 47 || h.err.Len() != 0 {
			t.Errorf("list --all printed %d rows, stderr %q; want 47 and no note", got, h.err)
		}
	})
	t.Run("--all -o json is the whole array", func(t *testing.T) {
		wantExit(t, h, h.run(t, "list", "--all", "-o", "json"), exitOK, "list --all -o json")
		var docs []client.Document
		if err := json.Unmarshal(h.out.Bytes(), &docs); err != nil || len(docs) != 47 {
			t.Fatalf("list --all -o json = %d documents (%v); want 47", len(docs), err)
		}
		var want bytes.Buffer
		if err := writeJSON(&want, docs); err != nil {
			t.Fatal(err)
		}
		if h.out.String() != want.String() {
			t.Errorf("streamed JSON differs from the array's indented JSON:\n%s\nwant:\n%s", h.out, want.String())
		}
	})
	for _, args := range [][]string{{"-L", "0"}, {"-L", "-1"}, {"-L", "3", "--all"}} {
		t.Run(strings.Join(args, " ")+" is a usage error", func(t *testing.T) {
			wantExit(t, h, h.run(t, append([]string{"list"}, args...)...), exitUsage, args...)
		})
	}
}

func TestListPrintsEachPageAsItArrives(t *testing.T) {
	srv := apitest.NewServer(t)
	for i := range 150 {
		srv.CreateDocument(t, "bob", fmt.Sprintf("doc %d", i), "body")
	}
	out := &syncbuf.Buffer{}
	var printedBefore []bool
	// In front of the engine: when a later page is asked for, note whether
	// the rows of the pages before it are on stdout already.
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("after") != "" {
			printedBefore = append(printedBefore, strings.Contains(out.String(), "\n"+r.URL.Query().Get("after")+"\t"))
		}
		srv.Config.Handler.ServeHTTP(w, r)
	}))
	t.Cleanup(front.Close)
	h := newHarnessWith(t, srv, false, "")
	h.env["DOCS_SERVER"] = front.URL
	h.f.IO.Out = out
	wantExit(t, h, h.run(t, "list", "--all"), exitOK, "list --all")
	if len(printedBefore) != 1 || !printedBefore[0] {
		t.Errorf("when page 2 was asked for, page 1 printed = %v; want [true]: rows printed as pages arrive", printedBefore)
	}
	if got := rows(out.String()); got != 157 {
		t.Errorf("printed %d rows; want 157", got)
	}
}

func TestListAuthor(t *testing.T) {
	srv := apitest.NewServer(t)
	// Interleaved, so that a next page that forgot the author would
	// bring carol's documents in.
	for i := range 110 {
		srv.CreateDocument(t, "bob", fmt.Sprintf("bob %d", i), "body")
		srv.CreateDocument(t, "carol", fmt.Sprintf("carol %d", i), "body")
	}
	h := newHarnessWith(t, srv, false, "")
	wantExit(t, h, h.run(t, "list", "--author", "bob", "--all", "-o", "json"), exitOK, "list --author bob --all")
	var docs []client.Document
	if err := json.Unmarshal(h.out.Bytes(), &docs); err != nil {
		t.Fatal(err)
	}
	for _, d := range docs {
		if d.Author.Username != "bob" {
			t.Fatalf("list --author bob listed document %d by %s", d.ID, d.Author.Username)
		}
	}
	if len(docs) != 112 { // 2 seeded + 110, over two pages
		t.Errorf("list --author bob --all listed %d documents; want 112", len(docs))
	}
	wantExit(t, h, h.run(t, "list", "--author", "nobody"), exitOK, "list --author nobody")
	if !strings.Contains(h.err.String(), "No documents.") {
		t.Errorf("stderr = %q; want No documents.", h.err)
	}
	wantExit(t, h, h.run(t, "list", "--author", "not a name"), exitError, "list --author 'not a name'")
	if !strings.Contains(h.err.String(), "400 Bad Request") || !strings.Contains(h.err.String(), "author must be a username") {
		t.Errorf("stderr = %q; want the server's 400 for the author", h.err)
	}
}
