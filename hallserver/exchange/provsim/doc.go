// Package provsim is the reference implementation of the province's side
// of the exchange API v1 (package exchange): a simulated provincial system
// with its own SQLite store that halls push events to and pull the
// catalogue, the signed trust document and application updates from.
//
// It is what the hall's sync is tested against, so it is strict where the
// real province would be and observable where a test needs it:
//
//   - every exchange request is authenticated (exchange.VerifyRequest with
//     the hall's secret, then a nonce never seen before, remembered in
//     SQLite across restarts);
//   - a push is one SQLite transaction: the batch's Idempotency-Key with its
//     stored answer, each event's key (kept Options.KeyRetention, at least
//     30 days), its natural key (kept for ever), the per-hall views and the
//     counters of GET /debug/stats all commit together or not at all;
//   - faults (Faults) are injected in front of the exchange routes: errors
//     (5xx, 429 with Retry-After), latency, connection resets, a black hole,
//     and a lost acknowledgement (the push commits, then the connection is
//     reset instead of answered);
//   - Applied lists what took effect for a hall, in order, so a checker can
//     count every effect per natural key.
//
// The guide is docs/province-exchange.md; cmd/provsim runs it as a server.
package provsim
