package store

import (
	"errors"
	"strings"
)

// Sentinel errors that callers branch on. Errors returned by Store wrap one
// of these (or a queue.TransitionError) with context.
var (
	// ErrNotFound: the thing asked for does not exist.
	ErrNotFound = errors.New("store: not found")
	// ErrConflict: the request is valid but contradicts the current state
	// (a username already taken, a window already busy, a code already used).
	ErrConflict = errors.New("store: conflict")
	// ErrInvalid: the request itself is wrong (unknown queue, bad value).
	ErrInvalid = errors.New("store: invalid request")
	// ErrForbidden: the actor may not do this to this thing (a window
	// opened by someone else).
	ErrForbidden = errors.New("store: forbidden")
	// ErrClosed: the store has been closed.
	ErrClosed = errors.New("store: closed")
	// ErrNotConfigured: the request is fine, but the hall is not set up
	// for it yet (no certificate signing key, no certificate address):
	// an administrator must act, staff cannot.
	ErrNotConfigured = errors.New("store: hall not configured")
)

// isForeignKeyError reports whether SQLite refused a write because a
// reference did not resolve.
func isForeignKeyError(err error) bool {
	return err != nil && strings.Contains(err.Error(), "FOREIGN KEY constraint failed")
}
