package api

import "time"

// Province link states (ProvinceStatus.State).
const (
	ProvinceNotConfigured = "not_configured" // the hall server runs without --province
	ProvinceConnected     = "connected"      // the last exchange with the province succeeded
	ProvinceRetrying      = "retrying"       // the province did not answer or answered an error: the hall retries
	ProvinceRefused       = "refused"        // the province refused the hall's credentials or clock: staff must act
)

// ProvinceStatus is how the hall's link to the provincial exchange stands:
// GET /api/v1/province.
type ProvinceStatus struct {
	State       string    `json:"state"`
	URL         string    `json:"url,omitempty"`
	LastSuccess time.Time `json:"last_success,omitzero"` // the last exchange that succeeded
	LastError   string    `json:"last_error,omitempty"`  // the last failure, in plain words
	LastErrorAt time.Time `json:"last_error_at,omitzero"`
	// Backlog is the outbox rows not yet delivered (held ones included);
	// OldestPending when the oldest of them was written, and
	// OldestPendingSeconds its age on the hall's clock (0 when none), so
	// that a page need not trust its own clock.
	Backlog              int64     `json:"backlog"`
	OldestPending        time.Time `json:"oldest_pending,omitzero"`
	OldestPendingSeconds int64     `json:"oldest_pending_seconds"`
	Held                 int64     `json:"held"`      // waiting behind a dead letter of the same record
	Dead                 int64     `json:"dead"`      // refused by the province for good: see DeadLetters, replay
	Delivered            int64     `json:"delivered"` // ever
	Discarded            int64     `json:"discarded"` // dead letters a supervisor gave up on: never sent
	// What the hall has pulled: the catalogue and trust versions applied,
	// and the cursor of the province's application updates.
	CatalogueVersion int64 `json:"catalogue_version"`
	TrustVersion     int64 `json:"trust_version"`
	UpdateCursor     int64 `json:"update_cursor"`
	// CatalogueWaiting says why a newer catalogue from the province is not
	// applied yet (it would strand open tickets), empty when none waits.
	CatalogueWaiting string               `json:"catalogue_waiting,omitempty"`
	DeadLetters      []ProvinceDeadLetter `json:"dead_letters"` // the oldest 100
}

// ProvinceDeadLetter is an outbox row the province refused for good.
type ProvinceDeadLetter struct {
	ID        int64     `json:"id"`
	Kind      string    `json:"kind"`
	Aggregate string    `json:"aggregate"`
	CreatedAt time.Time `json:"created_at"`
	DeadAt    time.Time `json:"dead_at"`
	Attempts  int       `json:"attempts"`
	Replays   int       `json:"replays"`
	Error     string    `json:"error"`
}

// ProvinceReplayRequest asks for dead letters to be sent again: the ids,
// or every one when IDs is empty. POST /api/v1/province/replay.
type ProvinceReplayRequest struct {
	IDs []int64 `json:"ids"`
}

// ProvinceReplayResponse says how many rows were set pending again.
type ProvinceReplayResponse struct {
	Replayed int `json:"replayed"`
}

// ProvinceDiscardRequest gives up on dead letters for good: they are never
// sent, and the later rows of their records go on. IDs must name dead
// letters (never all at once); Reason is required and audited.
// POST /api/v1/province/discard.
type ProvinceDiscardRequest struct {
	IDs    []int64 `json:"ids"`
	Reason string  `json:"reason"`
}

// ProvinceDiscardResponse says how many dead letters were given up on.
type ProvinceDiscardResponse struct {
	Discarded int `json:"discarded"`
}
