package cli

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/zalando/go-keyring"
)

// stuckKeyring never answers, like a Secret Service waiting on an unlock
// prompt nobody sees.
type stuckKeyring struct{ release chan struct{} }

func (k stuckKeyring) Get(string, string) (string, error) { <-k.release; return "", nil }
func (k stuckKeyring) Set(string, string, string) error   { <-k.release; return nil }
func (k stuckKeyring) Delete(string, string) error        { <-k.release; return nil }

// brokenKeyring fails every call, like a bus with no Secret Service on it.
type brokenKeyring struct{}

// errNoService is the Secret Service's own message, verbatim.
var errNoService = errors.New("The name org.freedesktop.secrets was not provided by any .service files") //nolint:staticcheck // ST1005: quoted as D-Bus says it

func (brokenKeyring) Get(string, string) (string, error) { return "", errNoService }
func (brokenKeyring) Set(string, string, string) error   { return errNoService }
func (brokenKeyring) Delete(string, string) error        { return errNoService }

const testServer = "http://127.0.0.1:5555"

func newStore(t *testing.T, kr keyringBackend, env string) *sessionStore {
	return &sessionStore{keyring: kr, timeout: time.Minute, dir: t.TempDir(), envSession: env}
}

func TestSessionStoreLookup(t *testing.T) {
	t.Run("DOCS_SESSION wins over the keyring", func(t *testing.T) {
		keyring.MockInit()
		st := newStore(t, systemKeyring{}, "from-env")
		_ = keyring.Set(keyringService, testServer, "from-keyring")
		got, err := st.Lookup(t.Context(), testServer)
		if err != nil || got.Value != "from-env" || got.Source != sourceEnv {
			t.Errorf("Lookup = %+v, %v; want from-env from env", got, err)
		}
	})

	t.Run("nothing stored is not logged in, exit 4", func(t *testing.T) {
		keyring.MockInit()
		_, err := newStore(t, systemKeyring{}, "").Lookup(t.Context(), testServer)
		if exitCode(err) != exitAuth {
			t.Errorf("Lookup with nothing stored = %v (exit %d); want not logged in (exit 4)", err, exitCode(err))
		}
	})

	t.Run("an unreachable keyring is a keyring error, exit 1, never not-logged-in", func(t *testing.T) {
		_, err := newStore(t, brokenKeyring{}, "").Lookup(t.Context(), testServer)
		var ke *keyringError
		if !errors.As(err, &ke) || exitCode(err) != exitError {
			t.Fatalf("Lookup = %v (exit %d); want *keyringError, exit 1", err, exitCode(err))
		}
		if !strings.Contains(err.Error(), "org.freedesktop.secrets") {
			t.Errorf("error %q does not carry the keyring's own error", err)
		}
	})

	t.Run("a hanging keyring is cut off by the timeout", func(t *testing.T) {
		kr := stuckKeyring{release: make(chan struct{})}
		defer close(kr.release)
		st := newStore(t, kr, "")
		st.timeout = time.Millisecond
		_, err := st.Lookup(t.Context(), testServer)
		var ke *keyringError
		if !errors.As(err, &ke) || !strings.Contains(err.Error(), "DOCS_KEYRING_TIMEOUT") {
			t.Errorf("Lookup on a stuck keyring = %v; want a keyring error naming DOCS_KEYRING_TIMEOUT", err)
		}
	})

	t.Run("the insecure file is used without asking the keyring", func(t *testing.T) {
		st := newStore(t, brokenKeyring{}, "")
		if err := st.SaveFile(testServer, "plain"); err != nil {
			t.Fatal(err)
		}
		got, err := st.Lookup(t.Context(), testServer)
		if err != nil || got.Value != "plain" || got.Source != sourceFile {
			t.Errorf("Lookup = %+v, %v; want plain from file", got, err)
		}
	})
}

func TestSessionStoreFile(t *testing.T) {
	st := newStore(t, brokenKeyring{}, "")
	st.dir = filepath.Join(st.dir, "new", "docs") // created on demand
	if err := st.SaveFile(testServer, "v1"); err != nil {
		t.Fatalf("SaveFile = %v", err)
	}
	fi, err := os.Stat(st.filePath())
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("session file mode = %o; want 600", fi.Mode().Perm())
	}
	if err := st.SaveFile("http://other:1", "v2"); err != nil {
		t.Fatal(err)
	}

	t.Run("remove takes one server out and tolerates the unreachable keyring", func(t *testing.T) {
		if err := st.Remove(t.Context(), testServer); err != nil {
			t.Fatalf("Remove = %v; want nil (the session was in the file)", err)
		}
		got, _ := st.readFile()
		if _, ok := got[testServer]; ok || got["http://other:1"] != "v2" {
			t.Errorf("file after Remove = %v; want only the other server", got)
		}
	})

	t.Run("remove with nothing in the file reports the unreachable keyring", func(t *testing.T) {
		var ke *keyringError
		if err := st.Remove(t.Context(), testServer); !errors.As(err, &ke) {
			t.Errorf("Remove = %v; want *keyringError: the session may still be in the keyring", err)
		}
	})

	t.Run("the file goes when its last session does", func(t *testing.T) {
		_ = st.Remove(t.Context(), "http://other:1")
		if _, err := os.Stat(st.filePath()); !os.IsNotExist(err) {
			t.Errorf("Stat(session file) = %v; want it gone", err)
		}
	})
}

func TestSaveKeyringDropsPlainTextCopy(t *testing.T) {
	keyring.MockInit()
	st := newStore(t, systemKeyring{}, "")
	_ = st.SaveFile(testServer, "old-plain")
	if err := st.SaveKeyring(t.Context(), testServer, "new"); err != nil {
		t.Fatal(err)
	}
	got, err := st.Lookup(t.Context(), testServer)
	if err != nil || got.Source != sourceKeyring || got.Value != "new" {
		t.Errorf("Lookup after keyring login = %+v, %v; want the keyring's new session, not the old file", got, err)
	}
}

func TestNoKeyringIsNotLoggedIn(t *testing.T) {
	for _, args := range [][]string{{"get", "1"}, {"status"}, {"token", "list"}} {
		// As after docs logout: a 401 from the server, or "not logged in"
		// before any request, both saying why nothing was found.
		t.Run("with nothing in the file, docs "+strings.Join(args, " ")+" exits 4 with the way to log in", func(t *testing.T) {
			h := newHarness(t, false, "")
			h.f.Keyring = brokenKeyring{}
			wantExit(t, h, h.run(t, args...), exitAuth, args...)
			for _, want := range []string{"not", "the system keyring could not be reached", "docs login --insecure-storage", "DOCS_TOKEN"} {
				if !strings.Contains(strings.ToLower(h.err.String()), strings.ToLower(want)) {
					t.Errorf("stderr = %q; want it to say %q", h.err, want)
				}
			}
		})
	}

	t.Run("a keyring that does not answer in time is still its own error, exit 1", func(t *testing.T) {
		h := newHarness(t, false, "")
		kr := stuckKeyring{release: make(chan struct{})}
		defer close(kr.release)
		h.f.Keyring = kr
		h.env["DOCS_KEYRING_TIMEOUT"] = "1ms"
		wantExit(t, h, h.run(t, "get", "1"), exitError, "get", "1")
		if !strings.Contains(h.err.String(), "DOCS_KEYRING_TIMEOUT") {
			t.Errorf("stderr = %q; want the timeout named", h.err)
		}
	})
}
