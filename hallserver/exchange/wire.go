package exchange

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"sort"
	"time"
)

// Event is one outbox row as it travels: Key is its idempotency key, unique
// per hall for ever ("<outbox epoch>-<row id>"); Aggregate names the thing
// it changes ("application:<number>"), and the province applies the events
// of one aggregate in Seq order (the outbox row id, increasing per hall).
type Event struct {
	Key        string          `json:"key"`
	Kind       string          `json:"kind"`
	Aggregate  string          `json:"aggregate"`
	Seq        int64           `json:"seq"`
	OccurredAt time.Time       `json:"occurred_at"`
	Data       json.RawMessage `json:"data"`
}

// PushRequest is the body of POST /exchange/v1/events.
type PushRequest struct {
	Hall   string  `json:"hall"`
	Events []Event `json:"events"`
}

// BatchKey is the Idempotency-Key header of a push: the digest of the
// hall and the events' keys in order. The same events make the same key;
// a batch made up differently after a restart gets a key of its own (its
// events are still deduplicated one by one).
func BatchKey(hall string, events []Event) string {
	h := sha256.New()
	h.Write([]byte(hall))
	for _, e := range events {
		h.Write([]byte{0})
		h.Write([]byte(e.Key))
	}
	return "batch-" + hex.EncodeToString(h.Sum(nil)[:16])
}

// Result statuses of one pushed event.
const (
	StatusApplied   = "applied"   // taken now
	StatusDuplicate = "duplicate" // taken before (same key, or same natural key): nothing changed
	StatusRejected  = "rejected"  // can never be taken as it is (Error says why): the hall dead-letters it
	StatusDeferred  = "deferred"  // not taken because an earlier event of its aggregate in this batch was rejected: send again later
)

// EventResult is the province's answer for one event, in request order.
type EventResult struct {
	Key    string `json:"key"`
	Status string `json:"status"`
	Error  string `json:"error,omitempty"`
}

// PushResponse is the answer to a push that was read and checked as a
// whole (HTTP 200): one result per event.
type PushResponse struct {
	Results []EventResult `json:"results"`
}

// Error is the body of every 4xx/5xx answer.
type Error struct {
	Code    string `json:"code"`    // machine-readable, e.g. "signature_invalid"
	Message string `json:"message"` // plain words: what was wrong and what to do
}

// Error codes the province answers with.
const (
	CodeBadRequest       = "bad_request"        // 400: the body or a parameter is malformed
	CodeUnsigned         = "unsigned"           // 401: signature headers missing
	CodeSignatureInvalid = "signature_invalid"  // 401: the signature does not match (altered, wrong secret, or wrong hall)
	CodeStale            = "stale"              // 401: timestamp outside the allowed skew: check the hall's clock
	CodeReplayed         = "replayed"           // 401: the nonce was used before
	CodeUnknownHall      = "unknown_hall"       // 401: no such hall at the province
	CodeWrongHall        = "wrong_hall"         // 403: the body names another hall than the signature
	CodeKeyReused        = "idempotency_reused" // 422: the Idempotency-Key was used with a different body
	CodeTooLarge         = "too_large"          // 413
	CodeUnavailable      = "unavailable"        // 503 (and injected faults)
	CodeRateLimited      = "rate_limited"       // 429, with Retry-After
)

// CatalogueResponse answers GET /exchange/v1/catalogue?have=N. When the
// province's version is not newer than N, Unchanged is true and Catalogue
// is null.
type CatalogueResponse struct {
	Version   int64           `json:"version"`
	Unchanged bool            `json:"unchanged,omitempty"`
	Catalogue json.RawMessage `json:"catalogue,omitempty"` // catalogue.Catalogue JSON
}

// Revocation is a certificate a hall revoked, as the province lists it.
type Revocation struct {
	Hall      string    `json:"hall"`
	Serial    string    `json:"serial"`
	RevokedAt time.Time `json:"revoked_at"`
	Reason    string    `json:"reason,omitempty"`
}

// TrustDocument is what the province signs: every hall's signing keys (a
// cert.TrustList in its JSON form) and every revoked certificate, under one
// version that only goes up.
type TrustDocument struct {
	Format      string          `json:"format"` // TrustDocumentFormat
	Version     int64           `json:"version"`
	IssuedAt    time.Time       `json:"issued_at"`
	TrustList   json.RawMessage `json:"trust_list"`
	Revocations []Revocation    `json:"revocations"`
}

// TrustDocumentFormat names the JSON form of a TrustDocument.
const TrustDocumentFormat = "onestop-province-trust/v1"

// TrustResponse answers GET /exchange/v1/trust?have=N: Document is the
// exact bytes the province signed (a TrustDocument), Signature its
// Ed25519 signature (SignDocument). Unchanged when not newer than N.
type TrustResponse struct {
	Version   int64           `json:"version"`
	Unchanged bool            `json:"unchanged,omitempty"`
	Document  json.RawMessage `json:"document,omitempty"`
	Signature string          `json:"signature,omitempty"`
}

// ApplicationUpdate is a change the province made to one of the hall's
// applications (a provincial department's review or decision, a
// suspension for an expert review, ...). Cursor increases per hall.
type ApplicationUpdate struct {
	Cursor  int64     `json:"cursor"`
	Number  string    `json:"number"`            // the hall's application number
	Kind    string    `json:"kind"`              // application event kind: advance, request_materials, suspend, resume, extend, complete
	Step    string    `json:"step,omitempty"`    // for advance
	Suspend string    `json:"suspend,omitempty"` // for suspend: the suspension kind
	Days    int       `json:"days,omitempty"`    // for extend
	Outcome string    `json:"outcome,omitempty"` // for complete
	Note    string    `json:"note,omitempty"`
	By      string    `json:"by"` // the provincial department or officer
	At      time.Time `json:"at"`
}

// ApplicationUpdatesResponse answers GET /exchange/v1/application-updates.
// Next is the cursor to ask after next time (the last update's cursor, or
// the one asked after when there are none); More says a full page came.
type ApplicationUpdatesResponse struct {
	Updates []ApplicationUpdate `json:"updates"`
	Next    int64               `json:"next"`
	More    bool                `json:"more"`
}

// ProvinceKeyResponse answers GET /exchange/v1/province-key.
type ProvinceKeyResponse struct {
	PublicKey string `json:"public_key"` // base64 (std) of the 32-byte Ed25519 key
}

// SortedKinds is every event kind, sorted (for documents and checks).
func SortedKinds() []string {
	out := make([]string, 0, len(kinds))
	for k := range kinds {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// KnownKind reports whether k is an event kind of this API version.
func KnownKind(k string) bool { _, ok := kinds[k]; return ok }
