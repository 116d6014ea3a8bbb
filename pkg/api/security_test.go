package api_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/docsd/docs/pkg/api"
	"github.com/docsd/docs/pkg/api/apitest"
	"github.com/docsd/docs/pkg/docs"
)

func TestOverlongPasswordAtLogin(t *testing.T) {
	srv := apitest.NewServer(t)
	exact := strings.Repeat("p", docs.MaxPasswordBytes)
	u := &docs.User{Username: "long", Role: docs.RoleMember, PasswordHash: hashOf(t, exact), CreatedAt: srv.Clock.Now()}
	if err := srv.DB.CreateUser(context.Background(), u); err != nil {
		t.Fatal(err)
	}
	t.Run("a password that extends the right 72 bytes is a 401 that counts", func(t *testing.T) {
		for range api.DefaultThrottle.MaxFailures {
			do(t, srv, login("long", exact+"extra")).want(t, 401)
		}
		do(t, srv, login("long", exact)).want(t, 429)
	})
	srv.Clock.Advance(api.DefaultThrottle.Window + time.Second)
	t.Run("the exact 72 bytes log in", func(t *testing.T) {
		do(t, srv, login("long", exact)).want(t, 200)
	})
}

func TestCookieSpellings(t *testing.T) {
	srv := apitest.NewServer(t)
	c := srv.Login(t, "bob")
	do(t, srv, call{method: "GET", path: "/me", cookie: c}).want(t, 200)
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	last := len(c.Value) - 1
	for _, ch := range alphabet {
		if byte(ch) == c.Value[last] {
			continue
		}
		other := &http.Cookie{Name: c.Name, Value: c.Value[:last] + string(ch)}
		if r := do(t, srv, call{method: "GET", path: "/me", cookie: other}); r.status != 401 {
			t.Errorf("GET /me with the cookie's last character %q changed to %q = %d; want 401", c.Value[last], ch, r.status)
		}
	}
}
