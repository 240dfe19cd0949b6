// Package client is the typed Go client of the hall server's /api/v1,
// used by the kiosk, hallctl and hallbench. Every call takes a context and
// has a timeout; error responses become *Error values that match the
// sentinels below with errors.Is, so callers branch without parsing text.
package client
