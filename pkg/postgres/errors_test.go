package postgres_test

import (
	"context"
	"net"
	"strings"
	"testing"

	"github.com/docsd/docs/pkg/docs"
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

// TestOpenUnreachable needs no server: nothing listens on the port.
func TestOpenUnreachable(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	raw := "postgres://docsd:s3cret-pw@" + addr + "/docs?sslmode=disable"
	_, err = postgres.Open(context.Background(), raw, postgres.Config{})
	if err == nil {
		t.Fatalf("Open(%s) with nothing listening = nil; want an error", addr)
	}
	if k := docs.KindOf(err); k != docs.Unavailable {
		t.Errorf("Open with nothing listening: kind %v (%v); want Unavailable", k, err)
	}
	if strings.Contains(err.Error(), "s3cret-pw") {
		t.Errorf("Open error %q shows the password", err)
	}
	if !strings.Contains(err.Error(), addr) {
		t.Errorf("Open error %q does not name %s", err, addr)
	}
}
