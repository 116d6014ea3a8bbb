package sqlstore

import "github.com/docsd/docs/pkg/docs"

// Scanner is one row to read: *sql.Row and *sql.Rows in pkg/sqlite,
// pgx.Row and pgx.Rows in pkg/postgres.
type Scanner interface{ Scan(dest ...any) error }

// Rows are a query's rows: *sql.Rows or pgx.Rows. The caller closes them,
// as their Close methods differ.
type Rows interface {
	Scanner
	Next() bool
	Err() error
}

// Collect reads every row of rows with scan.
func Collect[T any](rows Rows, scan func(Scanner) (T, error)) ([]T, error) {
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

// UserColumns are the columns of users that ScanUser reads, in its order.
const UserColumns = `id, username, password_hash, role, created_at`

// ScanUser reads a user from a row of UserColumns.
func ScanUser(row Scanner) (*docs.User, error) {
	var (
		u          docs.User
		hash, role string
		created    int64
	)
	if err := row.Scan(&u.ID, &u.Username, &hash, &role, &created); err != nil {
		return nil, err
	}
	u.PasswordHash, u.Role, u.CreatedAt = []byte(hash), docs.Role(role), FromMicros(created)
	return &u, nil
}
