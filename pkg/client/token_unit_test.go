package client

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestATokenIsSentAloneAsBearer(t *testing.T) {
	// A server that sets a cookie on every answer, as a session store
	// might: the next request with the token must still carry no cookie,
	// since docsd refuses a request that carries both (400).
	var got []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = append(got, fmt.Sprintf("Authorization=%q Cookie=%q", r.Header.Get("Authorization"), r.Header.Get("Cookie")))
		http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: "set-by-the-server", Path: "/"})
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"id":1,"username":"alice","role":"admin"}`)
	}))
	defer srv.Close()
	c := New(srv.URL, &Options{Token: "docs_pat_x"})
	for range 2 {
		if _, err := c.Me(t.Context()); err != nil {
			t.Fatalf("Me() = %v", err)
		}
	}
	resp, err := c.Raw(t.Context(), http.MethodGet, "me", nil, nil)
	if err != nil {
		t.Fatalf("Raw() = %v", err)
	}
	resp.Body.Close()
	want := `Authorization="Bearer docs_pat_x" Cookie=""`
	for i, g := range got {
		if g != want {
			t.Errorf("request %d carried %s; want %s", i+1, g, want)
		}
	}
	if s := c.Session(); s != "" {
		t.Errorf("Session() = %q; want none held by a token client", s)
	}
}

func TestSessionAndTokenTogetherAreRefusedBeforeAnyRequest(t *testing.T) {
	requests := 0
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { requests++ }))
	defer srv.Close()
	_, err := New(srv.URL, &Options{Session: "s", Token: "docs_pat_x"}).Me(t.Context())
	if err == nil || !strings.Contains(err.Error(), "both a session and a token") || requests != 0 {
		t.Errorf("Me() with both = %v after %d requests; want the refusal and no request", err, requests)
	}
}

func TestTokenInfo(t *testing.T) {
	tests := []struct {
		name       string
		header     http.Header
		wantScopes []Scope
		wantExpiry *time.Time
		wantErr    string
	}{
		{"scopes and expiry", http.Header{"Docs-Token-Scopes": {"read, write"}, "Docs-Token-Expiration": {"2027-01-05 19:50:00 UTC"}},
			[]Scope{ScopeRead, ScopeWrite}, ptr(time.Date(2027, 1, 5, 19, 50, 0, 0, time.UTC)), ""},
		{"no expiration header is a token that never expires", http.Header{"Docs-Token-Scopes": {"admin"}},
			[]Scope{ScopeAdmin}, nil, ""},
		{"no scopes header: the server did not take it as a token", http.Header{}, nil, nil, "without a Docs-Token-Scopes header"},
		{"an unreadable expiry is an error, not never", http.Header{"Docs-Token-Scopes": {"read"}, "Docs-Token-Expiration": {"in 30 days"}},
			nil, nil, `Docs-Token-Expiration header "in 30 days"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			info, err := tokenInfo(tt.header)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("tokenInfo(%v) = %+v, %v; want an error containing %q", tt.header, info, err, tt.wantErr)
				}
				return
			}
			if err != nil || !slices.Equal(info.Scopes, tt.wantScopes) || (info.ExpiresAt == nil) != (tt.wantExpiry == nil) ||
				(tt.wantExpiry != nil && !info.ExpiresAt.Equal(*tt.wantExpiry)) {
				t.Errorf("tokenInfo(%v) = %+v, %v; want scopes %v, expiry %v", tt.header, info, err, tt.wantScopes, tt.wantExpiry)
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }
