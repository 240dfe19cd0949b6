package hallserver

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"onestop/hallserver/api"
	"onestop/hallserver/auth"
	"onestop/hallserver/store"
)

// ProvinceLink is the province sync as the API shows it (provsync.Relay implements it).
type ProvinceLink interface {
	// Link reports the link's own state: State, URL, LastSuccess, LastError, LastErrorAt, CatalogueWaiting.
	Link() api.ProvinceStatus
}

// Limits of the province routes.
const (
	provinceDeadLetters = 100  // dead letters GET /api/v1/province lists, oldest first
	provinceReplayMax   = 1000 // ids one replay or discard may name
	provinceReasonMax   = 500  // characters of a discard's reason
)

// provinceLink is the link's own part of the status: not_configured when
// the hall runs without a province.
func (s *Server) provinceLink() api.ProvinceStatus {
	if s.cfg.Province == nil {
		return api.ProvinceStatus{State: api.ProvinceNotConfigured}
	}
	l := s.cfg.Province.Link()
	return api.ProvinceStatus{State: l.State, URL: l.URL, LastSuccess: l.LastSuccess, LastError: l.LastError,
		LastErrorAt: l.LastErrorAt, CatalogueWaiting: l.CatalogueWaiting}
}

// addOutbox puts the outbox's counts into st, with the oldest pending
// row's age on the hall's clock.
func (s *Server) addOutbox(st *api.ProvinceStatus, ob store.OutboxStatus) {
	st.Backlog, st.Held, st.Dead, st.Delivered, st.Discarded = ob.Pending, ob.Held, ob.Dead, ob.Delivered, ob.Discarded
	st.OldestPending = ob.OldestPending
	if !ob.OldestPending.IsZero() {
		st.OldestPendingSeconds = max(0, int64(s.now().Sub(ob.OldestPending)/time.Second))
	}
}

// provinceStatus is the whole status: the link, the outbox, what the
// pulls have taken, and the oldest dead letters.
func (s *Server) provinceStatus(ctx context.Context) (api.ProvinceStatus, error) {
	st := s.provinceLink()
	ob, err := s.st.OutboxStatus(ctx)
	if err != nil {
		return st, err
	}
	s.addOutbox(&st, ob)
	ps, err := s.st.ProvinceState(ctx)
	if err != nil {
		return st, err
	}
	st.CatalogueVersion, st.TrustVersion, st.UpdateCursor = ps.CatalogueVersion, ps.TrustVersion, ps.UpdateCursor
	st.DeadLetters = []api.ProvinceDeadLetter{}
	if ob.Dead == 0 {
		return st, nil // the usual case, and no need to look for them
	}
	dead, err := s.st.DeadLetters(ctx, provinceDeadLetters)
	if err != nil {
		return st, err
	}
	for _, r := range dead {
		st.DeadLetters = append(st.DeadLetters, api.ProvinceDeadLetter{ID: r.ID, Kind: r.Kind, Aggregate: r.Aggregate,
			CreatedAt: r.CreatedAt, DeadAt: r.DeadAt, Attempts: r.Attempts, Replays: r.Replays, Error: r.LastError})
	}
	return st, nil
}

// getProvince reports how the link to the province stands: its state,
// the backlog, what was pulled, and the dead letters.
func (s *Server) getProvince(w http.ResponseWriter, r *http.Request, _ auth.Principal) {
	st, err := s.provinceStatus(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, st)
}

// replayProvince sets dead letters pending again (the ids, or all of them
// when none are named), for the relay to send once more.
func (s *Server) replayProvince(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	var req api.ProvinceReplayRequest
	if !decode(w, r, &req) {
		return
	}
	if len(req.IDs) > provinceReplayMax {
		writeError(w, http.StatusBadRequest, codeInvalid,
			fmt.Sprintf("ids: at most %d at a time (or none, to replay every dead letter)", provinceReplayMax))
		return
	}
	if msg := badDeadLetterIDs(req.IDs, false); msg != "" {
		writeError(w, http.StatusBadRequest, codeInvalid, msg)
		return
	}
	n, err := s.st.ReplayDeadLetters(r.Context(), actor(p, ""), req.IDs)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.kickProvince() // send them now, not after the relay's current wait
	s.log.Info("province dead letters replayed", "by", p.Username, "rows", n, "ids", len(req.IDs))
	writeJSON(w, http.StatusOK, api.ProvinceReplayResponse{Replayed: n})
}

// discardProvince gives up on the dead letters named, for good: they are
// never sent, and the rows held behind them go on. The reason is required
// and goes into the audit trail; ids are required (never all at once).
func (s *Server) discardProvince(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	var req api.ProvinceDiscardRequest
	if !decode(w, r, &req) {
		return
	}
	switch {
	case len(req.IDs) == 0:
		writeError(w, http.StatusBadRequest, codeInvalid,
			"ids: name the dead letters to discard (see dead_letters in GET /api/v1/province); discarding is never done for all at once")
		return
	case len(req.IDs) > provinceReplayMax:
		writeError(w, http.StatusBadRequest, codeInvalid, fmt.Sprintf("ids: at most %d at a time", provinceReplayMax))
		return
	case strings.TrimSpace(req.Reason) == "":
		writeError(w, http.StatusBadRequest, codeInvalid,
			"reason: say why the rows are given up (e.g. what the province said); it is kept in the audit trail")
		return
	case utf8.RuneCountInString(req.Reason) > provinceReasonMax:
		writeError(w, http.StatusBadRequest, codeInvalid,
			fmt.Sprintf("reason: %d characters: keep it to %d", utf8.RuneCountInString(req.Reason), provinceReasonMax))
		return
	}
	if msg := badDeadLetterIDs(req.IDs, true); msg != "" {
		writeError(w, http.StatusBadRequest, codeInvalid, msg)
		return
	}
	n, err := s.st.DiscardDeadLetters(r.Context(), actor(p, ""), req.IDs, req.Reason)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.kickProvince() // the rows held behind them go now
	s.log.Info("province dead letters discarded", "by", p.Username, "rows", n)
	writeJSON(w, http.StatusOK, api.ProvinceDiscardResponse{Discarded: n})
}

// badDeadLetterIDs says what is wrong with ids a request names (not
// positive; named twice, when once is the rule), empty when nothing is.
// A replay may name a row twice; a discard names each row it gives up
// on once, as its audit record lists them.
func badDeadLetterIDs(ids []int64, once bool) string {
	seen := make(map[int64]bool, len(ids))
	for _, id := range ids {
		if id <= 0 {
			return fmt.Sprintf("ids: %d is not a dead letter's id (positive; see dead_letters in GET /api/v1/province)", id)
		}
		if once && seen[id] {
			return fmt.Sprintf("ids: %d is named twice", id)
		}
		seen[id] = true
	}
	return ""
}

// kickProvince wakes the relay, when there is one, to send what it can
// now rather than after its current wait.
func (s *Server) kickProvince() {
	if k, ok := s.cfg.Province.(interface{ Kick() }); ok {
		k.Kick()
	}
}
