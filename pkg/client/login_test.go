package client_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/docsd/docs/pkg/client"
)

// loginAnswering is a server that answers POST /login with status and the
// Set-Cookie header setCookie (none when empty), and GET /me with 200 when
// the request carries the cookie docs_session=want-cookie.
func loginAnswering(status int, setCookie string) *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Path == "/me" {
			if ck, err := r.Cookie(client.SessionCookie); err != nil || ck.Value != "want-cookie" {
				w.WriteHeader(http.StatusUnauthorized)
			}
			fmt.Fprint(w, `{"id":1,"username":"alice","role":"admin"}`)
			return
		}
		if setCookie != "" {
			w.Header().Add("Set-Cookie", setCookie)
		}
		w.WriteHeader(status)
		fmt.Fprint(w, `{"id":1,"username":"alice","role":"admin"}`)
	}))
}

func TestLoginNeedsA200AndASessionCookie(t *testing.T) {
	cred := client.Credentials{Username: "alice", Password: "password"}
	refused := []struct {
		name      string
		status    int
		setCookie string
	}{
		{"a 201 with a cookie is no login", http.StatusCreated, "docs_session=want-cookie; Path=/"},
		{"a 202 with a cookie is no login", http.StatusAccepted, "docs_session=want-cookie; Path=/"},
		{"a 204 with a cookie is no login", http.StatusNoContent, "docs_session=want-cookie; Path=/"},
		{"a 200 with no cookie is no login", http.StatusOK, ""},
		{"a 200 with an empty cookie is no login", http.StatusOK, "docs_session=; Path=/"},
		{"a 200 with another cookie is no login", http.StatusOK, "other=want-cookie; Path=/"},
	}
	for _, tt := range refused {
		t.Run(tt.name, func(t *testing.T) {
			srv := loginAnswering(tt.status, tt.setCookie)
			defer srv.Close()
			c := client.New(srv.URL, &client.Options{Session: "old-session"})
			if u, err := c.Login(t.Context(), cred); err == nil {
				t.Fatalf("Login = %+v, nil; want an error", u)
			}
		})
	}

	// The value kept is the one the login response set, whatever the jar
	// would make of its attributes: a Secure cookie from an http:// server
	// the user chose, or one scoped to a path or domain the jar refuses.
	kept := []struct{ name, setCookie string }{
		{"a plain cookie", "docs_session=want-cookie; Path=/; HttpOnly"},
		{"a Secure cookie over http", "docs_session=want-cookie; Path=/; Secure"},
		{"a cookie for another path", "docs_session=want-cookie; Path=/elsewhere"},
		{"a cookie for another domain", "docs_session=want-cookie; Domain=docs.example"},
	}
	for _, tt := range kept {
		t.Run(tt.name+" is the session kept and sent", func(t *testing.T) {
			srv := loginAnswering(http.StatusOK, tt.setCookie)
			defer srv.Close()
			c := client.New(srv.URL, &client.Options{Session: "old-session"})
			if _, err := c.Login(t.Context(), cred); err != nil {
				t.Fatalf("Login = %v; want nil", err)
			}
			if got := c.Session(); got != "want-cookie" {
				t.Errorf("Session() = %q; want %q", got, "want-cookie")
			}
			if _, err := c.Me(t.Context()); err != nil {
				t.Errorf("Me() after login = %v; want the new session sent", err)
			}
		})
	}
}
