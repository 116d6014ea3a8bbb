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

// SessionColumns are the columns of sessions that ScanSession reads, in
// its order.
const SessionColumns = `id, user_id, created_at, last_seen, client_address, user_agent`

// ScanSession reads a session from a row of SessionColumns.
func ScanSession(row Scanner) (*docs.Session, error) {
	var (
		s             docs.Session
		created, seen int64
	)
	if err := row.Scan(&s.ID, &s.UserID, &created, &seen, &s.ClientAddress, &s.UserAgent); err != nil {
		return nil, err
	}
	s.CreatedAt, s.LastSeen = FromMicros(created), FromMicros(seen)
	return &s, nil
}

// SessionUserColumns are what ScanSessionUser reads, in its order, from
// sessions s joined with their users u: the session, its user and the auth
// epoch, in one statement, so that the pair is exactly what the epoch
// names.
const SessionUserColumns = `s.id, s.user_id, s.created_at, s.last_seen, u.username, u.password_hash, u.role, u.created_at, (SELECT n FROM auth_epoch)`

// ScanSessionUser reads a session, its user and the auth epoch from a row
// of SessionUserColumns.
func ScanSessionUser(row Scanner) (*docs.Session, *docs.User, int64, error) {
	var (
		s                 docs.Session
		u                 docs.User
		created, seen, uc int64
		hash, role        string
		epoch             int64
	)
	if err := row.Scan(&s.ID, &s.UserID, &created, &seen, &u.Username, &hash, &role, &uc, &epoch); err != nil {
		return nil, nil, 0, err
	}
	s.CreatedAt, s.LastSeen = FromMicros(created), FromMicros(seen)
	u.ID, u.PasswordHash, u.Role, u.CreatedAt = s.UserID, []byte(hash), docs.Role(role), FromMicros(uc)
	return &s, &u, epoch, nil
}

// TokenColumns are the columns of tokens t that ScanToken reads, in its
// order.
const TokenColumns = `t.id, t.user_id, t.name, t.hash, t.scopes, t.created_at, t.expires_at, t.last_used_at, t.last_used_from`

// ScanToken reads a token from a row of TokenColumns.
func ScanToken(row Scanner) (*docs.Token, error) {
	return scanToken(row)
}

// TokenUserColumns are what ScanTokenUser reads, in its order, from tokens
// t joined with their users u: the token, its user and the auth epoch, in
// one statement, so that the pair is exactly what the epoch names.
const TokenUserColumns = TokenColumns + `, u.username, u.password_hash, u.role, u.created_at, (SELECT n FROM auth_epoch)`

// ScanTokenUser reads a token, its user and the auth epoch from a row of
// TokenUserColumns.
func ScanTokenUser(row Scanner) (*docs.Token, *docs.User, int64, error) {
	var (
		u          docs.User
		hash, role string
		uc, epoch  int64
	)
	t, err := scanToken(row, &u.Username, &hash, &role, &uc, &epoch)
	if err != nil {
		return nil, nil, 0, err
	}
	u.ID, u.PasswordHash, u.Role, u.CreatedAt = t.UserID, []byte(hash), docs.Role(role), FromMicros(uc)
	return t, &u, epoch, nil
}

// scanToken reads TokenColumns, then the columns after them into more.
func scanToken(row Scanner, more ...any) (*docs.Token, error) {
	var (
		t                      docs.Token
		scopes                 string
		created, expires, used int64
	)
	dest := append([]any{&t.ID, &t.UserID, &t.Name, &t.Hash, &scopes, &created, &expires, &used, &t.LastUsedFrom}, more...)
	if err := row.Scan(dest...); err != nil {
		return nil, err
	}
	t.Scopes = docs.SplitScopes(scopes)
	t.CreatedAt = FromMicros(created)
	t.ExpiresAt, t.LastUsedAt = FromMicrosOrZero(expires), FromMicrosOrZero(used)
	return &t, nil
}

// ScanEpochs reads docs.Epochs from a row of two columns, the auth epoch
// and the document epoch: each store's statement finds them its own way.
func ScanEpochs(row Scanner) (docs.Epochs, error) {
	var e docs.Epochs
	if err := row.Scan(&e.Auth, &e.Documents); err != nil {
		return docs.Epochs{}, err
	}
	return e, nil
}

// TokenUserOrAbsence reads a token, its user and the auth epoch from the
// row tokenUser returns (TokenUserColumns, in one statement). When there
// is none (noRows), it reads from absent's row (TokenAbsentQuery) the auth
// epoch and whether a token has the hash: when none has, it returns
// docs.TokenSecretNotFound and that epoch, which names a state without the
// token; when one was created between the two reads, it reads it again.
// Other errors come as the driver gave them, for the store to wrap.
func TokenUserOrAbsence(tokenUser, absent func() Scanner, noRows func(error) bool) (*docs.Token, *docs.User, int64, error) {
	for {
		t, u, epoch, err := ScanTokenUser(tokenUser())
		if !noRows(err) {
			return t, u, epoch, err
		}
		var exists bool
		if err := absent().Scan(&epoch, &exists); err != nil {
			return nil, nil, 0, err
		}
		if !exists {
			return nil, nil, epoch, docs.TokenSecretNotFound()
		}
	}
}

// TokenAbsentQuery reads the auth epoch and whether a token has the hash
// given as param, in one statement (see TokenUserOrAbsence).
func TokenAbsentQuery(param string) string {
	return `SELECT (SELECT n FROM auth_epoch), EXISTS (SELECT 1 FROM tokens WHERE hash = ` + param + `)`
}
