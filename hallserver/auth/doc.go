// Package auth holds what the hall server needs to know who is calling:
// staff roles, password hashing (argon2id), session and device tokens
// (random, stored only as SHA-256 hashes), and the login rate limiter.
// It does no I/O; the store keeps accounts and the HTTP layer enforces.
package auth
