package sqlite

import (
	"context"
	"database/sql"
	"sync"
)

// stmts runs queries through prepared statements, preparing each query
// string once. Every query in this package is a constant, so the cache is
// bounded by the source. Parsing SQL is a large share of a point query's
// cost in SQLite; this takes it off every request.
type stmts struct {
	db *sql.DB
	mu sync.RWMutex
	m  map[string]*sql.Stmt
}

func newStmts(db *sql.DB) *stmts {
	return &stmts{db: db, m: map[string]*sql.Stmt{}}
}

func (s *stmts) stmt(ctx context.Context, query string) (*sql.Stmt, error) {
	s.mu.RLock()
	st, ok := s.m[query]
	s.mu.RUnlock()
	if ok {
		return st, nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if st, ok := s.m[query]; ok {
		return st, nil
	}
	st, err := s.db.PrepareContext(ctx, query) //nolint:sqlclosecheck // cached for the DB's lifetime; stmts.close closes it
	if err != nil {
		return nil, err
	}
	s.m[query] = st
	return st, nil
}

// QueryRowContext is sql.DB.QueryRowContext over a prepared statement. A
// query that fails to prepare runs unprepared, so the caller sees the
// error through the returned row as usual.
func (s *stmts) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	st, err := s.stmt(ctx, query) //nolint:sqlclosecheck // a cached statement, closed by stmts.close
	if err != nil {
		return s.db.QueryRowContext(ctx, query, args...)
	}
	return st.QueryRowContext(ctx, args...)
}

// QueryContext is sql.DB.QueryContext over a prepared statement. Its
// errors are classified (see classify).
func (s *stmts) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	st, err := s.stmt(ctx, query) //nolint:sqlclosecheck // a cached statement, closed by stmts.close
	if err != nil {
		return nil, classify(err)
	}
	rows, err := st.QueryContext(ctx, args...)
	return rows, classify(err)
}

func (s *stmts) close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, st := range s.m {
		st.Close()
	}
	s.m = map[string]*sql.Stmt{}
}
