package docs

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// The pages' sessions of the docs CLI are marked for this test with a
// comment Markdown does not render, on the line before the block's fence:
//
//	<!-- walkthrough: tokens -->           the whole of a story, in order
//	<!-- walkthrough: history excerpt -->  some of its commands, in order
//
// A story is one run of scripts/docs-walkthrough.sh (WALKTHROUGH_STORY).

// walkthroughScript is the script, from this package's directory.
const walkthroughScript = "../scripts/docs-walkthrough.sh"

// notShown are the stories of the script no page shows as text, with why.
var notShown = map[string]string{
	"short": "the README's picture, assets/docs-session.png (scripts/screenshot.sh)",
}

var walkthroughMarker = regexp.MustCompile(`^walkthrough: ([a-z]+)( excerpt)?$`)

// walkthroughBlock is a marked session of a page.
type walkthroughBlock struct {
	markedBlock
	story   string
	excerpt bool
	entries []entry
}

// walkthroughBlocks returns the marked sessions of README.md and
// docs/*.md, each parsed, or fails the test.
func walkthroughBlocks(t *testing.T) []walkthroughBlock {
	t.Helper()
	pages, err := filepath.Glob("*.md")
	if err != nil {
		t.Fatal(err)
	}
	pages = append(pages, filepath.Join("..", "README.md"))
	var blocks []walkthroughBlock
	for _, p := range pages {
		marked, err := markedBlocks(p, "walkthrough")
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range marked {
			sub := walkthroughMarker.FindStringSubmatch(m.marker)
			if sub == nil {
				t.Fatalf("%s:%d: <!-- %s -->; want <!-- walkthrough: STORY --> or <!-- walkthrough: STORY excerpt -->", p, m.at, m.marker)
			}
			entries, err := parseSession(m.lines)
			if err != nil {
				t.Fatalf("%s: the %s block: %v", p, m.marker, err)
			}
			if len(entries) == 0 {
				t.Fatalf("%s:%d: the %s block has no command", p, m.at, m.marker)
			}
			blocks = append(blocks, walkthroughBlock{markedBlock: m, story: sub[1], excerpt: sub[2] != "", entries: entries})
		}
	}
	return blocks
}

// scriptStories returns the stories scripts/docs-walkthrough.sh knows, from
// the case statement that checks WALKTHROUGH_STORY.
func scriptStories(t *testing.T) []string {
	t.Helper()
	b, err := os.ReadFile(walkthroughScript)
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^case \$story in ([a-z|]+)\)`).FindSubmatch(b)
	if m == nil {
		t.Fatalf("%s: no line `case $story in a|b|c)` listing the stories", repoPath(walkthroughScript))
	}
	return strings.Split(string(m[1]), "|")
}

// TestEveryStoryIsShownOnce: each story the walkthrough script replays is
// on a page, whole, exactly once (or is named in notShown), and every
// marked block names a story the script has. So a story added to the
// script without its page, or a page's session the script does not
// replay, fails here, without a keyring.
func TestEveryStoryIsShownOnce(t *testing.T) {
	stories := scriptStories(t)
	whole := map[string][]string{}
	for _, b := range walkthroughBlocks(t) {
		if !slices.Contains(stories, b.story) {
			t.Errorf("%s:%d: the block is marked as story %q, which %s does not have (it has %v)", b.page, b.at, b.story, repoPath(walkthroughScript), stories)
		}
		if !b.excerpt {
			whole[b.story] = append(whole[b.story], fmt.Sprintf("%s:%d", b.page, b.at))
		}
	}
	for _, s := range stories {
		_, exempt := notShown[s]
		switch {
		case exempt && len(whole[s]) > 0:
			t.Errorf("story %q is shown at %v but listed in notShown", s, whole[s])
		case !exempt && len(whole[s]) != 1:
			t.Errorf("story %q of %s is shown whole at %v; want exactly one block marked <!-- walkthrough: %s -->", s, repoPath(walkthroughScript), whole[s], s)
		}
	}
}

// TestWalkthroughsAreRealOutput runs each story of
// scripts/docs-walkthrough.sh against a fresh docsd and the session's real
// Secret Service, and compares what it printed with the pages: a whole
// story's block line for line, an excerpt's commands in order. Only the
// parts in varying are normalised.
func TestWalkthroughsAreRealOutput(t *testing.T) {
	if os.Getenv("DOCS_E2E") == "" {
		t.Skip("end-to-end tests skipped: set DOCS_E2E=1 and run them under a D-Bus session with an unlocked Secret Service, as scripts/e2e.sh does")
	}
	if os.Getenv("DBUS_SESSION_BUS_ADDRESS") == "" {
		t.Skip("end-to-end tests skipped: no D-Bus session (DBUS_SESSION_BUS_ADDRESS is empty); run scripts/e2e.sh")
	}
	blocks := walkthroughBlocks(t)
	for _, story := range scriptStories(t) {
		if _, ok := notShown[story]; ok {
			continue
		}
		t.Run(story, func(t *testing.T) {
			real, addr := runStory(t, story)
			for _, b := range blocks {
				if b.story != story {
					continue
				}
				if b.excerpt {
					for _, p := range checkExcerpt(b.page, b.entries, real, addr) {
						t.Errorf("%s:%d: the excerpt of story %q is not the real output of WALKTHROUGH_STORY=%s %s (after normalising):\n%s", b.page, b.at, story, story, repoPath(walkthroughScript), p)
					}
					continue
				}
				if d := diffSession(b.page, flatten(b.entries, ""), flatten(real, addr)); d != "" {
					t.Errorf("%s:%d: story %q differs from the real output of WALKTHROUGH_STORY=%s %s (- the page, + real, after normalising):\n%s",
						b.page, b.at, story, story, repoPath(walkthroughScript), d)
				}
			}
		})
	}
}

// runStory runs one story of the walkthrough script on a free port and
// returns its session, aligned as the pages show it, and the server's
// address.
func runStory(t *testing.T, story string) ([]entry, string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_, port, _ := net.SplitHostPort(addr)
	ln.Close()

	cmd := exec.Command("bash", walkthroughScript)
	cmd.Env = append(os.Environ(), "WALKTHROUGH_STORY="+story, "PORT="+port)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("WALKTHROUGH_STORY=%s %s: %v\n%s", story, repoPath(walkthroughScript), err, stderr.Bytes())
	}
	var lines []line
	for _, l := range strings.Split(strings.TrimSuffix(stdout.String(), "\n"), "\n") {
		lines = append(lines, line{0, l})
	}
	entries, err := parseSession(lines)
	if err != nil {
		t.Fatalf("WALKTHROUGH_STORY=%s %s printed what is not a session: %v\n%s", story, repoPath(walkthroughScript), err, stdout.Bytes())
	}
	for i := range entries {
		entries[i].out = alignTables(entries[i].out)
	}
	return entries, addr
}

// TestADocumentedLineChangedFails holds the comparison to what it is for:
// a page's line that differs from the real output is reported with its
// file and line, in a whole story and in an excerpt, and what varies
// between runs is not.
func TestADocumentedLineChangedFails(t *testing.T) {
	page := func(text string) []entry {
		t.Helper()
		var lines []line
		for i, l := range strings.Split(text, "\n") {
			lines = append(lines, line{i + 10, l})
		}
		entries, err := parseSession(lines)
		if err != nil {
			t.Fatal(err)
		}
		return entries
	}
	const addr = "127.0.0.1:40123"
	real := page("$ docs token list\n" +
		"ID\tNAME\tSCOPES\tEXPIRES\tLAST USED\n" +
		"1\tci\tread,write\t2027-01-05T22:28:16Z\tnever\n" +
		"[exit 0]\n" +
		"\n" +
		"$ docs get 1\n" +
		"Error: 401 Unauthorized: log in first\n" +
		"No session is stored for http://127.0.0.1:40123.\n" +
		"[exit 4]\n")
	for i := range real {
		real[i].out = alignTables(real[i].out)
	}
	documented := "$ docs token list\n" +
		"ID  NAME  SCOPES      EXPIRES               LAST USED\n" +
		"1   ci    read,write  2027-01-05T20:03:28Z  never\n" +
		"[exit 0]\n" +
		"\n" +
		"$ docs get 1\n" +
		"Error: 401 Unauthorized: log in first\n" +
		"No session is stored for http://127.0.0.1:5555.\n" +
		"[exit 4]\n"

	t.Run("the same but for times and the port", func(t *testing.T) {
		if d := diffSession("cli.md", flatten(page(documented), ""), flatten(real, addr)); d != "" {
			t.Errorf("diffSession found differences:\n%s", d)
		}
		if p := checkExcerpt("README.md", page("$ docs get 1\n…\n[exit 4]"), real, addr); p != nil {
			t.Errorf("checkExcerpt = %q; want nothing", p)
		}
	})
	t.Run("a changed output line", func(t *testing.T) {
		changed := strings.Replace(documented, "log in first", "log in", 1)
		want := "cli.md:16: - Error: 401 Unauthorized: log in\n" +
			"cli.md:16: + Error: 401 Unauthorized: log in first\n"
		if d := diffSession("cli.md", flatten(page(changed), ""), flatten(real, addr)); d != want {
			t.Errorf("diffSession =\n%s\nwant\n%s", d, want)
		}
		p := checkExcerpt("README.md", page(changed), real, addr)
		if len(p) != 1 || !strings.HasPrefix(p[0], "README.md:15: $ docs get 1\n") {
			t.Errorf("checkExcerpt = %q; want one problem at README.md:15", p)
		}
	})
	t.Run("a changed exit code", func(t *testing.T) {
		changed := strings.Replace(documented, "[exit 4]", "[exit 1]", 1)
		want := "cli.md:18: - [exit 1]\n" +
			"cli.md:18: + [exit 4]\n"
		if d := diffSession("cli.md", flatten(page(changed), ""), flatten(real, addr)); d != want {
			t.Errorf("diffSession =\n%s\nwant\n%s", d, want)
		}
	})
	t.Run("a column out of line", func(t *testing.T) {
		changed := strings.Replace(documented, "1   ci", "1  ci", 1)
		if d := diffSession("cli.md", flatten(page(changed), ""), flatten(real, addr)); !strings.HasPrefix(d, "cli.md:12: - 1  ci") {
			t.Errorf("diffSession =\n%s\nwant a difference at cli.md:12", d)
		}
	})
	t.Run("an excerpt's commands out of order", func(t *testing.T) {
		p := checkExcerpt("README.md", page("$ docs get 1\n…\n[exit 4]\n$ docs token list\n…"), real, addr)
		if len(p) != 1 || !strings.HasPrefix(p[0], "README.md:13: $ docs token list\n") {
			t.Errorf("checkExcerpt = %q; want one problem at README.md:13", p)
		}
	})
}
