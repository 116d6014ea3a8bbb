// Package pgtest gives each test a database of its own on the PostgreSQL
// server that DOCSD_TEST_POSTGRES names: a new schema, dropped when the
// test ends. Without the variable, tests that need PostgreSQL skip.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
)

// EnvVar names the server the tests use, as a postgres:// URL.
const EnvVar = "DOCSD_TEST_POSTGRES"

// Enabled reports whether EnvVar is set.
func Enabled() bool { return os.Getenv(EnvVar) != "" }

// URL creates an empty schema and returns a URL whose connections work in
// it (search_path), so that everything docsd creates lands there. The
// schema is dropped, with all it holds, when the test ends. Without
// EnvVar the test is skipped.
func URL(t testing.TB) string {
	t.Helper()
	base := os.Getenv(EnvVar)
	if base == "" {
		t.Skipf("PostgreSQL tests skipped: set %s to a postgres:// URL (for example postgres://postgres@127.0.0.1:5432/test?sslmode=disable)", EnvVar)
	}
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		t.Fatalf("%s: %v", EnvVar, err)
	}
	defer conn.Close(ctx)
	b := make([]byte, 6)
	rand.Read(b)
	schema := "docsd_test_" + hex.EncodeToString(b)
	if _, err := conn.Exec(ctx, `CREATE SCHEMA `+schema); err != nil {
		t.Fatalf("create schema %s: %v", schema, err)
	}
	t.Cleanup(func() {
		conn, err := pgx.Connect(ctx, base)
		if err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, `DROP SCHEMA `+schema+` CASCADE`); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("%s: %v", EnvVar, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	// A test needs no durability; not waiting for the WAL flush at every
	// commit keeps the suites fast on a busy machine.
	q.Set("synchronous_commit", "off")
	u.RawQuery = q.Encode()
	return u.String()
}

// Dump writes the schema that url works in (a URL from URL) to a file
// with pg_dump, as an operator takes a backup, and returns the file's
// path.
func Dump(t testing.TB, url string) string {
	t.Helper()
	base, schema := split(t, url)
	path := filepath.Join(t.TempDir(), schema+".sql")
	run(t, "pg_dump", "--schema="+schema, "--no-owner", "--file="+path, base)
	return path
}

// Restore replaces the schema that url works in with dump, as an operator
// restores a backup over a database: the schema is dropped with all it
// holds, then the dump is loaded with psql.
func Restore(t testing.TB, url, dump string) {
	t.Helper()
	base, schema := split(t, url)
	run(t, "psql", "--quiet", "--set=ON_ERROR_STOP=1", "--command=DROP SCHEMA "+schema+" CASCADE", base)
	run(t, "psql", "--quiet", "--set=ON_ERROR_STOP=1", "--file="+dump, base)
}

// split returns the server's URL and the schema of a URL from URL.
func split(t testing.TB, schemaURL string) (base, schema string) {
	t.Helper()
	u, err := url.Parse(schemaURL)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	schema = q.Get("search_path")
	if schema == "" {
		t.Fatalf("%s: not a URL from pgtest.URL (no search_path)", schemaURL)
	}
	q.Del("search_path")
	q.Del("synchronous_commit")
	u.RawQuery = q.Encode()
	return u.String(), schema
}

func run(t testing.TB, name string, args ...string) {
	t.Helper()
	out, err := exec.Command(name, args...).CombinedOutput() //nolint:gosec // G204: pg_dump and psql with the test's own arguments
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
}
