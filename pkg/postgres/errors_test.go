package postgres_test

import (
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/docsd/docs/pkg/postgres"
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
