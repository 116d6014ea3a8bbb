package cli

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/zalando/go-keyring"

	"github.com/docsd/docs/pkg/client"
)

// A server that redirects docs elsewhere gets no login from it: docs
// follows no redirect, says where it was sent, exits 1 and stores nothing.
// The redirect points at a real docsd, so a docs that followed it would
// log in there and store that session.
func TestRedirectedLoginStoresNothing(t *testing.T) {
	for _, status := range []int{http.StatusFound, http.StatusTemporaryRedirect, http.StatusPermanentRedirect} {
		for _, storage := range []string{"keyring", "insecure-storage"} {
			t.Run(http.StatusText(status)+" is not followed and nothing is stored in the "+storage, func(t *testing.T) {
				h := newHarness(t, false, "password\n")
				redirect := httptest.NewServer(http.RedirectHandler(h.srv.URL+"/login", status))
				defer redirect.Close()
				h.env["DOCS_SERVER"] = redirect.URL
				args := []string{"login", "-u", "alice", "--password-stdin"}
				if storage == "insecure-storage" {
					args = append(args, "--insecure-storage")
				}
				wantExit(t, h, h.run(t, args...), exitError, args...)
				if want := "to " + h.srv.URL + "/login; docs follows no redirect"; !strings.Contains(h.err.String(), want) {
					t.Errorf("stderr = %q; want it to contain %q", h.err, want)
				}
				if strings.Contains(h.err.String(), "Logged in") {
					t.Errorf("stderr = %q; want no \"Logged in\"", h.err)
				}
				st := newSessionStore(h.f.Keyring, &settings{ConfigDir: h.env["DOCS_CONFIG_DIR"], KeyringTimeout: time.Minute})
				for _, server := range []string{redirect.URL, h.srv.URL} {
					s, _ := client.NormalizeServerURL(server)
					if v, err := keyring.Get(keyringService, s); !errors.Is(err, keyring.ErrNotFound) {
						t.Errorf("keyring.Get(%s) after the redirect = %q, %v; want ErrNotFound", s, v, err)
					}
					var nl *notLoggedInError
					if v, err := st.LookupStored(t.Context(), s); !errors.As(err, &nl) {
						t.Errorf("LookupStored(%s) after the redirect = %+v, %v; want not logged in", s, v, err)
					}
				}
			})
		}
	}
}

// A login is only a 200 that sets a non-empty session cookie; any other
// answer the client accepts as a success stores nothing and exits 1.
func TestLoginWithoutASessionStoresNothing(t *testing.T) {
	answers := []struct {
		name      string
		status    int
		setCookie string
	}{
		{"a 200 without a cookie", http.StatusOK, ""},
		{"a 200 with an empty cookie", http.StatusOK, client.SessionCookie + "=; Path=/"},
		{"a 201 with a cookie", http.StatusCreated, client.SessionCookie + "=abc; Path=/"},
	}
	for _, tt := range answers {
		t.Run(tt.name+" stores nothing", func(t *testing.T) {
			h := newHarness(t, false, "password\n")
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				if tt.setCookie != "" {
					w.Header().Set("Set-Cookie", tt.setCookie)
				}
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(tt.status)
				_, _ = w.Write([]byte(`{"id":1,"username":"alice","role":"admin"}`))
			}))
			defer srv.Close()
			h.env["DOCS_SERVER"] = srv.URL
			wantExit(t, h, h.run(t, "login", "-u", "alice", "--password-stdin"), exitError, "login")
			s, _ := client.NormalizeServerURL(srv.URL)
			if v, err := keyring.Get(keyringService, s); !errors.Is(err, keyring.ErrNotFound) {
				t.Errorf("keyring.Get(%s) = %q, %v; want ErrNotFound", s, v, err)
			}
			if strings.Contains(h.err.String(), "Logged in") {
				t.Errorf("stderr = %q; want no \"Logged in\"", h.err)
			}
		})
	}
}
