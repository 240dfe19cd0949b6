package store

import (
	"context"
	"database/sql"
	"sync"
)

// stmtCache keeps each SQL text prepared once. SQLite spends much of a
// small statement's time parsing and planning it; the hot paths (issue a
// ticket, read its status) run the same few statements thousands of times
// a minute.
type stmtCache struct {
	mu      sync.Mutex
	prepare func(ctx context.Context, query string) (*sql.Stmt, error)
	stmts   map[string]*sql.Stmt
}

func newStmtCache(prepare func(ctx context.Context, query string) (*sql.Stmt, error)) *stmtCache {
	return &stmtCache{prepare: prepare, stmts: map[string]*sql.Stmt{}}
}

// get returns the prepared statement for query, preparing it the first time.
func (c *stmtCache) get(query string) (*sql.Stmt, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if st, ok := c.stmts[query]; ok {
		return st, nil
	}
	st, err := c.prepare(context.Background(), query)
	if err != nil {
		return nil, err
	}
	c.stmts[query] = st
	return st, nil
}

func (c *stmtCache) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for q, st := range c.stmts {
		st.Close()
		delete(c.stmts, q)
	}
}

// queryRow runs a read through the read pool's prepared statements.
func (s *Store) queryRow(ctx context.Context, query string, args ...any) *sql.Row {
	st, err := s.reads.get(query)
	if err != nil {
		return s.rdb.QueryRowContext(ctx, query, args...) // reports the same error through Scan
	}
	return st.QueryRowContext(ctx, args...)
}

// query runs a read returning rows through the read pool's prepared statements.
func (s *Store) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	st, err := s.reads.get(query)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(ctx, args...)
}
