package hallserver

import (
	"context"
	"fmt"
	"net/http"
	"time"

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
	provinceReplayMax   = 1000 // ids one replay may name
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
	st.Backlog, st.Held, st.Dead, st.Delivered, st.OldestPending = ob.Pending, ob.Held, ob.Dead, ob.Delivered, ob.OldestPending
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
	for _, id := range req.IDs {
		if id <= 0 {
			writeError(w, http.StatusBadRequest, codeInvalid,
				fmt.Sprintf("ids: %d is not a dead letter's id (positive; see dead_letters in GET /api/v1/province)", id))
			return
		}
	}
	n, err := s.st.ReplayDeadLetters(r.Context(), actor(p, ""), req.IDs)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if k, ok := s.cfg.Province.(interface{ Kick() }); ok {
		k.Kick() // send them now, not after the relay's current wait
	}
	s.log.Info("province dead letters replayed", "by", p.Username, "rows", n, "ids", len(req.IDs))
	writeJSON(w, http.StatusOK, api.ProvinceReplayResponse{Replayed: n})
}
