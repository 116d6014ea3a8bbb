package docsdcmd

import (
	"context"
	"encoding/json"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/docsd/docs/pkg/api/apitest"
	"github.com/docsd/docs/pkg/client"
)

// TestUserSessionsLogoutUnlock drives the operator's user commands against
// a running docsd: the sessions listed are the logins made, with their
// address and user agent; logout ends them on the server at once; unlock
// lets a locked-out user log in again.
func TestUserSessionsLogoutUnlock(t *testing.T) {
	db := filepath.Join(t.TempDir(), "d.db")
	env := map[string]string{"DOCSD_DATABASE": db, "DOCSD_AUTH_BCRYPT_COST": "4"}
	base := serveSeeded(t, env)
	ctx := context.Background()
	login := func(user, password, agent string) (int, *http.Cookie) {
		t.Helper()
		r, err := apitest.Send(ctx, http.DefaultClient, "POST", base+"/login", nil,
			map[string]string{"User-Agent": agent}, `{"username":"`+user+`","password":"`+password+`"}`)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range (&http.Response{Header: r.Header}).Cookies() {
			if c.Name == "docs_session" {
				return r.Status, c
			}
		}
		return r.Status, nil
	}
	me := func(c *http.Cookie) int {
		t.Helper()
		r, err := apitest.Send(ctx, http.DefaultClient, "GET", base+"/me", c, nil, "")
		if err != nil {
			t.Fatal(err)
		}
		return r.Status
	}

	_, phone := login("carol", "password", "docs/1.0 (phone)")
	_, laptop := login("carol", "password", "curl/8.5.0")
	_, alice := login("alice", "password", "firefox")

	t.Run("sessions lists each login with its address and user agent", func(t *testing.T) {
		out, errOut, code := docsd(t, env, "", "user", "sessions", "carol", "-o", "json")
		if code != 0 {
			t.Fatalf("docsd user sessions carol -o json: exit %d: %s", code, errOut)
		}
		var got []sessionJSON
		if err := json.Unmarshal([]byte(out), &got); err != nil {
			t.Fatalf("docsd user sessions -o json printed %q: %v", out, err)
		}
		if len(got) != 2 || got[0].UserAgent != "docs/1.0 (phone)" || got[1].UserAgent != "curl/8.5.0" {
			t.Fatalf("docsd user sessions carol = %+v; want the phone's then the laptop's session", got)
		}
		for _, s := range got {
			if s.ClientAddress != "127.0.0.1" || s.CreatedAt.IsZero() || s.LastSeen.Before(s.CreatedAt) {
				t.Errorf("session %+v; want client address 127.0.0.1 and times set", s)
			}
		}
		out, _, code = docsd(t, env, "", "user", "sessions", "carol")
		if code != 0 || !strings.HasPrefix(out, "CREATED") || !strings.Contains(out, "127.0.0.1") || !strings.Contains(out, "curl/8.5.0") {
			t.Errorf("docsd user sessions carol = exit %d,\n%s\nwant a table with both sessions", code, out)
		}
	})

	t.Run("logout ends every session of the user and no other", func(t *testing.T) {
		out, errOut, code := docsd(t, env, "", "user", "logout", "carol")
		if code != 0 || out != "ended 2 sessions of carol\n" {
			t.Fatalf("docsd user logout carol = exit %d, %q, %q; want 0, %q", code, out, errOut, "ended 2 sessions of carol\n")
		}
		for name, c := range map[string]*http.Cookie{"phone": phone, "laptop": laptop} {
			if got := me(c); got != 401 {
				t.Errorf("GET /me with carol's %s session after logout = %d; want 401", name, got)
			}
		}
		if got := me(alice); got != 200 {
			t.Errorf("GET /me with alice's session after carol's logout = %d; want 200", got)
		}
		out, _, _ = docsd(t, env, "", "user", "sessions", "carol", "-o", "json")
		if strings.TrimSpace(out) != "[]" {
			t.Errorf("docsd user sessions carol -o json after logout = %q; want []", out)
		}
	})

	t.Run("unlock lets a locked-out user log in again", func(t *testing.T) {
		for range 5 {
			login("bob", "wrong-password", "x")
		}
		if status, _ := login("bob", "password", "x"); status != 429 {
			t.Fatalf("login with the right password after 5 failures = %d; want 429", status)
		}
		out, errOut, code := docsd(t, env, "", "user", "unlock", "bob")
		if code != 0 {
			t.Fatalf("docsd user unlock bob: exit %d: %s", code, errOut)
		}
		if !strings.Contains(out, "bob") {
			t.Errorf("docsd user unlock bob printed %q; want it to name bob", out)
		}
		if status, _ := login("bob", "password", "x"); status != 200 {
			t.Errorf("login after unlock = %d; want 200", status)
		}
	})

	t.Run("list -o json prints every user", func(t *testing.T) {
		out, errOut, code := docsd(t, env, "", "user", "list", "-o", "json")
		if code != 0 {
			t.Fatalf("docsd user list -o json: exit %d: %s", code, errOut)
		}
		var got []client.User
		if err := json.Unmarshal([]byte(out), &got); err != nil {
			t.Fatalf("docsd user list -o json printed %q: %v", out, err)
		}
		var names []string
		for _, u := range got {
			names = append(names, u.Username+"/"+string(u.Role))
		}
		if strings.Join(names, " ") != "alice/admin bob/editor carol/member" {
			t.Errorf("docsd user list -o json = %v; want alice/admin bob/editor carol/member", names)
		}
	})

	t.Run("sessions shows a user agent's controls escaped", func(t *testing.T) {
		// Anyone who can reach the login chooses the user agent; the
		// operator reads it on a terminal. (HTTP refuses C0 controls in a
		// header; C1 controls, overrides and stray bytes get through.)
		hostile := "agent\u009b2J \u009d0;title\u009c\u202eevil\u2028\xff\xfeend"
		if status, _ := login("alice", "password", hostile); status != 200 {
			t.Fatalf("login with a hostile User-Agent = %d; want 200", status)
		}
		for _, args := range [][]string{{"user", "sessions", "alice"}, {"user", "sessions", "alice", "-o", "json"}} {
			out, errOut, code := docsd(t, env, "", args...)
			if code != 0 {
				t.Fatalf("docsd %v: exit %d: %s", args, code, errOut)
			}
			var raw []string
			for _, c := range []string{"\u009b", "\u009c", "\u009d", "\u202e", "\u2028", "\xff", "\xfe"} {
				if strings.Contains(out, c) {
					raw = append(raw, c)
				}
			}
			if len(raw) > 0 || !strings.Contains(out, `agent\u009b2J \u009d0;title\u009c\u202eevil\u2028`) {
				t.Errorf("docsd %v: got %+q raw in\n%q\nwant every control, override, separator and stray byte escaped", args, raw, out)
			}
		}
	})

	t.Run("mistakes are refused", func(t *testing.T) {
		for _, tc := range []struct {
			args []string
			code int
			want string
		}{
			{[]string{"user", "list", "-o", "yaml"}, 2, `--output must be table or json, not "yaml"`},
			{[]string{"user", "sessions", "carol", "-o", "xml"}, 2, "--output must be table or json"},
			{[]string{"user", "sessions", "nobody"}, 1, `no user named "nobody"`},
			{[]string{"user", "logout", "nobody"}, 1, `no user named "nobody"`},
			{[]string{"user", "unlock", "nobody"}, 1, `no user named "nobody"`},
			{[]string{"user", "unlock"}, 2, "accepts 1 arg"},
		} {
			_, errOut, code := docsd(t, env, "", tc.args...)
			if code != tc.code || !strings.Contains(errOut, tc.want) {
				t.Errorf("docsd %v = exit %d, %q; want %d and %q", tc.args, code, errOut, tc.code, tc.want)
			}
		}
	})
}
