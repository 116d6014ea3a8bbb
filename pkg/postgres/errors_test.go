package postgres_test

import (
	"context"
	"net"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/docsd/docs/pkg/postgres"
	"github.com/docsd/docs/pkg/postgres/pgtest"
)

func TestRedact(t *testing.T) {
	for _, raw := range []string{
		"postgres://docsd:s3cret-pw@db.example:5432/docs?sslmode=disable",
		"postgresql://docsd:s3cret-pw@db.example/docs",
	} {
		if got := postgres.Redact(raw); strings.Contains(got, "s3cret-pw") || !strings.Contains(got, "db.example") {
			t.Errorf("Redact(%q) = %q; want the host without the password", raw, got)
		}
	}
}

// TestOpenUnreachable needs no server: nothing listens on the port. Open
// tries for ConnectTimeout, then gives up with an error that names the
// address and not the password.
func TestOpenUnreachable(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	raw := "postgres://docsd:s3cret-pw@" + addr + "/docs?sslmode=disable"
	_, err = postgres.Open(context.Background(), raw, postgres.Config{ConnectTimeout: time.Second})
	if err == nil {
		t.Fatalf("Open(%s) with nothing listening = nil; want an error", addr)
	}
	if strings.Contains(err.Error(), "s3cret-pw") {
		t.Errorf("Open error %q shows the password", err)
	}
	if !strings.Contains(err.Error(), addr) {
		t.Errorf("Open error %q does not name %s", err, addr)
	}
}

// TestOpenRefused asks the test server for a database and a role that do
// not exist. Waiting cannot make them appear, so Open gives up at its
// first answer, with the server's words, instead of trying again for the
// whole ConnectTimeout and reporting that the database did not answer.
func TestOpenRefused(t *testing.T) {
	base := os.Getenv(pgtest.EnvVar)
	if base == "" {
		t.Skipf("set %s to run it", pgtest.EnvVar)
	}
	for _, tc := range []struct {
		name   string
		change func(u *url.URL)
		want   string
	}{
		{"a database that does not exist", func(u *url.URL) { u.Path = "/docsd_no_such_database" },
			`database "docsd_no_such_database" does not exist (SQLSTATE 3D000)`},
		{"a role that does not exist", func(u *url.URL) { u.User = url.UserPassword("docsd_no_such_role", "s3cret-pw") },
			`role "docsd_no_such_role" does not exist (SQLSTATE 28000)`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			u, err := url.Parse(base)
			if err != nil {
				t.Fatal(err)
			}
			tc.change(u)
			db, err := postgres.Open(context.Background(), u.String(), postgres.Config{ConnectTimeout: 3 * time.Second})
			if err == nil {
				db.Close()
				t.Fatalf("Open(%s) = nil; want an error", postgres.Redact(u.String()))
			}
			if !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "did not answer") || strings.Contains(err.Error(), "s3cret-pw") {
				t.Errorf("Open(%s) = %q; want the server's words %q, no \"did not answer\" and no password", postgres.Redact(u.String()), err, tc.want)
			}
		})
	}
}
