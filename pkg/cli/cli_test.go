package cli

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/zalando/go-keyring"

	"github.com/docsd/docs/pkg/api/apitest"
	"github.com/docsd/docs/pkg/client"
)

// fakePrompter answers prompts from a script and records the questions.
type fakePrompter struct {
	answers []string
	asked   []string
}

func (p *fakePrompter) next(q string) (string, error) {
	p.asked = append(p.asked, q)
	if len(p.answers) == 0 {
		return "", context.Canceled
	}
	a := p.answers[0]
	p.answers = p.answers[1:]
	return a, nil
}

func (p *fakePrompter) Input(_ context.Context, q string) (string, error)    { return p.next(q) }
func (p *fakePrompter) Password(_ context.Context, q string) (string, error) { return p.next(q) }
func (p *fakePrompter) Confirm(_ context.Context, q string) (bool, error) {
	a, err := p.next(q)
	return a == "y", err
}

// harness is a factory over buffers, a mock keyring (the keyring is not
// the subject of these tests; the end-to-end tests use the real one) and
// the real docsd engine.
type harness struct {
	f        *factory
	srv      *apitest.Server
	out, err *bytes.Buffer
	env      map[string]string
	prompter *fakePrompter
}

func newHarness(t *testing.T, tty bool, stdin string) *harness {
	t.Helper()
	return newHarnessWith(t, apitest.NewServer(t), tty, stdin)
}

func newHarnessWith(t *testing.T, srv *apitest.Server, tty bool, stdin string) *harness {
	t.Helper()
	h := newHarnessAt(t, srv.URL, tty, stdin)
	h.srv = srv
	h.f.Now = srv.Clock.Now
	// The harness's client checks every answer against the OpenAPI
	// description.
	h.f.HTTPClient = srv.Client()
	return h
}

// newHarnessAt points docs at url with no docsd engine behind the harness
// (h.srv is nil): building and seeding one costs a good part of a second
// under -race, wasted on a test that must not reach it.
func newHarnessAt(t *testing.T, url string, tty bool, stdin string) *harness {
	t.Helper()
	keyring.MockInit()
	ios, out, errOut := testIO(stdin, tty)
	h := &harness{out: out, err: errOut, prompter: &fakePrompter{}}
	h.env = map[string]string{"DOCS_SERVER": url, "DOCS_CONFIG_DIR": t.TempDir()}
	h.f = &factory{
		IO:       ios,
		Getenv:   func(k string) string { return h.env[k] },
		Prompter: h.prompter,
		Keyring:  systemKeyring{},
		Version:  "test",
		RunEditor: func(context.Context, *iostreams, string, string) error {
			t.Fatal("editor opened unexpectedly")
			return nil
		},
	}
	return h
}

// run runs a command line and returns its exit code.
func (h *harness) run(t *testing.T, args ...string) int {
	t.Helper()
	h.out.Reset()
	h.err.Reset()
	return run(t.Context(), h.f, args)
}

// loginAs stores a real session for user in the mock keyring.
func (h *harness) loginAs(t *testing.T, user string) {
	t.Helper()
	c := client.New(h.srv.URL, nil)
	if _, err := c.Login(t.Context(), client.Credentials{Username: user, Password: "password"}); err != nil {
		t.Fatal(err)
	}
	server, _ := client.NormalizeServerURL(h.srv.URL)
	if err := keyring.Set(keyringService, server, c.Session()); err != nil {
		t.Fatal(err)
	}
}

func (h *harness) server() string {
	s, _ := client.NormalizeServerURL(h.srv.URL)
	return s
}

func wantExit(t *testing.T, h *harness, got, want int, args ...string) {
	t.Helper()
	if got != want {
		t.Fatalf("docs %s exited %d; want %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), got, want, h.out, h.err)
	}
}
