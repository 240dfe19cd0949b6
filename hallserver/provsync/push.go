package provsync

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"onestop/hallserver/exchange"
	"onestop/hallserver/store"
)

// pushLoop sends the outbox, oldest rows first, one batch at a time: a
// batch is sent until the province answered for it (so rows of one record
// reach it in order), then the next.
func (r *Relay) pushLoop(ctx context.Context) {
	var o outage
	for ctx.Err() == nil {
		rows, err := r.st.DueOutbox(ctx, r.cfg.BatchSize)
		if err != nil {
			if ctx.Err() == nil {
				r.cfg.Logger.Error("province push: read the outbox", "err", err)
				r.sleep(ctx, o.next(&r.cfg), false)
			}
			continue
		}
		if len(rows) == 0 {
			r.idle()
			r.sleep(ctx, r.cfg.IdleWait, true)
			continue
		}
		if _, err := r.push(ctx, rows); err != nil {
			if ctx.Err() != nil {
				return
			}
			r.failed(&r.pushing, fmt.Sprintf("push of %d events", len(rows)), err)
			r.sleep(ctx, o.next(&r.cfg), true)
			continue
		}
		o = outage{}
	}
}

// push sends rows as one batch and records the province's answer; it
// returns the aggregates of the rows it dead-lettered. The province judges
// events one by one inside a 200; a batch refused as a whole is a fault of
// the request (the hall's or the province's software), not of an event, so
// the rows stay pending and staff are told — except a batch too large,
// which is sent again one event at a time, so that only an event too large
// by itself is dead-lettered (and the rows after a dead letter of the same
// record are not sent: DueOutbox holds them back from then on).
func (r *Relay) push(ctx context.Context, rows []store.OutboxRow) (dead map[string]bool, err error) {
	// Read per push: hallctl province new-epoch may change it while the
	// hall server runs.
	epoch, err := r.st.OutboxEpoch(ctx)
	if err != nil {
		return nil, err
	}
	events := make([]exchange.Event, len(rows))
	for i, row := range rows {
		events[i] = exchange.Event{Key: store.OutboxKey(epoch, row.ID), Kind: row.Kind, Aggregate: row.Aggregate,
			Seq: row.ID, OccurredAt: row.CreatedAt.UTC(), Data: row.Data}
	}
	body, err := json.Marshal(exchange.PushRequest{Hall: r.cfg.Hall, Events: events})
	if err != nil {
		return nil, fmt.Errorf("provsync: encode a push: %w", err)
	}
	var resp exchange.PushResponse
	h := http.Header{}
	h.Set(exchange.HeaderIdempotencyKey, batchKey(r.cfg.Hall, events, body))
	err = r.call.do(ctx, http.MethodPost, exchange.PathEvents, body, h, &resp)
	var ce *callError
	switch {
	case err == nil:
	case errors.As(err, &ce) && ce.tooLarge() && len(rows) > 1:
		r.cfg.Logger.Warn("province push: batch too large; sending its events one by one", "events", len(rows), "err", err)
		dead := map[string]bool{}
		for _, row := range rows {
			if dead[row.Aggregate] {
				continue // held behind the dead letter of its record, as DueOutbox would
			}
			d, err := r.push(ctx, []store.OutboxRow{row})
			if err != nil {
				return dead, err
			}
			for a := range d {
				dead[a] = true
			}
		}
		return dead, nil
	case errors.As(err, &ce) && ce.tooLarge():
		r.cfg.Logger.Error("province push: event too large for the province; it is a dead letter now", "id", rows[0].ID,
			"kind", rows[0].Kind, "err", err)
		if err := r.st.DeadLetterOutbox(ctx, rows[0].ID, err.Error()); err != nil {
			return nil, err
		}
		r.pushed() // the province answered
		return map[string]bool{rows[0].Aggregate: true}, nil
	default:
		if rerr := r.st.RecordOutboxFailure(ctx, ids(rows), err.Error()); rerr != nil && ctx.Err() == nil {
			r.cfg.Logger.Error("province push: record the failure", "err", rerr)
		}
		return nil, err
	}
	return r.settle(ctx, rows, events, resp)
}

// settle records the province's answer per event and returns the
// aggregates of the rows it dead-lettered.
func (r *Relay) settle(ctx context.Context, rows []store.OutboxRow, events []exchange.Event, resp exchange.PushResponse) (map[string]bool, error) {
	if len(resp.Results) != len(events) {
		return nil, needsStaff(fmt.Errorf("the province answered %d results for %d events (not the exchange API): nothing marked, the batch is sent again",
			len(resp.Results), len(events)))
	}
	var delivered, deferred []int64
	dead := map[string]bool{}
	for i, res := range resp.Results {
		if res.Key != events[i].Key {
			return dead, needsStaff(fmt.Errorf("the province's result %d is for %q, not %q (not the exchange API): nothing marked, the batch is sent again", i, res.Key, events[i].Key))
		}
		switch res.Status {
		case exchange.StatusApplied, exchange.StatusDuplicate:
			delivered = append(delivered, rows[i].ID)
		case exchange.StatusDeferred:
			deferred = append(deferred, rows[i].ID)
		case exchange.StatusRejected:
			r.cfg.Logger.Error("province push: event refused for good; it is a dead letter now", "id", rows[i].ID,
				"kind", rows[i].Kind, "aggregate", rows[i].Aggregate, "why", res.Error)
			if err := r.st.DeadLetterOutbox(ctx, rows[i].ID, "the province refused it: "+res.Error); err != nil {
				return dead, err
			}
			dead[rows[i].Aggregate] = true
		default:
			return dead, needsStaff(fmt.Errorf("the province's result %d has status %q, which this hall server does not know (a newer one may): nothing more marked, the rest is sent again", i, res.Status))
		}
	}
	if err := r.st.MarkOutboxDelivered(ctx, delivered); err != nil {
		return dead, err
	}
	if err := r.st.RecordOutboxFailure(ctx, deferred, "deferred: an earlier event of the same record was refused"); err != nil {
		return dead, err
	}
	r.pushed()
	return dead, nil
}

// batchKey is the push's Idempotency-Key: exchange.BatchKey of its events
// and the digest of the exact body. A retry of the same bytes is answered
// from the province's store; the same events sent as other bytes (a dead
// letter replayed after staff fixed it, a newer hall server encoding
// differently) are a new batch, judged afresh, never "key reused".
func batchKey(hall string, events []exchange.Event, body []byte) string {
	sum := sha256.Sum256(body)
	return exchange.BatchKey(hall, events) + "." + hex.EncodeToString(sum[:8])
}

func ids(rows []store.OutboxRow) []int64 {
	out := make([]int64, len(rows))
	for i, row := range rows {
		out[i] = row.ID
	}
	return out
}
