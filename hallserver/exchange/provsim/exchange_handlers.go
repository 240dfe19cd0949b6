package provsim

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"

	"onestop/hallserver/exchange"
)

// maxBatchKey is the longest Idempotency-Key header taken.
const maxBatchKey = 200

// handlePush is POST /exchange/v1/events.
func (p *Province) handlePush(w http.ResponseWriter, r *http.Request, req *exchangeRequest) {
	signed, ok := p.verify(w, r, req.body)
	if !ok {
		return
	}
	batchKey := r.Header.Get(exchange.HeaderIdempotencyKey)
	if batchKey == "" || len(batchKey) > maxBatchKey {
		p.refuse(w, http.StatusBadRequest, exchange.CodeBadRequest,
			fmt.Sprintf("send the batch's %s header (1–%d characters, exchange.BatchKey)", exchange.HeaderIdempotencyKey, maxBatchKey))
		return
	}
	var push exchange.PushRequest
	if err := decodeStrict(req.body, &push); err != nil {
		p.refuse(w, http.StatusBadRequest, exchange.CodeBadRequest, "the push body is not a PushRequest: "+err.Error())
		return
	}
	if push.Hall != signed.Hall {
		p.refuse(w, http.StatusForbidden, exchange.CodeWrongHall,
			fmt.Sprintf("the request is signed by hall %s but the body names hall %q: a hall pushes its own events only", signed.Hall, push.Hall))
		return
	}
	if len(push.Events) == 0 || len(push.Events) > exchange.MaxBatch {
		p.refuse(w, http.StatusBadRequest, exchange.CodeBadRequest,
			fmt.Sprintf("a push carries 1–%d events, this one %d: split the batch", exchange.MaxBatch, len(push.Events)))
		return
	}
	// A push that started is finished even if the client leaves meanwhile.
	res, err := p.push(context.WithoutCancel(r.Context()), signed, batchKey, req.body, push.Events)
	if err != nil {
		p.internal(w, r, err)
		return
	}
	switch res.outcome {
	case pushNonceReplay:
		p.replayed(w, r, signed)
		return
	case pushKeyReused:
		p.log.Info("provsim: batch key reused with another body", "hall", signed.Hall, "batch", batchKey)
		p.refuse(w, http.StatusUnprocessableEntity, exchange.CodeKeyReused,
			fmt.Sprintf("the %s %s was used before with a different body: a batch key names one batch; derive it with exchange.BatchKey from the events sent", exchange.HeaderIdempotencyKey, batchKey))
		return
	case pushReplay:
		p.counts.batchReplays.Add(1)
		p.log.Debug("provsim: batch replayed", "hall", signed.Hall, "batch", batchKey)
	case pushProcessed:
		p.logPush(signed.Hall, batchKey, res.counts)
	}
	if req.lostAck {
		p.counts.lostAck.Add(1)
		resetConn(w)
		return
	}
	writeRawJSON(w, http.StatusOK, res.response)
}

func (p *Province) logPush(hall, batch string, counts map[string]*kindCount) {
	var sum kindCount
	for _, c := range counts {
		sum.received += c.received
		sum.applied += c.applied
		sum.duplicates += c.duplicates
		sum.rejected += c.rejected
		sum.deferred += c.deferred
	}
	level := slog.LevelDebug
	if sum.rejected > 0 {
		level = slog.LevelInfo
	}
	p.log.Log(context.Background(), level, "provsim: push", "hall", hall, "batch", batch, "events", sum.received,
		"applied", sum.applied, "duplicates", sum.duplicates, "rejected", sum.rejected, "deferred", sum.deferred)
}

// handleCatalogue is GET /exchange/v1/catalogue?have=N.
func (p *Province) handleCatalogue(w http.ResponseWriter, r *http.Request, _ *exchangeRequest) {
	have, ok := p.intParam(w, r, "have", 0)
	if !ok {
		return
	}
	version, body, err := p.latestCatalogue(r.Context())
	if err != nil {
		p.internal(w, r, err)
		return
	}
	if version <= have {
		writeJSON(w, http.StatusOK, exchange.CatalogueResponse{Version: version, Unchanged: true})
		return
	}
	writeJSON(w, http.StatusOK, exchange.CatalogueResponse{Version: version, Catalogue: body})
}

// handleTrust is GET /exchange/v1/trust?have=N.
func (p *Province) handleTrust(w http.ResponseWriter, r *http.Request, _ *exchangeRequest) {
	have, ok := p.intParam(w, r, "have", 0)
	if !ok {
		return
	}
	version, err := p.TrustVersion(r.Context())
	if err != nil {
		p.internal(w, r, err)
		return
	}
	if version <= have {
		writeJSON(w, http.StatusOK, exchange.TrustResponse{Version: version, Unchanged: true})
		return
	}
	version, doc, sig, err := p.TrustDocument(r.Context())
	if err != nil {
		p.internal(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, exchange.TrustResponse{Version: version, Document: doc, Signature: sig})
}

// handleApplicationUpdates is GET /exchange/v1/application-updates?after=C&limit=N.
func (p *Province) handleApplicationUpdates(w http.ResponseWriter, r *http.Request, req *exchangeRequest) {
	after, ok := p.intParam(w, r, "after", 0)
	if !ok {
		return
	}
	limit, ok := p.intParam(w, r, "limit", DefaultUpdatesLimit)
	if !ok {
		return
	}
	if limit < 1 {
		p.refuse(w, http.StatusBadRequest, exchange.CodeBadRequest, "limit must be at least 1")
		return
	}
	limit = min(limit, MaxUpdatesLimit)
	resp, err := p.applicationUpdates(r.Context(), req.signed.Hall, after, int(limit))
	if err != nil {
		p.internal(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, resp)
}

// handleProvinceKey is GET /exchange/v1/province-key (unsigned).
func (p *Province) handleProvinceKey(w http.ResponseWriter, r *http.Request, _ *exchangeRequest) {
	writeJSON(w, http.StatusOK, exchange.ProvinceKeyResponse{PublicKey: base64.StdEncoding.EncodeToString(p.PublicKey())})
}

// intParam reads a non-negative integer query parameter.
func (p *Province) intParam(w http.ResponseWriter, r *http.Request, name string, def int64) (int64, bool) {
	s := r.URL.Query().Get(name)
	if s == "" {
		return def, true
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil || v < 0 {
		p.refuse(w, http.StatusBadRequest, exchange.CodeBadRequest, fmt.Sprintf("%s=%q is not a whole number ≥ 0", name, s))
		return 0, false
	}
	return v, true
}

// decodeStrict decodes one JSON value, refusing unknown fields and
// trailing data.
func decodeStrict(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return fmt.Errorf("data after the JSON value")
	}
	return nil
}
