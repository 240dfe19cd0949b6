// Package exchange is the provincial exchange API v1 as both sides see it:
// the wire types a hall pushes and pulls, the event kinds and their
// payloads, and the request signatures that let the province refuse a
// replayed, altered or misdirected request.
//
// A hall pushes batches of events from its transactional outbox to
// POST /exchange/v1/events. Every event carries its own idempotency key (the
// hall's outbox epoch and row id), so the province applies each one once
// however often a batch is retried; the batch itself carries an
// Idempotency-Key header derived from the keys it holds. A hall pulls the
// service catalogue and the signed trust list by version, and application
// status updates by cursor.
//
// The guide is docs/province-exchange.md; the OpenAPI document is
// docs/province-exchange.openapi.json. cmd/provsim is the reference province.
package exchange
