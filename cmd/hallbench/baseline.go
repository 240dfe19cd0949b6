package main

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"time"

	_ "modernc.org/sqlite"
)

// baselineInserts measures bare single-row INSERT transactions on the same
// disk with the hall store's durability (WAL, synchronous=FULL): the rate
// a server that commits each ticket on its own could at best reach.
func baselineInserts(ctx context.Context, dir string, d time.Duration) (float64, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return 0, err
	}
	q := url.Values{}
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(FULL)")
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, "baseline.db")+"?"+q.Encode())
	if err != nil {
		return 0, fmt.Errorf("baseline: %w", err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	if _, err := db.ExecContext(ctx, "CREATE TABLE t (id INTEGER PRIMARY KEY, number TEXT NOT NULL, at INTEGER NOT NULL)"); err != nil {
		return 0, fmt.Errorf("baseline: %w", err)
	}
	n := 0
	start := time.Now()
	for time.Since(start) < d {
		if _, err := db.ExecContext(ctx, "INSERT INTO t(number, at) VALUES (?, ?)", fmt.Sprintf("A%03d", n%1000), time.Now().UnixMilli()); err != nil {
			return 0, fmt.Errorf("baseline insert: %w", err)
		}
		n++
	}
	return float64(n) / time.Since(start).Seconds(), nil
}
