package cli

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/docsd/docs/pkg/api"
	"github.com/docsd/docs/pkg/api/apitest"
	"github.com/docsd/docs/pkg/client"
)

func TestUsers(t *testing.T) {
	t.Run("an admin lists users", func(t *testing.T) {
		h := newHarness(t, false, "")
		h.loginAs(t, "alice")
		wantExit(t, h, h.run(t, "users", "list"), exitOK, "users list")
		if !strings.HasPrefix(h.out.String(), "ID\tUSERNAME\tROLE\tCREATED\n1\talice\tadmin\t") || !strings.Contains(h.out.String(), "\tcarol\tmember\t") {
			t.Errorf("stdout = %q; want the table of users", h.out)
		}
	})
	t.Run("an admin sets a role by username", func(t *testing.T) {
		h := newHarness(t, false, "")
		h.loginAs(t, "alice")
		wantExit(t, h, h.run(t, "users", "set-role", "Carol", "editor", "-o", "json"), exitOK, "users set-role Carol editor")
		var u client.User
		if err := json.Unmarshal(h.out.Bytes(), &u); err != nil || u.Username != "carol" || u.Role != client.RoleEditor {
			t.Errorf("stdout = %q; want carol as editor", h.out)
		}
	})
	t.Run("a member gets the 403, exit 5", func(t *testing.T) {
		h := newHarness(t, false, "")
		h.loginAs(t, "carol")
		for _, args := range [][]string{{"users", "list"}, {"users", "set-role", "carol", "admin"}} {
			wantExit(t, h, h.run(t, args...), exitForbidden, args...)
		}
	})
	t.Run("set-role by a member says who may change roles, not list users", func(t *testing.T) {
		h := newHarness(t, false, "")
		h.loginAs(t, "carol")
		wantExit(t, h, h.run(t, "users", "set-role", "carol", "admin"), exitForbidden, "users set-role carol admin")
		if want := "Error: 403 Forbidden: only an admin may change user roles\n"; !strings.HasPrefix(h.err.String(), want) {
			t.Errorf("stderr = %q; want %q", h.err, want)
		}
		wantExit(t, h, h.run(t, "users", "set-role", "carol", "admin", "-o", "json"), exitForbidden, "users set-role -o json")
		if want := `"detail":"only an admin may change user roles"`; !strings.Contains(h.err.String(), want) {
			t.Errorf("stderr = %q; want %q", h.err, want)
		}
	})
	t.Run("an unknown user is a 404, exit 6", func(t *testing.T) {
		h := newHarness(t, false, "")
		h.loginAs(t, "alice")
		wantExit(t, h, h.run(t, "users", "set-role", "nobody", "admin"), exitNotFound, "users set-role nobody")
	})
	t.Run("an unknown role is a usage error", func(t *testing.T) {
		h := noRequests(t, false, "")
		wantExit(t, h, h.run(t, "users", "set-role", "carol", "owner"), exitUsage, "users set-role carol owner")
	})
}

func TestRegister(t *testing.T) {
	t.Run("with --password-stdin, then log in", func(t *testing.T) {
		h := newHarness(t, false, "a good password\n")
		wantExit(t, h, h.run(t, "register", "-u", "dave", "--password-stdin"), exitOK, "register")
		if !strings.Contains(h.err.String(), "Registered dave (member)") {
			t.Errorf("stderr = %q; want the new account named", h.err)
		}
		if _, err := client.New(h.srv.URL, nil).Login(t.Context(), client.Credentials{Username: "dave", Password: "a good password"}); err != nil {
			t.Errorf("login as dave = %v; want nil", err)
		}
	})
	t.Run("on a terminal the password is asked twice, checked before the repeat", func(t *testing.T) {
		h := newHarness(t, true, "")
		h.prompter.answers = []string{"erin", "short"}
		wantExit(t, h, h.run(t, "register"), exitUsage, "register (short)")
		if got := strings.Join(h.prompter.asked, "|"); got != "Username: |Password: " {
			t.Errorf("asked %q; want no repeat of a password that cannot be used", got)
		}
		h.prompter.answers, h.prompter.asked = []string{"erin", "a good password", "a good password"}, nil
		wantExit(t, h, h.run(t, "register"), exitOK, "register")
	})
	t.Run("a server that does not allow it says 403, exit 5", func(t *testing.T) {
		srv := apitest.NewServerWith(t, apitest.Options{Config: &api.Config{PublicRoutes: api.DefaultSkipList(), AllowRegistration: false}})
		h := newHarnessWith(t, srv, false, "a good password\n")
		wantExit(t, h, h.run(t, "register", "-u", "dave", "--password-stdin"), exitForbidden, "register (disabled)")
		if !strings.Contains(h.err.String(), "registration is disabled") {
			t.Errorf("stderr = %q; want the server's reason", h.err)
		}
	})
}
