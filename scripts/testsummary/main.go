// Command testsummary reads `go test -json` on stdin and prints what a
// person needs from it: each package's result line, the whole output of
// every test that failed, and at the end how many tests passed, failed and
// were skipped, with every skip's reason, so a suite that skipped says so
// where people look, and the ten slowest tests. It exits 1 when a test or a
// package failed.
//
//	go test -json ./... | go run ./scripts/testsummary [-o SUMMARY]
//
// With -o, the closing summary is also written to SUMMARY, for
// scripts/test.sh to print again after its other steps.
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
)

func main() {
	out := flag.String("o", "", "also write the closing summary to this file")
	flag.Parse()
	s := newSummary()
	if err := s.read(os.Stdin, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "testsummary:", err)
		os.Exit(1)
	}
	text := s.String()
	fmt.Print(text)
	if *out != "" {
		if err := os.WriteFile(*out, []byte(text), 0o644); err != nil { //nolint:gosec // G306: a test report, not a secret
			fmt.Fprintln(os.Stderr, "testsummary:", err)
			os.Exit(1)
		}
	}
	if s.anyFailed() {
		os.Exit(1)
	}
}

// event is one line of `go test -json` (cmd/test2json).
type event struct {
	Action  string
	Package string
	Test    string
	Output  string
	Elapsed float64
}

type summary struct {
	// output is what each running test printed so far, by package and
	// test name.
	output               map[string][]string
	passed, failed       int
	failedPackages       []string
	packages             int
	skips                map[string][]string // reason -> tests
	packagesWithoutTests int
	// timed are the top-level tests that ran to the end, with seconds.
	timed []timing
}

type timing struct {
	test    string
	seconds float64
}

func newSummary() *summary {
	return &summary{output: map[string][]string{}, skips: map[string][]string{}}
}

// read consumes the events, writing package results and failures to w as
// they come.
func (s *summary) read(r io.Reader, w io.Writer) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		line := sc.Bytes()
		var e event
		if err := json.Unmarshal(line, &e); err != nil || e.Action == "" {
			// Not an event: a build error printed before the stream.
			fmt.Fprintln(w, string(line))
			continue
		}
		s.add(e, w)
	}
	return sc.Err()
}

func (s *summary) add(e event, w io.Writer) {
	key := e.Package + " " + e.Test
	switch {
	case e.Action == "build-output":
		fmt.Fprint(w, e.Output)
	case e.Action == "output" && e.Test == "":
		// Package lines: "ok", "FAIL", "--- FAIL", build errors. The
		// per-test "PASS" and "=== RUN" lines are noise here.
		if out := strings.TrimRight(e.Output, "\n"); out != "PASS" && out != "FAIL" && !strings.HasPrefix(out, "=== ") && out != "testing: warning: no tests to run" {
			fmt.Fprintln(w, out)
		}
	case e.Action == "output":
		s.output[key] = append(s.output[key], e.Output)
	case e.Test == "":
		switch e.Action {
		case "pass", "fail", "skip":
			s.packages++
		}
		switch e.Action {
		case "fail":
			s.failedPackages = append(s.failedPackages, e.Package)
		case "skip":
			s.packagesWithoutTests++
		}
	case e.Action == "pass":
		s.passed++
		s.time(e)
		delete(s.output, key)
	case e.Action == "fail":
		s.failed++
		s.time(e)
		for _, l := range s.output[key] {
			fmt.Fprint(w, l)
		}
		delete(s.output, key)
	case e.Action == "skip":
		reason := skipReason(s.output[key])
		s.skips[reason] = append(s.skips[reason], e.Package+" "+e.Test)
		delete(s.output, key)
	}
}

// time keeps how long a top-level test took; subtests are inside it.
func (s *summary) time(e event) {
	if !strings.Contains(e.Test, "/") {
		s.timed = append(s.timed, timing{e.Package + " " + e.Test, e.Elapsed})
	}
}

// skipReason finds the message t.Skip printed among a test's lines: the
// indented "file_test.go:N: message" line, without the place.
func skipReason(lines []string) string {
	for _, l := range lines {
		l = strings.TrimSpace(l)
		if strings.HasPrefix(l, "=== ") || strings.HasPrefix(l, "--- ") {
			continue
		}
		if _, msg, ok := strings.Cut(l, ": "); ok && strings.Contains(l[:len(l)-len(msg)], "_test.go:") {
			return msg
		}
		if l != "" {
			return l
		}
	}
	return "(no reason given)"
}

func (s *summary) anyFailed() bool { return s.failed > 0 || len(s.failedPackages) > 0 }

// String is the closing summary: counts, then each skip reason with the
// tests it skipped (the first few of them when it skipped many).
func (s *summary) String() string {
	var b strings.Builder
	skipped := 0
	for _, tests := range s.skips {
		skipped += len(tests)
	}
	fmt.Fprintf(&b, "go test: %d passed, %d failed, %d skipped, in %d packages", s.passed, s.failed, skipped, s.packages)
	if s.packagesWithoutTests > 0 {
		fmt.Fprintf(&b, " (%d without tests)", s.packagesWithoutTests)
	}
	b.WriteString("\n")
	if len(s.failedPackages) > 0 {
		fmt.Fprintf(&b, "failed packages: %s\n", strings.Join(s.failedPackages, ", "))
	}
	reasons := make([]string, 0, len(s.skips))
	for r := range s.skips {
		reasons = append(reasons, r)
	}
	sort.Slice(reasons, func(i, j int) bool {
		if a, b := len(s.skips[reasons[i]]), len(s.skips[reasons[j]]); a != b {
			return a > b
		}
		return reasons[i] < reasons[j]
	})
	for _, r := range reasons {
		tests := s.skips[r]
		sort.Strings(tests)
		fmt.Fprintf(&b, "skipped %d: %s\n", len(tests), r)
		const shown = 3
		for i, t := range tests {
			if i == shown {
				fmt.Fprintf(&b, "    ... and %d more\n", len(tests)-shown)
				break
			}
			fmt.Fprintf(&b, "    %s\n", t)
		}
	}
	sort.SliceStable(s.timed, func(i, j int) bool { return s.timed[i].seconds > s.timed[j].seconds })
	if len(s.timed) > 0 {
		b.WriteString("slowest:\n")
	}
	for _, t := range s.timed[:min(10, len(s.timed))] {
		fmt.Fprintf(&b, "    %6.1fs %s\n", t.seconds, t.test)
	}
	return b.String()
}
