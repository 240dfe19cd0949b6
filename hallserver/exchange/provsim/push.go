package provsim

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"onestop/hallserver/exchange"
)

// pushOutcome is what became of a push as a whole.
type pushOutcome int

const (
	pushProcessed   pushOutcome = iota // events processed, answer stored
	pushReplay                         // same Idempotency-Key and body: the stored answer
	pushKeyReused                      // same Idempotency-Key, another body: 422
	pushNonceReplay                    // the request's nonce was seen before: 401
)

// pushResult is what push hands the handler.
type pushResult struct {
	outcome  pushOutcome
	response []byte // the PushResponse JSON for pushProcessed and pushReplay
	counts   map[string]*kindCount
}

// kindCount counts one kind's events in one push.
type kindCount struct {
	received, applied, duplicates, rejected, deferred, outOfOrder int64
}

// rejection is an event that can never be applied as it is: the push goes
// on and answers it rejected. Any other error fails the whole push.
type rejection struct{ msg string }

func (r *rejection) Error() string { return r.msg }

func reject(format string, a ...any) error { return &rejection{msg: fmt.Sprintf(format, a...)} }

// statKind is the kind an event is counted under.
func statKind(kind string) string {
	if exchange.KnownKind(kind) {
		return kind
	}
	return "unknown"
}

// push processes one push in one transaction: the nonce, the batch's
// idempotency key, then each event in order.
func (p *Province) push(ctx context.Context, signed exchange.Signed, batchKey string, body []byte, events []exchange.Event) (pushResult, error) {
	sum := sha256.Sum256(body)
	var res pushResult
	err := p.write(ctx, func(tx *sql.Tx) error {
		now := p.now()
		ts := newTxStmts(ctx, tx)
		fresh, err := p.useNonce(ts, signed, now)
		if err != nil {
			return err
		}
		if !fresh {
			res.outcome = pushNonceReplay
			return nil
		}
		if err := p.maybePrune(ts, now); err != nil {
			return err
		}
		var storedSum, stored []byte
		err = ts.row(p.st.batchGet, signed.Hall, batchKey).Scan(&storedSum, &stored)
		switch {
		case err == nil:
			if bytes.Equal(storedSum, sum[:]) {
				res.outcome, res.response = pushReplay, stored
			} else {
				res.outcome = pushKeyReused
			}
			return nil
		case !errors.Is(err, sql.ErrNoRows):
			return fmt.Errorf("provsim: read batch %s: %w", batchKey, err)
		}
		pt := &pushTx{p: p, ts: ts, hall: signed.Hall, now: now, counts: map[string]*kindCount{}}
		results, err := pt.events(events)
		if err != nil {
			return err
		}
		resp, err := json.Marshal(exchange.PushResponse{Results: results})
		if err != nil {
			return fmt.Errorf("provsim: encode push answer: %w", err)
		}
		// The answer is kept for a retry of the same batch only when every
		// event was taken: a batch with a refused or deferred event must be
		// judged afresh when it comes again (the hall replays a dead letter
		// once the cause is fixed; a stored refusal would refuse it for ever).
		if allTaken(results) {
			if _, err := ts.exec(p.st.batchPut, signed.Hall, batchKey, sum[:], resp, ms(now)); err != nil {
				return fmt.Errorf("provsim: store batch %s: %w", batchKey, err)
			}
		}
		if err := pt.finish(); err != nil {
			return err
		}
		res.outcome, res.response, res.counts = pushProcessed, resp, pt.counts
		return nil
	})
	return res, err
}

// useNonce records a signed request's nonce; false when it was seen
// before (a replay).
func (p *Province) useNonce(ts *txStmts, s exchange.Signed, now time.Time) (bool, error) {
	r, err := ts.exec(p.st.nonceUse, s.Hall, s.Nonce, ms(now))
	if err != nil {
		return false, fmt.Errorf("provsim: record nonce: %w", err)
	}
	n, err := r.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("provsim: record nonce: %w", err)
	}
	return n == 1, nil
}

// maybePrune drops nonces older than 2×MaxSkew (every minute at most)
// and event and batch keys older than the retention (every hour at most).
func (p *Province) maybePrune(ts *txStmts, now time.Time) error {
	if now.Sub(p.lastNoncePrune) >= time.Minute {
		if _, err := ts.exec(p.st.pruneNonces, ms(now.Add(-2*exchange.MaxSkew))); err != nil {
			return fmt.Errorf("provsim: prune nonces: %w", err)
		}
		p.lastNoncePrune = now
	}
	if now.Sub(p.lastKeyPrune) >= time.Hour {
		cut := ms(now.Add(-p.retention))
		if _, err := ts.exec(p.st.pruneKeys, cut); err != nil {
			return fmt.Errorf("provsim: prune event keys: %w", err)
		}
		if _, err := ts.exec(p.st.pruneBatches, cut); err != nil {
			return fmt.Errorf("provsim: prune batch keys: %w", err)
		}
		p.lastKeyPrune = now
	}
	return nil
}

// Prune drops idempotency keys older than the key retention and nonces
// older than 2×exchange.MaxSkew now (pushes do it on their own every hour
// and every minute). Natural keys are never pruned.
func (p *Province) Prune(ctx context.Context) error {
	return p.write(ctx, func(tx *sql.Tx) error {
		p.lastKeyPrune, p.lastNoncePrune = time.Time{}, time.Time{}
		return p.maybePrune(newTxStmts(ctx, tx), p.now())
	})
}

// pushTx is one push's work inside its transaction.
type pushTx struct {
	p            *Province
	ts           *txStmts
	hall         string
	now          time.Time
	counts       map[string]*kindCount
	trustChanged bool
}

func (t *pushTx) count(kind string) *kindCount {
	k := statKind(kind)
	c := t.counts[k]
	if c == nil {
		c = &kindCount{}
		t.counts[k] = c
	}
	return c
}

// events decides each event in order.
func (t *pushTx) events(events []exchange.Event) ([]exchange.EventResult, error) {
	results := make([]exchange.EventResult, len(events))
	blocked := map[string]string{} // aggregate → the key that blocked it
	for i, e := range events {
		c := t.count(e.Kind)
		c.received++
		res := exchange.EventResult{Key: e.Key}
		if by, ok := blocked[e.Aggregate]; ok && e.Aggregate != "" {
			res.Status = exchange.StatusDeferred
			res.Error = fmt.Sprintf("held back: event %s of aggregate %s was not taken earlier in this batch; send this one again once that one is dealt with", by, e.Aggregate)
			c.deferred++
			results[i] = res
			continue
		}
		status, err := t.event(e, c)
		var rej *rejection
		switch {
		case errors.As(err, &rej):
			res.Status, res.Error = exchange.StatusRejected, rej.msg
			c.rejected++
			if e.Aggregate != "" {
				blocked[e.Aggregate] = e.Key
			}
		case err != nil:
			return nil, err
		default:
			res.Status = status
		}
		results[i] = res
	}
	return results, nil
}

// event decides one event: rejected (a *rejection), duplicate by key or by
// natural key, or applied.
func (t *pushTx) event(e exchange.Event, c *kindCount) (string, error) {
	natural, err := exchange.CheckEvent(e)
	if err != nil {
		return "", reject("%v", err)
	}
	data, err := compactJSON(e.Data)
	if err != nil {
		return "", reject("event %s: data: %v", e.Key, err)
	}
	digest := eventDigest(e.Kind, e.Aggregate, data)

	var kind, aggregate string
	var stored []byte
	err = t.ts.row(t.p.st.keyGet, t.hall, e.Key).Scan(&kind, &aggregate, &stored)
	switch {
	case err == nil:
		if !bytes.Equal(stored, digest) {
			return "", reject("idempotency key reused with a different event: %s was first received as a %s of %s with other data; give every outbox row a key of its own", e.Key, kind, aggregate)
		}
		c.duplicates++
		return exchange.StatusDuplicate, nil
	case !errors.Is(err, sql.ErrNoRows):
		return "", fmt.Errorf("provsim: read event key %s: %w", e.Key, err)
	}

	var firstKey string
	var firstData []byte
	err = t.ts.row(t.p.st.naturalGet, t.hall, natural).Scan(&firstKey, &firstData)
	switch {
	case err == nil:
		if e.Kind == exchange.KindAuditHead {
			// A head sent again with another hash is the hall's history
			// rewritten: flagged (audit_mismatch), and still a duplicate.
			if err := t.auditDuplicate(data, firstData); err != nil {
				return "", err
			}
		} else if !bytes.Equal(data, firstData) {
			// The same record with other content is not a copy: a hall
			// restored from a backup numbering anew, or a hall bug. Refused,
			// so that it shows as a dead letter instead of vanishing.
			return "", reject("%s was already received (as %s) with other content; a record is sent once — was the hall restored from a backup? (then it numbers anew: tell the province)", natural, firstKey)
		}
		if err := t.rememberKey(e, digest); err != nil {
			return "", err
		}
		c.duplicates++
		return exchange.StatusDuplicate, nil
	case !errors.Is(err, sql.ErrNoRows):
		return "", fmt.Errorf("provsim: read natural key %s: %w", natural, err)
	}

	if err := t.apply(e, data); err != nil {
		return "", err
	}
	if err := t.rememberKey(e, digest); err != nil {
		return "", err
	}
	if _, err := t.ts.exec(t.p.st.appliedPut, t.hall, natural, e.Key, e.Kind, e.Aggregate, e.Seq, ms(t.now), data); err != nil {
		return "", fmt.Errorf("provsim: record applied event %s (natural key %s): %w", e.Key, natural, err)
	}
	var last int64
	err = t.ts.row(t.p.st.aggGet, t.hall, e.Aggregate).Scan(&last)
	switch {
	case err == nil:
		if e.Seq < last {
			c.outOfOrder++
			t.p.log.Warn("provsim: event applied out of order", "hall", t.hall, "aggregate", e.Aggregate,
				"key", e.Key, "seq", e.Seq, "after_seq", last)
		}
	case !errors.Is(err, sql.ErrNoRows):
		return "", fmt.Errorf("provsim: read aggregate %s: %w", e.Aggregate, err)
	}
	if _, err := t.ts.exec(t.p.st.aggPut, t.hall, e.Aggregate, e.Seq); err != nil {
		return "", fmt.Errorf("provsim: record aggregate %s: %w", e.Aggregate, err)
	}
	c.applied++
	return exchange.StatusApplied, nil
}

func (t *pushTx) rememberKey(e exchange.Event, digest []byte) error {
	if _, err := t.ts.exec(t.p.st.keyPut, t.hall, e.Key, e.Kind, e.Aggregate, digest, ms(t.now)); err != nil {
		return fmt.Errorf("provsim: record event key %s: %w", e.Key, err)
	}
	return nil
}

// finish writes the counters and, when the trust list or revocations
// changed, the next trust version.
func (t *pushTx) finish() error {
	for kind, c := range t.counts {
		if _, err := t.ts.exec(t.p.st.counterAdd, t.hall, kind, c.received, c.applied, c.duplicates, c.rejected, c.deferred, c.outOfOrder); err != nil {
			return fmt.Errorf("provsim: count events: %w", err)
		}
	}
	if t.trustChanged {
		if _, err := t.ts.exec(t.p.st.trustBump, ms(t.now)); err != nil {
			return fmt.Errorf("provsim: next trust version: %w", err)
		}
	}
	return nil
}

// eventDigest identifies an event's content for the key-reuse check.
func eventDigest(kind, aggregate string, data []byte) []byte {
	h := sha256.New()
	h.Write([]byte(kind))
	h.Write([]byte{0})
	h.Write([]byte(aggregate))
	h.Write([]byte{0})
	h.Write(data)
	return h.Sum(nil)
}

// compactJSON drops insignificant white space, so a re-encoded copy of an
// event has the same digest.
func compactJSON(raw json.RawMessage) ([]byte, error) {
	var b bytes.Buffer
	if err := json.Compact(&b, raw); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// allTaken reports whether every result is applied or duplicate.
func allTaken(results []exchange.EventResult) bool {
	for _, r := range results {
		if r.Status != exchange.StatusApplied && r.Status != exchange.StatusDuplicate {
			return false
		}
	}
	return true
}
