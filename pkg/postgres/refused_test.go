package postgres

import (
	"errors"
	"fmt"
	"io"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
)

// TestRefusedIsForGood: Open retries only what can pass. A server's
// answer that waiting will not change ends it at once; a server starting
// up, shutting down or full, or no answer at all, is tried again.
func TestRefusedIsForGood(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want bool
	}{
		{&pgconn.PgError{Code: "3D000"}, true},  // database does not exist
		{&pgconn.PgError{Code: "28000"}, true},  // role does not exist
		{&pgconn.PgError{Code: "28P01"}, true},  // wrong password
		{&pgconn.PgError{Code: "42501"}, true},  // no CONNECT privilege
		{&pgconn.PgError{Code: "57P03"}, false}, // starting up
		{&pgconn.PgError{Code: "57P01"}, false}, // shutting down
		{&pgconn.PgError{Code: "53300"}, false}, // too many connections
		{&pgconn.PgError{Code: "08006"}, false}, // connection failure
		{io.ErrUnexpectedEOF, false},
		{errors.New("dial tcp 127.0.0.1:5432: connect: connection refused"), false},
	} {
		err := fmt.Errorf("failed to connect: %w", tc.err)
		if _, got := refused(err); got != tc.want {
			t.Errorf("refused(%v) = %v; want %v", tc.err, got, tc.want)
		}
	}
}
