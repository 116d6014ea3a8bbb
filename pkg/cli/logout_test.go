package cli

import (
	"strings"
	"testing"

	"github.com/zalando/go-keyring"
)

func TestLogoutWithTheServerDown(t *testing.T) {
	t.Run("the session is kept and docs exits 1", func(t *testing.T) {
		h := newHarness(t, false, "")
		h.loginAs(t, "alice")
		h.srv.Close()
		wantExit(t, h, h.run(t, "logout"), exitError, "logout (server down)")
		if !strings.Contains(h.err.String(), "could not end the session on the server, so it is still stored here") ||
			!strings.Contains(h.err.String(), "docs logout --local") {
			t.Errorf("stderr = %q; want the kept session and --local named", h.err)
		}
		if _, err := keyring.Get(keyringService, h.server()); err != nil {
			t.Errorf("keyring after a failed logout: %v; want the session kept", err)
		}
	})
	t.Run("--local forgets it without the server", func(t *testing.T) {
		h := newHarness(t, false, "")
		h.loginAs(t, "alice")
		h.srv.Close()
		wantExit(t, h, h.run(t, "logout", "--local"), exitOK, "logout --local")
		if !strings.Contains(h.err.String(), "It was not ended on the server") {
			t.Errorf("stderr = %q; want it said that the server still holds the session", h.err)
		}
		if _, err := keyring.Get(keyringService, h.server()); err != keyring.ErrNotFound {
			t.Errorf("keyring after logout --local: %v; want ErrNotFound", err)
		}
	})
}
