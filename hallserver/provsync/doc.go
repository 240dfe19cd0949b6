// Package provsync links a hall to the provincial exchange (the protocol
// is hallserver/exchange): a relay sends the store's transactional outbox
// to the province in batches, oldest first, over go-retryablehttp, and
// marks rows delivered only after the province answered for each one, so
// delivery is at least once and — with the province deduplicating by key —
// the effect is exactly once. Rows the province refuses for good become
// dead letters that hold back the rows after them of the same record until
// a supervisor replays them. Pulls bring the catalogue and the signed trust
// document by version and application updates by cursor, each resuming
// where the store says the last one stopped. Every few minutes the audit
// chain's head is anchored upstream.
//
// Failures are retried twice over: a short in-call retry with exponential
// backoff and full jitter (honouring Retry-After), then the relay's own
// backoff between calls, for outages of hours or days. Every attempt is
// signed afresh (PrepareRetry), so the province can refuse replays.
package provsync
