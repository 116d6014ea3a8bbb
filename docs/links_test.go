package docs

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode"
)

// TestLinksResolve checks every relative link in README.md and docs/*.md.
func TestLinksResolve(t *testing.T) {
	pages, err := filepath.Glob("*.md")
	if err != nil {
		t.Fatal(err)
	}
	pages = append(pages, filepath.Join("..", "README.md"))
	if len(pages) < 2 {
		t.Fatalf("found the pages %v; want README.md and docs/*.md", pages)
	}
	for _, p := range pages {
		for _, broken := range brokenLinks(t, p) {
			t.Errorf("%s: %s", p, broken)
		}
	}
}

// TestBrokenLinksAreFound holds the check itself to what it is for: a link
// to a missing file or heading is reported, one inside code is not a link.
func TestBrokenLinksAreFound(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("docs/api.md", "# The API\n\n## Walkthrough with `curl`\n\n## Routes\n\n## Routes\n")
	write("README.md", strings.Join([]string{
		"# Title",
		"## Quick start",
		"[ok](docs/api.md) [ok](docs/api.md#walkthrough-with-curl) [ok](docs/api.md#routes-1)",
		"[ok](#quick-start) [ok](docs/) [ok](https://example.com/x.md#nowhere) [ok](docs/api.md \"title\")",
		"![a picture over",
		"two lines](docs/missing.png)",
		"[gone](docs/cli.md) [no heading](docs/api.md#route) [no heading here](#quickstart)",
		"`[code](nowhere.md)` and",
		"```",
		"[fenced](nowhere.md)",
		"```",
	}, "\n"))
	got := brokenLinks(t, filepath.Join(dir, "README.md"))
	want := []string{
		"docs/missing.png: no such file",
		"docs/cli.md: no such file",
		"docs/api.md#route: no such heading",
		"#quickstart: no such heading",
	}
	if !slices.Equal(got, want) {
		t.Errorf("brokenLinks = %q; want %q", got, want)
	}
}

var (
	fence    = regexp.MustCompile("(?m)^ {0,3}```[^\n]*\n(?s:.*?)^ {0,3}```[^\n]*$")
	codeSpan = regexp.MustCompile("`[^`]*`")
	link     = regexp.MustCompile(`!?\[[^\]]*\]\(([^)\s]+)(?:\s+"[^"]*")?\)`)
	heading  = regexp.MustCompile(`(?m)^#{1,6}[ \t]+(.+?)[ \t#]*$`)
	scheme   = regexp.MustCompile(`^[a-zA-Z][a-zA-Z0-9+.-]*:`)
)

// brokenLinks returns each relative link in the Markdown file at path whose
// file does not exist, or whose #anchor names no heading of that file.
func brokenLinks(t *testing.T, path string) []string {
	t.Helper()
	text, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	prose := codeSpan.ReplaceAllString(fence.ReplaceAllString(string(text), ""), "``")
	var broken []string
	for _, m := range link.FindAllStringSubmatch(prose, -1) {
		target := m[1]
		if scheme.MatchString(target) {
			continue // a web address: not ours to check offline
		}
		file, anchor, _ := strings.Cut(target, "#")
		resolved := path
		if file != "" {
			resolved = filepath.Join(filepath.Dir(path), filepath.FromSlash(file))
			if _, err := os.Stat(resolved); err != nil {
				broken = append(broken, target+": no such file")
				continue
			}
		}
		if anchor == "" {
			continue
		}
		if !strings.HasSuffix(resolved, ".md") {
			broken = append(broken, target+": an anchor in a file that is not Markdown")
			continue
		}
		if !slices.Contains(anchors(t, resolved), anchor) {
			broken = append(broken, target+": no such heading")
		}
	}
	return broken
}

// anchors returns the anchors GitHub gives the headings of a Markdown file:
// the text in lower case, without punctuation, spaces as hyphens, and a
// repeated one suffixed -1, -2 and so on.
func anchors(t *testing.T, path string) []string {
	t.Helper()
	text, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	prose := fence.ReplaceAllString(string(text), "")
	seen := map[string]int{}
	var out []string
	for _, m := range heading.FindAllStringSubmatch(prose, -1) {
		slug := strings.Map(func(r rune) rune {
			switch {
			case r == ' ':
				return '-'
			case r == '-' || r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r):
				return unicode.ToLower(r)
			}
			return -1
		}, strings.TrimSpace(m[1]))
		if n := seen[slug]; n > 0 {
			out = append(out, slug+"-"+strconv.Itoa(n))
		} else {
			out = append(out, slug)
		}
		seen[slug]++
	}
	return out
}
