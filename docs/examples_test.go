package docs

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/docsd/docs/pkg/api"
	"github.com/docsd/docs/pkg/client"
	"github.com/docsd/docs/pkg/version"
)

// openAPIListingCommand introduces, in api.md, the listing of every
// operation with its statuses and who may call it.
const openAPIListingCommand = "$ curl -s 127.0.0.1:5555/openapi.json | …print method, path, statuses, credentials…"

// TestOpenAPIListingIsTheServers keeps api.md's listing of the OpenAPI
// description what docsd serves with the default skip list: a route, a
// status or a credential added to the description shows here or fails.
func TestOpenAPIListingIsTheServers(t *testing.T) {
	b, err := api.OpenAPI(api.DefaultSkipList(), client.SessionCookie)
	if err != nil {
		t.Fatal(err)
	}
	want := openAPIListing(t, b)
	got := block(t, "api.md", openAPIListingCommand)
	if got != want {
		t.Errorf("api.md's OpenAPI listing:\n%s\nwant, from api.OpenAPI:\n%s", got, want)
	}
}

// openAPIListing prints "METHOD PATH STATUSES WHO" for each operation,
// sorted by path and method; WHO is "public", or the credentials that
// will do: "cookie", "token:SCOPE".
func openAPIListing(t *testing.T, description []byte) string {
	var doc struct {
		Paths map[string]map[string]struct {
			Responses map[string]any
			Security  []map[string][]string
		}
	}
	if err := json.Unmarshal(description, &doc); err != nil {
		t.Fatal(err)
	}
	var rows [][3]string
	for path, ops := range doc.Paths {
		for method, op := range ops {
			statuses := make([]string, 0, len(op.Responses))
			for s := range op.Responses {
				statuses = append(statuses, s)
			}
			slices.Sort(statuses)
			who := credentials(op.Security)
			rows = append(rows, [3]string{fmt.Sprintf("%-6s %s", strings.ToUpper(method), path), strings.Join(statuses, " "), who})
		}
	}
	slices.SortFunc(rows, func(a, b [3]string) int {
		pa, pb := strings.Fields(a[0]), strings.Fields(b[0])
		if c := strings.Compare(pa[1], pb[1]); c != 0 {
			return c
		}
		return strings.Compare(pa[0], pb[0])
	})
	width := 0
	for _, r := range rows {
		width = max(width, len(r[0]))
	}
	var sb strings.Builder
	for _, r := range rows {
		fmt.Fprintf(&sb, "%-*s  %s  %s\n", width, r[0], r[1], r[2])
	}
	return sb.String()
}

// credentials says who may call an operation: "public" when one of its
// security requirements is empty, else each scheme it takes.
func credentials(security []map[string][]string) string {
	var who []string
	for _, req := range security {
		switch {
		case len(req) == 0:
			return "public"
		case req["docsSession"] != nil:
			who = append(who, "cookie")
		case req["docsToken"] != nil:
			who = append(who, "token:"+strings.Join(req["docsToken"], ","))
		}
	}
	if len(who) == 0 {
		return "public" // no requirement at all
	}
	return strings.Join(who, " ")
}

// block returns the lines of page that follow the line first, up to the
// end of the code block they are in.
func block(t *testing.T, page, first string) string {
	b, err := os.ReadFile(page)
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(b), first+"\n")
	if !ok {
		t.Fatalf("%s has no line %q", page, first)
	}
	body, _, ok := strings.Cut(rest, "```")
	if !ok {
		t.Fatalf("%s: the block after %q does not end", page, first)
	}
	return body
}

// TestStartupLinesNameTheDefaultSkipList: a start-up line shown for a
// docsd with no config file names the skip list docsd has by default,
// and the build_info metric shows the version a build from this tree
// reports.
func TestStartupLinesNameTheDefaultSkipList(t *testing.T) {
	pages, err := filepath.Glob("*.md")
	if err != nil {
		t.Fatal(err)
	}
	pages = append(pages, filepath.Join("..", "README.md"))
	skip := regexp.MustCompile(`config=none .*public_routes=(\S+)`)
	buildInfo := regexp.MustCompile(`docsd_build_info\{[^}]*version="([^"]*)"`)
	want := strings.Join(api.DefaultSkipList(), ",")
	for _, p := range pages {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range skip.FindAllStringSubmatch(string(b), -1) {
			if m[1] != want {
				t.Errorf("%s: a start-up line with config=none says public_routes=%s; want %s", p, m[1], want)
			}
		}
		for _, m := range buildInfo.FindAllStringSubmatch(string(b), -1) {
			if m[1] != version.String() {
				t.Errorf("%s: docsd_build_info says version=%q; want %q", p, m[1], version.String())
			}
		}
	}
}
