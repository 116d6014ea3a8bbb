package docs

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// This file reads the shell sessions the pages show ("$ command", its
// output, "[exit N]") and compares them with real ones, line by line,
// after normalising what differs from one run to the next.

// varying is every part of a session's output that differs between two
// runs of the same commands against a fresh server, with why. Nothing else
// is normalised: a changed word, status, ID or exit code is a failure.
// The server's port is not here: the test knows it and replaces exactly
// that address (sessionPort), so the example 127.0.0.1:1 stays as it is.
var varying = []struct {
	re   *regexp.Regexp
	repl string
}{
	// RFC 3339 times: the seed stamps users and documents with the moment
	// it runs, each edit with its own, a token's expiry is that moment
	// plus its lifetime, and the request log stamps each line.
	{regexp.MustCompile(`\b\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z\b`), "<time>"},
	// The HTTP Date header: when the response was sent.
	{regexp.MustCompile(`\b(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d GMT\b`), "<http-date>"},
	// A request ID is a prefix drawn at each start of docsd and a count of
	// its requests: the prefix varies, the count does not.
	{regexp.MustCompile(`(X-Request-Id: |request_id=)[0-9a-f]+-`), "${1}<run>-"},
	// A response's length, where its body holds such times: the fraction
	// of a second is written without its trailing zeros, so a body is a
	// few bytes shorter in some runs. (The bodies themselves are compared.)
	{regexp.MustCompile(`\bContent-Length: \d+`), "Content-Length: <length>"},
	// A session cookie's value is a random secret, signed.
	{regexp.MustCompile(`\bdocs_session=[^;\s]+`), "docs_session=<secret>"},
	// How long the server took over a request.
	{regexp.MustCompile(`\blatency=[0-9.]+[µnm]?s\b`), "latency=<duration>"},
}

// sessionPort is the port the pages show: the quick-start server's.
const sessionPort = "5555"

// normalise returns s with the varying parts replaced, and addr (the real
// server's host:port, if not empty) written as the pages write it.
func normalise(s, addr string) string {
	if addr != "" {
		s = strings.ReplaceAll(s, addr, "127.0.0.1:"+sessionPort)
	}
	for _, v := range varying {
		s = v.re.ReplaceAllString(s, v.repl)
	}
	return s
}

// line is one line of a page (n is its number, from 1) or of real output
// (n is 0).
type line struct {
	n    int
	text string
}

// entry is one command of a session: the command, what it printed
// (stdout and stderr as a terminal shows them) and its exit code.
type entry struct {
	cmd  line
	out  []line
	exit int
	// exitAt is the line that states the exit code: an "[exit N]" or
	// "# exit N: ..." line, or the command's own when it is left out (0).
	exitAt int
}

var (
	exitLine    = regexp.MustCompile(`^\[exit (\d+)\]$`)
	exitComment = regexp.MustCompile(`^# exit (\d+)(:.*)?$`)
)

// parseSession reads a session as the pages and scripts/docs-walkthrough.sh
// write it: "$ command" (a line ending in "\" goes on to the next), its
// output, then "[exit N]" and a blank line. The pages may leave out
// "[exit 0]", and may say "# exit N: why" in place of "[exit N]".
func parseSession(lines []line) ([]entry, error) {
	var entries []entry
	ended := false // the current entry's "[exit N]" was read
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		switch {
		case strings.HasPrefix(l.text, "$ "):
			cmd := line{l.n, strings.TrimPrefix(l.text, "$ ")}
			for strings.HasSuffix(cmd.text, "\\") && i+1 < len(lines) {
				i++
				cmd.text = strings.TrimSuffix(cmd.text, "\\") + " " + strings.TrimSpace(lines[i].text)
			}
			entries = append(entries, entry{cmd: cmd, exitAt: l.n})
			ended = false
		case len(entries) == 0:
			if strings.TrimSpace(l.text) != "" {
				return nil, fmt.Errorf("line %d: %q before the first command", l.n, l.text)
			}
		case ended:
			if l.text != "" {
				return nil, fmt.Errorf("line %d: %q after the exit code of %q", l.n, l.text, entries[len(entries)-1].cmd.text)
			}
		default:
			e := &entries[len(entries)-1]
			m := exitLine.FindStringSubmatch(l.text)
			if m == nil {
				m = exitComment.FindStringSubmatch(l.text)
			}
			if m == nil {
				e.out = append(e.out, l)
				continue
			}
			e.exit, _ = strconv.Atoi(m[1])
			e.exitAt = l.n
			ended = exitLine.MatchString(l.text)
		}
	}
	// Without "[exit N]", the blank lines that end an entry separate it
	// from the next.
	for i := range entries {
		e := &entries[i]
		for len(e.out) > 0 && strings.TrimSpace(e.out[len(e.out)-1].text) == "" {
			e.out = e.out[:len(e.out)-1]
		}
	}
	return entries, nil
}

// alignTables lays out each run of tab-separated lines in out as docs
// does on a terminal: each cell but a row's last padded with spaces to its
// column's widest and two more. docs separates cells with tabs when its
// output is piped, as in scripts/docs-walkthrough.sh; the pages show the
// tables as a reader's terminal does. (Every cell in the stories is ASCII,
// so a rune is a column.)
func alignTables(out []line) []line {
	out = slices.Clone(out)
	for start := 0; start < len(out); {
		end := start
		for end < len(out) && strings.Contains(out[end].text, "\t") {
			end++
		}
		if end == start {
			start++
			continue
		}
		var widths []int
		for _, l := range out[start:end] {
			cells := strings.Split(l.text, "\t")
			for i, c := range cells[:len(cells)-1] {
				if i == len(widths) {
					widths = append(widths, 0)
				}
				widths[i] = max(widths[i], utf8.RuneCountInString(c))
			}
		}
		for k := start; k < end; k++ {
			cells := strings.Split(out[k].text, "\t")
			var b strings.Builder
			for i, c := range cells {
				b.WriteString(c)
				if i < len(cells)-1 {
					b.WriteString(strings.Repeat(" ", widths[i]-utf8.RuneCountInString(c)+2))
				}
			}
			out[k].text = b.String()
		}
		start = end
	}
	return out
}

// flatten writes entries one line each, as the comparison sees them:
// "$ command", the output, "[exit N]"; each normalised.
func flatten(entries []entry, addr string) []line {
	var out []line
	for _, e := range entries {
		out = append(out, line{e.cmd.n, "$ " + normalise(e.cmd.text, addr)})
		for _, l := range e.out {
			out = append(out, line{l.n, normalise(l.text, addr)})
		}
		out = append(out, line{e.exitAt, fmt.Sprintf("[exit %d]", e.exit)})
	}
	return out
}

// diffSession compares a page's session (documented) with a real one,
// whole: the same commands in the same order, the same output and exit
// codes. It returns nothing when they agree, else a diff whose every line
// names the page's file and line: "-" what the page says, "+" what really
// printed there instead.
func diffSession(page string, documented, real []line) string {
	if slices.EqualFunc(documented, real, func(a, b line) bool { return a.text == b.text }) {
		return ""
	}
	// The longest common subsequence, by dynamic programming: the
	// sessions are a few hundred lines at most.
	n, m := len(documented), len(real)
	lcs := make([][]int, n+1)
	for i := range lcs {
		lcs[i] = make([]int, m+1)
	}
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			if documented[i].text == real[j].text {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	var b strings.Builder
	at := func(i int) int { // the page line a "+" line goes before
		if i < n {
			return documented[i].n
		}
		if n > 0 {
			return documented[n-1].n + 1
		}
		return 0
	}
	// A "+" line right after a "-" one replaces it, and names its line.
	replaced := 0
	i, j := 0, 0
	for i < n || j < m {
		switch {
		case i < n && j < m && documented[i].text == real[j].text:
			i, j, replaced = i+1, j+1, 0
		case i < n && (j == m || lcs[i+1][j] >= lcs[i][j+1]):
			fmt.Fprintf(&b, "%s:%d: - %s\n", page, documented[i].n, documented[i].text)
			replaced = documented[i].n
			i++
		default:
			n := at(i)
			if replaced != 0 {
				n = replaced
			}
			fmt.Fprintf(&b, "%s:%d: + %s\n", page, n, real[j].text)
			j++
		}
	}
	return b.String()
}

// ellipsis, alone on a line of an excerpt's output, stands for any number
// of lines left out.
const ellipsis = "…"

// checkExcerpt checks a page's excerpt of a session: each of its commands
// is in the real session, in the same order (others may run between), and
// printed what the excerpt shows ("…" for lines left out) with the same
// exit code. It returns one problem per command that is not so, naming
// the page's file and line.
func checkExcerpt(page string, excerpt, real []entry, addr string) []string {
	var problems []string
	next := 0 // the real entry after the last one matched
	for _, e := range excerpt {
		cmd := normalise(e.cmd.text, addr)
		var same []int // real entries from next running this command
		for k := next; k < len(real); k++ {
			if normalise(real[k].cmd.text, addr) == cmd {
				same = append(same, k)
			}
		}
		if len(same) == 0 {
			problems = append(problems, fmt.Sprintf("%s:%d: $ %s\n\tis not run by the story after the excerpt's previous command", page, e.cmd.n, e.cmd.text))
			continue
		}
		found := -1
		for _, k := range same {
			if real[k].exit == e.exit && matchLines(normalisedText(e.out, addr), normalisedText(real[k].out, addr)) {
				found = k
				break
			}
		}
		if found < 0 {
			r := real[same[0]]
			problems = append(problems, fmt.Sprintf("%s:%d: $ %s\n\tthe page shows:\n%s\tit printed:\n%s",
				page, e.cmd.n, e.cmd.text,
				indent(append(normalisedText(e.out, addr), fmt.Sprintf("[exit %d]", e.exit))),
				indent(append(normalisedText(r.out, addr), fmt.Sprintf("[exit %d]", r.exit)))))
			next = same[0] + 1
			continue
		}
		next = found + 1
	}
	return problems
}

// matchLines reports whether got is want with each "…" line of want
// standing for any number of lines.
func matchLines(want, got []string) bool {
	if len(want) == 0 {
		return len(got) == 0
	}
	if want[0] == ellipsis {
		for k := 0; k <= len(got); k++ {
			if matchLines(want[1:], got[k:]) {
				return true
			}
		}
		return false
	}
	return len(got) > 0 && got[0] == want[0] && matchLines(want[1:], got[1:])
}

func normalisedText(lines []line, addr string) []string {
	out := make([]string, len(lines))
	for i, l := range lines {
		out[i] = normalise(l.text, addr)
	}
	return out
}

func indent(lines []string) string {
	var b strings.Builder
	for _, l := range lines {
		b.WriteString("\t\t" + l + "\n")
	}
	return b.String()
}

// markedBlock is a fenced block of a page that follows a marker comment
// such as <!-- walkthrough: tokens -->, which Markdown does not render.
type markedBlock struct {
	page   string // from the repository's root, as messages name it
	marker string // what the comment says after "<!-- "
	at     int    // the marker's line
	lines  []line // the block's, without its fences
}

// markedBlocks returns each fenced block of page whose opening fence
// follows a line "<!-- PREFIX... -->".
func markedBlocks(page, prefix string) ([]markedBlock, error) {
	b, err := os.ReadFile(page)
	if err != nil {
		return nil, err
	}
	text := strings.Split(string(b), "\n")
	var blocks []markedBlock
	for i := 0; i < len(text); i++ {
		marker, ok := strings.CutPrefix(text[i], "<!-- "+prefix)
		if !ok {
			continue
		}
		marker, ok = strings.CutSuffix(marker, " -->")
		if !ok || i+1 == len(text) || !strings.HasPrefix(text[i+1], "```") {
			return nil, fmt.Errorf("%s:%d: the marker %q is not a whole line followed by a fenced block", repoPath(page), i+1, text[i])
		}
		blk := markedBlock{page: repoPath(page), marker: prefix + marker, at: i + 1}
		closed := false
		for j := i + 2; j < len(text); j++ {
			if text[j] == "```" {
				closed, i = true, j
				break
			}
			blk.lines = append(blk.lines, line{j + 1, text[j]})
		}
		if !closed {
			return nil, fmt.Errorf("%s:%d: the block after %q does not end", repoPath(page), i+2, text[i])
		}
		blocks = append(blocks, blk)
	}
	return blocks, nil
}

// repoPath names a page, given from this package's directory, from the
// repository's root: docs/cli.md, README.md.
func repoPath(page string) string {
	return filepath.ToSlash(filepath.Clean(filepath.Join("docs", page)))
}
