// Package store keeps a hall's state in one SQLite file (modernc.org/sqlite,
// no cgo): the catalogue, tickets and their every transition, staff accounts
// and sessions, enrolled kiosks, settings, and the hash-chained audit trail.
//
// Durability: the database runs in WAL mode with synchronous=FULL, so a
// write that Store has acknowledged survives a crash or power loss. All
// writes go through one writer goroutine that groups concurrent writes into
// one transaction (group commit); each write runs inside its own savepoint,
// so one failing write never takes its neighbours down. Every state change
// writes its audit record in the same transaction (see audit.go).
//
// Reads use a separate pool of read-only connections and never wait for
// the writer.
package store
