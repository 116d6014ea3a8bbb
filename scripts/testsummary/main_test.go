package main

import (
	"strings"
	"testing"
)

// stream is `go test -json` output as cmd/test2json writes it: a package
// with a pass, a skip with its reason and a failure, and a package
// without tests.
const stream = `{"Action":"start","Package":"example.com/a"}
{"Action":"run","Package":"example.com/a","Test":"TestOK"}
{"Action":"output","Package":"example.com/a","Test":"TestOK","Output":"=== RUN   TestOK\n"}
{"Action":"output","Package":"example.com/a","Test":"TestOK","Output":"--- PASS: TestOK (0.00s)\n"}
{"Action":"pass","Package":"example.com/a","Test":"TestOK","Elapsed":0.25}
{"Action":"run","Package":"example.com/a","Test":"TestPG"}
{"Action":"output","Package":"example.com/a","Test":"TestPG","Output":"=== RUN   TestPG\n"}
{"Action":"output","Package":"example.com/a","Test":"TestPG","Output":"    pg_test.go:12: PostgreSQL tests skipped: set DOCSD_TEST_POSTGRES\n"}
{"Action":"output","Package":"example.com/a","Test":"TestPG","Output":"--- SKIP: TestPG (0.00s)\n"}
{"Action":"skip","Package":"example.com/a","Test":"TestPG"}
{"Action":"run","Package":"example.com/a","Test":"TestBroken"}
{"Action":"output","Package":"example.com/a","Test":"TestBroken","Output":"=== RUN   TestBroken\n"}
{"Action":"output","Package":"example.com/a","Test":"TestBroken","Output":"    a_test.go:9: got 1, want 2\n"}
{"Action":"output","Package":"example.com/a","Test":"TestBroken","Output":"--- FAIL: TestBroken (0.00s)\n"}
{"Action":"fail","Package":"example.com/a","Test":"TestBroken","Elapsed":1.5}
{"Action":"output","Package":"example.com/a","Output":"FAIL\n"}
{"Action":"output","Package":"example.com/a","Output":"FAIL\texample.com/a\t0.01s\n"}
{"Action":"fail","Package":"example.com/a"}
{"Action":"output","Package":"example.com/b","Output":"?   \texample.com/b\t[no test files]\n"}
{"Action":"skip","Package":"example.com/b"}
`

func TestSummary(t *testing.T) {
	s := newSummary()
	var live strings.Builder
	if err := s.read(strings.NewReader(stream), &live); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"a_test.go:9: got 1, want 2", "FAIL\texample.com/a", "[no test files]"} {
		if !strings.Contains(live.String(), want) {
			t.Errorf("output as it comes = %q; want it to hold %q", live.String(), want)
		}
	}
	if strings.Contains(live.String(), "TestOK") {
		t.Errorf("output as it comes = %q; want nothing of a test that passed", live.String())
	}
	got := s.String()
	for _, want := range []string{
		"go test: 1 passed, 1 failed, 1 skipped, in 2 packages (1 without tests)\n",
		"failed packages: example.com/a\n",
		"skipped 1: PostgreSQL tests skipped: set DOCSD_TEST_POSTGRES\n    example.com/a TestPG\n",
		"slowest:\n       1.5s example.com/a TestBroken\n       0.2s example.com/a TestOK\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("summary = %q; want it to hold %q", got, want)
		}
	}
	if !s.anyFailed() {
		t.Error("anyFailed() = false after a failing test; want true")
	}
}
