package store_test

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"onestop/hallserver/queue"
	"onestop/hallserver/store"
	"onestop/hallserver/workday"
)

// calendar is the embedded working-day calendar (2026 official, 2027
// provisional).
func calendar(t testing.TB) *workday.Calendar {
	t.Helper()
	cal, err := workday.Default()
	if err != nil {
		t.Fatal(err)
	}
	return cal
}

// ratingHall is a hall where wang (counter staff) has window 3 (queue B)
// open, with a helper that serves the next B ticket there.
type ratingHall struct {
	s   *store.Store
	clk *clock
	cal *workday.Calendar
	// wang works at window 3, li at window 4; both serve queue B.
	wang, li store.Actor
	boss     store.Actor // a supervisor
}

func newRatingHall(t *testing.T) *ratingHall {
	t.Helper()
	s, clk := newHall(t)
	h := &ratingHall{s: s, clk: clk, cal: calendar(t)}
	h.wang = staff(t, s, "wang", "counter", 3)
	h.li = staff(t, s, "li", "counter", 4)
	h.boss = staff(t, s, "boss", "supervisor", 0)
	h.boss.Device = ""
	open(t, s, h.wang, 3)
	open(t, s, h.li, 4)
	return h
}

// served issues a ticket of item GA-CRJ-001 (queue B) and has a serve it
// at window to the end.
func (h *ratingHall) served(t *testing.T, a store.Actor, window int) store.Ticket {
	t.Helper()
	tk := issue(t, h.s, store.IssueRequest{Item: "GA-CRJ-001"})
	if got := callNext(t, h.s, a, window).Ticket; got.ID != tk.ID {
		t.Fatalf("window %d called %s, want %s", window, got.Number, tk.Number)
	}
	serve(t, h.s, h.clk, a, window, 5*time.Minute)
	return tk
}

// rate records a rating or fails the test.
func (h *ratingHall) rate(t *testing.T, a store.Actor, req store.RatingRequest) store.Rating {
	t.Helper()
	r, err := h.s.RecordRating(ctx, a, h.cal, req)
	if err != nil {
		t.Fatalf("RecordRating(%+v): %v", req, err)
	}
	return r
}

func byToken(tk store.Ticket, level int) store.RatingRequest {
	return store.RatingRequest{TicketToken: tk.Token, Channel: store.ChannelKiosk, Level: level}
}

func TestRatingReasonsList(t *testing.T) {
	levels := store.RatingLevels()
	if len(levels) != 5 || levels[0].Level != 5 || levels[0].Name != "非常满意" || levels[4].Name != "非常不满意" {
		t.Fatalf("levels %+v", levels)
	}
	for _, l := range levels {
		if l.Bad != (l.Level <= 2) || l.Bad != store.IsBadRating(l.Level) || l.NameEn == "" {
			t.Errorf("level %+v", l)
		}
	}
	seen := map[string]bool{}
	for _, r := range store.RatingReasons() {
		if seen[r.Code] || r.Name == "" || r.NameEn == "" || len(r.Levels) == 0 {
			t.Errorf("reason %+v: codes are unique and every reason has both labels and levels", r)
		}
		seen[r.Code] = true
	}
	for _, code := range []string{"long_wait", "bad_attitude", "unclear_guidance", "too_many_materials", "slow_processing",
		"system_failure", "warm_service", "quick", "done_in_one_visit", "other"} {
		if !seen[code] {
			t.Errorf("reason %s missing", code)
		}
	}
	// The list handed out is a copy.
	store.RatingReasons()[0].Levels[0] = 5
	if store.RatingReasons()[0].Levels[0] != 1 {
		t.Error("RatingReasons shares its slices with the caller")
	}
}

func TestRatingValidation(t *testing.T) {
	h := newRatingHall(t)
	tk := h.served(t, h.wang, 3)
	tests := []struct {
		name  string
		a     store.Actor
		edit  func(*store.RatingRequest)
		words []string
	}{
		{"level 0", kioskA, func(r *store.RatingRequest) { r.Level = 0 }, []string{"level 0", "1 (非常不满意", "5 (非常满意"}},
		{"level 6", kioskA, func(r *store.RatingRequest) { r.Level = 6 }, []string{"level 6"}},
		{"unknown reason", kioskA, func(r *store.RatingRequest) { r.Reasons = []string{"rude"} }, []string{`"rude"`, "reasons list"}},
		{"praise with a bad level", kioskA, func(r *store.RatingRequest) { r.Level, r.Reasons = 1, []string{"quick"} },
			[]string{"quick (高效快捷)", "levels 3 to 5", "not with 1 (非常不满意)"}},
		{"complaint with a good level", kioskA, func(r *store.RatingRequest) { r.Level, r.Reasons = 5, []string{"long_wait"} },
			[]string{"long_wait", "levels 1 to 3"}},
		{"comment too long", kioskA, func(r *store.RatingRequest) { r.Comment = strings.Repeat("慢", 201) }, []string{"201 characters", "200"}},
		{"control characters", kioskA, func(r *store.RatingRequest) { r.Comment = "a\x1bb" }, []string{"control characters"}},
		{"no channel", kioskA, func(r *store.RatingRequest) { r.Channel = "" }, []string{"channel"}},
		{"nothing rated", kioskA, func(r *store.RatingRequest) { r.TicketToken = "" }, []string{"say what is rated"}},
		{"kiosk by ticket id", kioskA, func(r *store.RatingRequest) { r.TicketToken, r.TicketID = "", tk.ID }, []string{"token", "not by its id"}},
		{"kiosk names a window", kioskA, func(r *store.RatingRequest) { r.Window = "3" }, []string{"evaluation pad"}},
		{"phone rates an application", store.Citizen, func(r *store.RatingRequest) {
			r.Channel, r.ApplicationNumber = store.ChannelPhone, "X-1"
		}, []string{"phone"}},
		{"counter without window", h.wang, func(r *store.RatingRequest) { r.Channel = store.ChannelCounter }, []string{"which window"}},
		{"counter at window x", h.wang, func(r *store.RatingRequest) { r.Channel, r.Window = store.ChannelCounter, "x" }, []string{`window "x"`}},
		{"id and token", h.wang, func(r *store.RatingRequest) { r.Channel, r.Window, r.TicketID = store.ChannelCounter, "3", tk.ID },
			[]string{"not both"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := byToken(tk, 4)
			tt.edit(&req)
			_, err := h.s.RecordRating(ctx, tt.a, h.cal, req)
			wantErr(t, err, store.ErrInvalid, tt.words...)
		})
	}
	if n := count(t, rawDB(t, h.s), "SELECT COUNT(*) FROM ratings"); n != 0 {
		t.Fatalf("%d ratings recorded by refused requests", n)
	}
	// Reasons are kept once each, in the order given; the comment is trimmed.
	r := h.rate(t, kioskA, store.RatingRequest{TicketToken: tk.Token, Channel: store.ChannelKiosk, Level: 3,
		Reasons: []string{"long_wait", "quick", "long_wait", "other"}, Comment: "  还行 \n"})
	if !slices.Equal(r.Reasons, []string{"long_wait", "quick", "other"}) || r.Comment != "还行" || r.Followup != nil {
		t.Fatalf("recorded %+v", r)
	}
}

func TestRatingTakesStaffAndWindowFromTheRecord(t *testing.T) {
	h := newRatingHall(t)
	// wang serves at window 3; the kiosk rating names neither.
	tk := h.served(t, h.wang, 3)
	r := h.rate(t, kioskA, byToken(tk, 5))
	if r.Window != "3" || r.Staff != "wang" || r.TicketID != tk.ID || r.TicketNumber != tk.Number || r.TicketDay != day0 ||
		r.Item != "GA-CRJ-001" || r.Department != "GA" || r.Channel != store.ChannelKiosk || r.Device != "K01" ||
		r.ApplicationID != 0 || !r.At.Equal(h.clk.Now()) {
		t.Fatalf("rating %+v", r)
	}
	// A visit transferred from window 3 to window 4 is li's: the last to
	// serve it.
	tk2 := issue(t, h.s, store.IssueRequest{Item: "GA-CRJ-001"})
	callNext(t, h.s, h.wang, 3)
	act(t, h.s, h.wang, 3, store.WindowAction{Kind: queue.Start})
	act(t, h.s, h.wang, 3, store.WindowAction{Kind: queue.Transfer, ToWindow: 4})
	if _, err := h.s.RecordRating(ctx, kioskA, h.cal, byToken(tk2, 4)); err == nil {
		t.Fatal("a visit waiting at its second window was rated")
	}
	callNext(t, h.s, h.li, 4)
	serve(t, h.s, h.clk, h.li, 4, time.Minute)
	r2 := h.rate(t, kioskA, byToken(tk2, 4))
	if r2.Window != "4" || r2.Staff != "li" {
		t.Fatalf("transferred visit rated for window %s staff %s, want 4 li", r2.Window, r2.Staff)
	}
	// While the citizen is still at the window (the pad asks at the end of
	// service), the one serving is the one rated.
	tk3 := issue(t, h.s, store.IssueRequest{Item: "GA-CRJ-001"})
	callNext(t, h.s, h.wang, 3)
	act(t, h.s, h.wang, 3, store.WindowAction{Kind: queue.Start})
	r3 := h.rate(t, h.wang, store.RatingRequest{TicketID: tk3.ID, Channel: store.ChannelCounter, Window: "3", Level: 5})
	if r3.Window != "3" || r3.Staff != "wang" || r3.Channel != store.ChannelCounter || r3.Device != "window 3" {
		t.Fatalf("pad rating %+v", r3)
	}
}

func TestRatingRefusedForUnservedTickets(t *testing.T) {
	h := newRatingHall(t)
	waiting := issue(t, h.s, store.IssueRequest{Queue: "C"})
	cancelled := issue(t, h.s, store.IssueRequest{Queue: "C"})
	if _, err := h.s.CancelTicket(ctx, kioskA, cancelled.ID, "changed my mind"); err != nil {
		t.Fatal(err)
	}
	called := issue(t, h.s, store.IssueRequest{Item: "GA-CRJ-001"})
	callNext(t, h.s, h.wang, 3)
	noShow := issue(t, h.s, store.IssueRequest{Item: "GA-CRJ-001"})
	callNext(t, h.s, h.li, 4)
	act(t, h.s, h.li, 4, store.WindowAction{Kind: queue.Recall})
	act(t, h.s, h.li, 4, store.WindowAction{Kind: queue.MarkNoShow})
	tests := []struct {
		name  string
		tk    store.Ticket
		words []string
	}{
		{"waiting", waiting, []string{waiting.Number, "still waiting", "once it has been served"}},
		{"cancelled", cancelled, []string{"never served", "cancelled"}},
		{"called", called, []string{"called but not served yet"}},
		{"no-show", noShow, []string{"never served", "no-show"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := h.s.RecordRating(ctx, store.Citizen, h.cal, store.RatingRequest{TicketToken: tt.tk.Token,
				Channel: store.ChannelPhone, Level: 1})
			wantErr(t, err, store.ErrConflict, tt.words...)
		})
	}
	_, err := h.s.RecordRating(ctx, store.Citizen, h.cal, store.RatingRequest{TicketToken: "nope", Channel: store.ChannelPhone, Level: 5})
	wantErr(t, err, store.ErrNotFound, "QR code")
	if n := count(t, rawDB(t, h.s), "SELECT COUNT(*) FROM ratings"); n != 0 {
		t.Fatalf("%d ratings recorded by refused requests", n)
	}
}

func TestRatingCounterPad(t *testing.T) {
	h := newRatingHall(t)
	tk := h.served(t, h.wang, 3)
	pad := func(a store.Actor, window string) error {
		_, err := h.s.RecordRating(ctx, a, h.cal, store.RatingRequest{TicketID: tk.ID, Channel: store.ChannelCounter, Window: window, Level: 5})
		return err
	}
	// li's pad at window 4 may not rate wang's visit; li may not use wang's
	// window; window 6 is closed.
	wantErr(t, pad(h.li, "4"), store.ErrForbidden, "served at window 3, not window 4")
	wantErr(t, pad(h.li, "3"), store.ErrForbidden, "opened by another staff member")
	wantErr(t, pad(h.wang, "6"), store.ErrConflict, "closed")
	wantErr(t, pad(h.wang, "99"), store.ErrNotFound, "no window 99")
	if err := pad(h.wang, "03"); err != nil {
		t.Fatal(err)
	}
	if rs, err := h.s.Ratings(ctx, store.RatingFilter{}); err != nil || len(rs) != 1 || rs[0].Device != "window 3" || rs[0].Window != "3" {
		t.Fatalf("pad rating %+v, %v", rs, err)
	}
	// The pad rates the visit in front of it, not the window's earlier ones.
	earlier, last := h.served(t, h.wang, 3), h.served(t, h.wang, 3)
	_, err := h.s.RecordRating(ctx, h.wang, h.cal, store.RatingRequest{TicketID: earlier.ID, Channel: store.ChannelCounter, Window: "3", Level: 5})
	wantErr(t, err, store.ErrForbidden, "visit it served last ("+last.Number+")", "not ticket "+earlier.Number)
	if _, err := h.s.RecordRating(ctx, kioskA, h.cal, byToken(earlier, 5)); err != nil {
		t.Fatalf("the earlier visit at a kiosk: %v", err)
	}
	// So with applications: the one accepted from the visit in front of it.
	accept := acceptReq("王晓红", "hash-1")
	accept.TicketID, accept.Window = last.ID, "3"
	app, err := h.s.AcceptApplication(ctx, h.wang, accept)
	if err != nil {
		t.Fatal(err)
	}
	padApp := store.RatingRequest{ApplicationNumber: app.Number, Channel: store.ChannelCounter, Window: "3", Level: 4}
	h.served(t, h.wang, 3)
	_, err = h.s.RecordRating(ctx, h.wang, h.cal, padApp)
	wantErr(t, err, store.ErrForbidden, "application "+app.Number)
	accept.TicketID = 0
	app2, err := h.s.AcceptApplication(ctx, h.wang, accept)
	if err != nil {
		t.Fatal(err)
	}
	padApp.ApplicationNumber = app2.Number
	if r, err := h.s.RecordRating(ctx, h.wang, h.cal, padApp); err != nil || r.ApplicationID != app2.ID || r.Window != "3" {
		t.Fatalf("pad rating of the application just accepted: %+v, %v", r, err)
	}
	// A supervisor's pad works at any open window, but only for what it served.
	tk2 := h.served(t, h.wang, 3)
	_, err = h.s.RecordRating(ctx, h.boss, h.cal, store.RatingRequest{TicketID: tk2.ID, Channel: store.ChannelCounter, Window: "4", Level: 5})
	wantErr(t, err, store.ErrForbidden, "window 3")
	if _, err := h.s.RecordRating(ctx, h.boss, h.cal, store.RatingRequest{TicketID: tk2.ID, Channel: store.ChannelCounter, Window: "3", Level: 5}); err != nil {
		t.Fatal(err)
	}
}

func TestOneRatingPerVisitAndApplication(t *testing.T) {
	h := newRatingHall(t)
	tk := h.served(t, h.wang, 3)
	first := h.rate(t, kioskA, byToken(tk, 4))
	_, err := h.s.RecordRating(ctx, store.Citizen, h.cal, store.RatingRequest{TicketToken: tk.Token, Channel: store.ChannelPhone, Level: 5})
	wantErr(t, err, store.ErrConflict, "ticket "+tk.Number, "already rated 4 (满意)", "one rating per visit")

	// The application accepted from that visit is rated on its own, once;
	// its staff member is who accepted it, whatever the caller says.
	accept := acceptReq("王晓红", "hash-1")
	accept.TicketID, accept.Window = tk.ID, "3"
	app, err := h.s.AcceptApplication(ctx, h.wang, accept)
	if err != nil {
		t.Fatal(err)
	}
	h.clk.Advance(3 * 24 * time.Hour) // a late rating, days later, by number
	ra := h.rate(t, kioskA, store.RatingRequest{ApplicationNumber: app.Number, Channel: store.ChannelKiosk, Level: 5,
		Reasons: []string{"done_in_one_visit"}})
	if ra.ApplicationID != app.ID || ra.ApplicationNumber != app.Number || ra.TicketID != tk.ID || ra.TicketNumber != tk.Number ||
		ra.Staff != "wang" || ra.Window != "3" || ra.Item != "GA-CRJ-001" || ra.Department != "GA" || ra.ID == first.ID {
		t.Fatalf("application rating %+v", ra)
	}
	_, err = h.s.RecordRating(ctx, kioskA, h.cal, store.RatingRequest{ApplicationNumber: app.Number, TicketToken: tk.Token,
		Channel: store.ChannelKiosk, Level: 1})
	wantErr(t, err, store.ErrConflict, "application "+app.Number, "one rating per application")

	// An application named with a ticket it was not accepted from.
	other := h.served(t, h.wang, 3)
	_, err = h.s.RecordRating(ctx, kioskA, h.cal, store.RatingRequest{ApplicationNumber: app.Number, TicketToken: other.Token,
		Channel: store.ChannelKiosk, Level: 5})
	wantErr(t, err, store.ErrInvalid, "another ticket than "+other.Number)
	_, err = h.s.RecordRating(ctx, kioskA, h.cal, store.RatingRequest{ApplicationNumber: "nope", Channel: store.ChannelKiosk, Level: 5})
	wantErr(t, err, store.ErrNotFound, "no application nope")
	// The index refuses a second current rating even if a writer forgot the check.
	db := rawDB(t, h.s)
	_, err = db.ExecContext(ctx, `INSERT INTO ratings(at, level, ticket_id, channel) VALUES (1, 5, ?, 'kiosk')`, tk.ID)
	if err == nil || !strings.Contains(err.Error(), "UNIQUE") {
		t.Fatalf("second rating of a visit inserted directly: %v", err)
	}
}

// TestFollowupDueDates: the call back is due the first working day after
// the day of the rating and the resolution the 15th, on the hall's
// calendar (2026: 中秋 Sep 25–27, 国庆 Oct 1–7, Sep 20 and Oct 10 worked).
func TestFollowupDueDates(t *testing.T) {
	tests := []struct {
		name              string
		at                time.Time
		callback, resolve string
		provisional       bool
	}{
		{"Monday", time.Date(2026, 3, 2, 10, 0, 0, 0, queue.Location), "2026-03-03", "2026-03-23", false},
		{"Friday before a plain weekend", time.Date(2026, 11, 27, 16, 0, 0, 0, queue.Location), "2026-11-30", "2026-12-18", false},
		{"Saturday before the worked Sunday Sep 20", time.Date(2026, 9, 19, 11, 0, 0, 0, queue.Location), "2026-09-20", "2026-10-15", false},
		{"Thursday before 中秋", time.Date(2026, 9, 24, 17, 30, 0, 0, queue.Location), "2026-09-28", "2026-10-22", false},
		{"Friday 2026-09-25, 中秋 itself (a phone rating)", time.Date(2026, 9, 25, 20, 0, 0, 0, queue.Location), "2026-09-28", "2026-10-22", false},
		{"Sep 30, the eve of 国庆", time.Date(2026, 9, 30, 15, 0, 0, 0, queue.Location), "2026-10-08", "2026-10-27", false},
		{"Friday Oct 9, before the worked Saturday", time.Date(2026, 10, 9, 9, 0, 0, 0, queue.Location), "2026-10-10", "2026-10-29", false},
		{"just before midnight counts that day", time.Date(2026, 9, 24, 23, 59, 0, 0, queue.Location), "2026-09-28", "2026-10-22", false},
		{"Dec 31 into provisional 2027", time.Date(2026, 12, 31, 10, 0, 0, 0, queue.Location), "2027-01-04", "2027-01-22", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newRatingHall(t)
			h.clk.Set(tt.at.Add(-time.Hour))
			tk := h.served(t, h.wang, 3)
			h.clk.Set(tt.at)
			r := h.rate(t, store.Citizen, store.RatingRequest{TicketToken: tk.Token, Channel: store.ChannelPhone, Level: 2,
				Reasons: []string{"long_wait"}})
			f := r.Followup
			if f == nil || f.CallbackDue.String() != tt.callback || f.ResolveDue.String() != tt.resolve || !f.OpenedAt.Equal(tt.at) {
				t.Fatalf("follow-up %+v, want call back by %s, resolve by %s", f, tt.callback, tt.resolve)
			}
			// Stored as written, and read back the same.
			db := rawDB(t, h.s)
			if n := count(t, db, "SELECT COUNT(*) FROM rating_followups WHERE rating_id = ? AND callback_due = ? AND resolve_due = ?",
				r.ID, tt.callback, tt.resolve); n != 1 {
				t.Fatal("the stored due dates differ")
			}
			st := f.Status(h.cal, tt.at)
			if st.CallbackDue.String() != tt.callback || st.ResolveDue.String() != tt.resolve || st.Provisional != tt.provisional ||
				st.CallbackOverdue || st.ResolveOverdue {
				t.Fatalf("status %+v", st)
			}
		})
	}
}

// TestFollowupOverdue: a deadline is missed when its step was not done by
// the end of the due day, whether still undone or done later.
func TestFollowupOverdue(t *testing.T) {
	cal := calendar(t)
	at := func(s string) time.Time {
		v, err := time.ParseInLocation("2006-01-02 15:04", s, queue.Location)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	// A bad rating on 中秋, Friday 2026-09-25: call back by Monday Sep 28,
	// resolve by Thursday Oct 22 (国庆 Oct 1–7 does not count, Sat Oct 10 does).
	base := store.Followup{OpenedAt: at("2026-09-25 20:00")}
	tests := []struct {
		name                string
		now                 string
		calledBack, resolve string // when done; "" not yet
		callback, resolveOD bool
	}{
		{"the weekend after", "2026-09-27 12:00", "", "", false, false},
		{"due day, late evening", "2026-09-28 23:59", "", "", false, false},
		{"the day after the call back's due day", "2026-09-29 00:01", "", "", true, false},
		{"called back on the due day", "2026-10-20 10:00", "2026-09-28 17:00", "", false, false},
		{"called back a day late", "2026-10-20 10:00", "2026-09-29 09:00", "", true, false},
		{"during 国庆, resolution not due", "2026-10-05 10:00", "2026-09-28 09:00", "", false, false},
		{"resolution due day", "2026-10-22 18:00", "2026-09-28 09:00", "", false, false},
		{"resolution overdue", "2026-10-23 08:00", "2026-09-28 09:00", "", false, true},
		{"resolved in time", "2026-11-30 08:00", "2026-09-28 09:00", "2026-10-22 16:00", false, false},
		{"resolved late", "2026-11-30 08:00", "2026-09-28 09:00", "2026-10-23 09:00", false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := base
			f.CallbackDue, f.ResolveDue = workday.NewDate(2026, 9, 28), workday.NewDate(2026, 10, 22)
			if tt.calledBack != "" {
				f.CalledBackAt = at(tt.calledBack)
			}
			if tt.resolve != "" {
				f.ResolvedAt = at(tt.resolve)
			}
			for _, c := range []*workday.Calendar{cal, nil} { // counted now, or as recorded
				st := f.Status(c, at(tt.now))
				if st.CallbackOverdue != tt.callback || st.ResolveOverdue != tt.resolveOD ||
					st.CallbackDue != f.CallbackDue || st.ResolveDue != f.ResolveDue {
					t.Errorf("calendar %v: status %+v, want call back overdue %v, resolution overdue %v", c != nil, st, tt.callback, tt.resolveOD)
				}
			}
		})
	}
}

// TestFollowupAndRerating walks a bad rating through its follow-up to
// the citizen's one re-rating, checking the refusals and the audit trail.
func TestFollowupAndRerating(t *testing.T) {
	h := newRatingHall(t)
	tk := h.served(t, h.wang, 3)
	bad := h.rate(t, store.Citizen, store.RatingRequest{TicketToken: tk.Token, Channel: store.ChannelPhone, Level: 1,
		Reasons: []string{"bad_attitude", "long_wait"}, Comment: "等了一个小时"})
	if !bad.Bad() || bad.Followup == nil || !bad.Followup.Open() || bad.Followup.CallbackDue.String() != "2026-11-27" ||
		bad.Followup.ResolveDue.String() != "2026-12-17" || bad.Device != "phone" {
		t.Fatalf("bad rating %+v, follow-up %+v", bad, bad.Followup)
	}
	rerate := store.RatingRequest{TicketToken: tk.Token, Channel: store.ChannelPhone, Level: 4}
	_, err := h.s.RecordRating(ctx, store.Citizen, h.cal, rerate)
	wantErr(t, err, store.ErrConflict, "already rated 1 (非常不满意)", "following it up", "once the follow-up is resolved")

	// Resolving needs the call back first; both need words.
	h.clk.Advance(2 * time.Hour)
	_, err = h.s.ResolveFollowup(ctx, h.boss, bad.ID, "已整改")
	wantErr(t, err, store.ErrConflict, "record the call back", "first")
	_, err = h.s.RecordCallback(ctx, h.boss, bad.ID, "  ")
	wantErr(t, err, store.ErrInvalid, "call back note is missing", "could not be reached")
	_, err = h.s.RecordCallback(ctx, h.boss, 999, "x")
	wantErr(t, err, store.ErrNotFound, "no rating 999")
	called, err := h.s.RecordCallback(ctx, h.boss, bad.ID, "已致电，群众反映窗口人员态度生硬")
	if err != nil {
		t.Fatal(err)
	}
	f := called.Followup
	if f.CalledBackBy != "boss" || !f.CalledBackAt.Equal(h.clk.Now()) || f.CallbackNote != "已致电，群众反映窗口人员态度生硬" || !f.Open() {
		t.Fatalf("after the call back %+v", f)
	}
	_, err = h.s.RecordCallback(ctx, h.boss, bad.ID, "again")
	wantErr(t, err, store.ErrConflict, "was recorded on 2026-11-26 11:", "by boss")

	h.clk.Advance(24 * time.Hour)
	_, err = h.s.ResolveFollowup(ctx, h.boss, bad.ID, "")
	wantErr(t, err, store.ErrInvalid, "resolution is missing", "say what was done")
	resolved, err := h.s.ResolveFollowup(ctx, h.boss, bad.ID, "约谈窗口人员，开展服务礼仪培训")
	if err != nil {
		t.Fatal(err)
	}
	if f := resolved.Followup; f.Open() || f.ResolvedBy != "boss" || f.Resolution != "约谈窗口人员，开展服务礼仪培训" ||
		!f.ResolvedAt.Equal(h.clk.Now()) {
		t.Fatalf("after resolving %+v", f)
	}
	_, err = h.s.ResolveFollowup(ctx, h.boss, bad.ID, "again")
	wantErr(t, err, store.ErrConflict, "was resolved on 2026-11-27")

	// The citizen re-rates once: the new rating replaces the bad one.
	h.clk.Advance(time.Hour)
	again := h.rate(t, store.Citizen, rerate)
	if again.Replaces != bad.ID || again.Superseded || again.Followup != nil || again.Staff != "wang" || again.Window != "3" {
		t.Fatalf("re-rating %+v", again)
	}
	old, err := h.s.RatingByID(ctx, bad.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !old.Superseded || old.Followup.ReratingID != again.ID || old.Followup.ReratingLevel != 4 || old.Level != 1 {
		t.Fatalf("the bad rating after the re-rating %+v, follow-up %+v", old, old.Followup)
	}
	_, err = h.s.RecordRating(ctx, store.Citizen, h.cal, rerate)
	wantErr(t, err, store.ErrConflict, "already rated 4 (满意)", "one rating per visit")

	// Every step is in the audit trail, with who and what.
	trail, err := h.s.AuditTrail(ctx, "rating", strconv.FormatInt(bad.ID, 10))
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, r := range trail {
		actions = append(actions, r.Action+" by "+r.Actor)
	}
	want := []string{"rating.record by citizen", "rating.callback by boss", "rating.resolve by boss", "rating.supersede by citizen"}
	if !slices.Equal(actions, want) {
		t.Fatalf("audit of rating %d: %v, want %v", bad.ID, actions, want)
	}
	var rec, cb, res, sup map[string]any
	for i, v := range []*map[string]any{&rec, &cb, &res, &sup} {
		if err := json.Unmarshal([]byte(trail[i].After), v); err != nil {
			t.Fatal(err)
		}
	}
	if rec["level"] != 1.0 || rec["staff"] != "wang" || rec["window"] != "3" || rec["comment"] != "等了一个小时" ||
		rec["followup"].(map[string]any)["resolve_due"] != "2026-12-17" || strings.Contains(trail[0].After, tk.Token) {
		t.Errorf("rating.record after: %s", trail[0].After)
	}
	if cb["called_back_by"] != "boss" || cb["callback_note"] != "已致电，群众反映窗口人员态度生硬" || !strings.Contains(trail[1].Before, `"called_back_by":""`) {
		t.Errorf("rating.callback before %s after %s", trail[1].Before, trail[1].After)
	}
	if res["resolved_by"] != "boss" || res["resolution"] != "约谈窗口人员，开展服务礼仪培训" {
		t.Errorf("rating.resolve after: %s", trail[2].After)
	}
	if sup["superseded"] != true || sup["followup"].(map[string]any)["rerating_id"] != float64(again.ID) {
		t.Errorf("rating.supersede after: %s", trail[3].After)
	}
	trail, err = h.s.AuditTrail(ctx, "rating", strconv.FormatInt(again.ID, 10))
	if err != nil || len(trail) != 1 || trail[0].Action != "rating.rerate" || !strings.Contains(trail[0].Before, `"level":1`) ||
		!strings.Contains(trail[0].After, `"replaces":`+strconv.FormatInt(bad.ID, 10)) {
		t.Fatalf("audit of the re-rating: %+v, %v", trail, err)
	}
	verifyOK(t, h.s)
}

// TestBadReratingIsFollowedUpButFinal: a re-rating that is bad again is
// followed up like any bad rating, but the visit is not re-rated twice.
func TestBadReratingIsFollowedUpButFinal(t *testing.T) {
	h := newRatingHall(t)
	tk := h.served(t, h.wang, 3)
	req := store.RatingRequest{TicketToken: tk.Token, Channel: store.ChannelKiosk, Level: 2}
	first := h.rate(t, kioskA, req)
	if _, err := h.s.RecordCallback(ctx, h.boss, first.ID, "called"); err != nil {
		t.Fatal(err)
	}
	if _, err := h.s.ResolveFollowup(ctx, h.boss, first.ID, "fixed"); err != nil {
		t.Fatal(err)
	}
	second := h.rate(t, kioskA, req)
	if second.Replaces != first.ID || second.Followup == nil || !second.Followup.Open() {
		t.Fatalf("bad re-rating %+v", second)
	}
	if _, err := h.s.RecordCallback(ctx, h.boss, second.ID, "called again"); err != nil {
		t.Fatal(err)
	}
	if _, err := h.s.ResolveFollowup(ctx, h.boss, second.ID, "fixed again"); err != nil {
		t.Fatal(err)
	}
	_, err := h.s.RecordRating(ctx, kioskA, h.cal, req)
	wantErr(t, err, store.ErrConflict, "may be re-rated only once")
	// A good rating has no follow-up to call back.
	good := h.rate(t, kioskA, byToken(h.served(t, h.wang, 3), 5))
	_, err = h.s.RecordCallback(ctx, h.boss, good.ID, "x")
	wantErr(t, err, store.ErrConflict, "only bad ratings are followed up")
	// A bad rating without a calendar cannot set its due dates.
	if _, err := h.s.RecordRating(ctx, kioskA, nil, byToken(h.served(t, h.wang, 3), 1)); err == nil || !strings.Contains(err.Error(), "calendar") {
		t.Fatalf("bad rating without a calendar: %v", err)
	}
}

func TestRatingLists(t *testing.T) {
	h := newRatingHall(t)
	rate := func(a store.Actor, window int, level int) store.Rating {
		return h.rate(t, kioskA, byToken(h.served(t, a, window), level))
	}
	r1 := rate(h.wang, 3, 5) // Thursday 2026-11-26
	r2 := rate(h.li, 4, 2)
	h.clk.Advance(24 * time.Hour) // Friday 11-27
	r3 := rate(h.wang, 3, 1)
	r4 := rate(h.li, 4, 3)
	h.clk.Advance(24 * time.Hour) // Saturday 11-28
	r5 := rate(h.wang, 3, 2)
	if _, err := h.s.RecordCallback(ctx, h.boss, r2.ID, "called"); err != nil {
		t.Fatal(err)
	}
	if _, err := h.s.ResolveFollowup(ctx, h.boss, r2.ID, "fixed"); err != nil {
		t.Fatal(err)
	}
	ids := func(rs []store.Rating) []int64 {
		out := []int64{}
		for _, r := range rs {
			out = append(out, r.ID)
		}
		return out
	}
	d := func(s string) workday.Date {
		v, err := workday.ParseDate(s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	tests := []struct {
		name string
		f    store.RatingFilter
		want []int64
	}{
		{"all, newest first", store.RatingFilter{}, []int64{r5.ID, r4.ID, r3.ID, r2.ID, r1.ID}},
		{"one day", store.RatingFilter{From: d("2026-11-27"), To: d("2026-11-27")}, []int64{r4.ID, r3.ID}},
		{"from a day on", store.RatingFilter{From: d("2026-11-27")}, []int64{r5.ID, r4.ID, r3.ID}},
		{"up to a day", store.RatingFilter{To: d("2026-11-26")}, []int64{r2.ID, r1.ID}},
		{"level", store.RatingFilter{Level: 2}, []int64{r5.ID, r2.ID}},
		{"window", store.RatingFilter{Window: "4"}, []int64{r4.ID, r2.ID}},
		{"staff", store.RatingFilter{Staff: "wang"}, []int64{r5.ID, r3.ID, r1.ID}},
		{"bad only", store.RatingFilter{BadOnly: true}, []int64{r5.ID, r3.ID, r2.ID}},
		{"bad at a window", store.RatingFilter{BadOnly: true, Window: "3", From: d("2026-11-28")}, []int64{r5.ID}},
		{"limit", store.RatingFilter{Limit: 2}, []int64{r5.ID, r4.ID}},
		{"nothing", store.RatingFilter{Staff: "nobody"}, []int64{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := h.s.Ratings(ctx, tt.f)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(ids(got), tt.want) {
				t.Fatalf("ratings %v, want %v", ids(got), tt.want)
			}
		})
	}
	for _, f := range []store.RatingFilter{{Level: 9}, {Limit: -1}, {Limit: store.MaxRatingListLimit + 1}, {From: d("2026-11-28"), To: d("2026-11-27")}} {
		if _, err := h.s.Ratings(ctx, f); err == nil {
			t.Errorf("filter %+v accepted", f)
		}
	}
	// Follow-ups: the open ones first, oldest first, then the resolved.
	fs, err := h.s.Followups(ctx, store.FollowupFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(ids(fs), []int64{r3.ID, r5.ID, r2.ID}) || fs[2].Followup.Open() || !fs[0].Followup.Open() {
		t.Fatalf("follow-ups %v", ids(fs))
	}
	if fs, err = h.s.Followups(ctx, store.FollowupFilter{OpenOnly: true}); err != nil || !slices.Equal(ids(fs), []int64{r3.ID, r5.ID}) {
		t.Fatalf("open follow-ups %v, %v", ids(fs), err)
	}
	if fs, err = h.s.Followups(ctx, store.FollowupFilter{From: d("2026-11-28")}); err != nil || !slices.Equal(ids(fs), []int64{r5.ID}) {
		t.Fatalf("follow-ups from 11-28 %v, %v", ids(fs), err)
	}
}
