package store_test

import (
	"testing"

	"onestop/hallserver/store"
)

// TestWriterConnectionIsDurable reads the pragmas on the connection that
// writes: WAL with synchronous=FULL (2) is what makes an acknowledged
// ticket survive a power cut, foreign keys keep references honest, and the
// busy timeout lets hallctl write beside a running server.
func TestWriterConnectionIsDurable(t *testing.T) {
	s, _ := newHall(t)
	var journal string
	var synchronous, foreignKeys, busy int
	err := s.Write(ctx, func(tx *store.Tx) error {
		for _, p := range []struct {
			q    string
			dest any
		}{
			{"PRAGMA journal_mode", &journal},
			{"PRAGMA synchronous", &synchronous},
			{"PRAGMA foreign_keys", &foreignKeys},
			{"PRAGMA busy_timeout", &busy},
		} {
			if err := tx.QueryRow(p.q).Scan(p.dest); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if journal != "wal" || synchronous != 2 || foreignKeys != 1 || busy < 1000 {
		t.Errorf("journal_mode=%s synchronous=%d foreign_keys=%d busy_timeout=%d; want wal, 2 (FULL), 1, ≥ 1000",
			journal, synchronous, foreignKeys, busy)
	}
}
