package store_test

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"onestop/hallserver/application"
	"onestop/hallserver/queue"
	"onestop/hallserver/store"
)

func acceptReq(name, hash string) store.AcceptRequest {
	return store.AcceptRequest{Item: "GA-CRJ-001", ApplicantName: name, ApplicantHash: hash,
		ApplicantSealed: []byte("sealed:" + hash), ApplicantMasked: "5201**********123X", Window: "3"}
}

func TestFormatApplicationNumber(t *testing.T) {
	tests := []struct {
		format, want, wantErr string
	}{
		{store.DefaultApplicationNumberFormat, "520000-ZWFW-20261126-00042", ""},
		{"GZ{date}{seq:6}", "GZ20261126000042", ""},
		{"{hall}/{seq}", "520000-ZWFW/42", ""},
		{"{hall}-{date}", "", "no {seq}"},
		{"{hall}-{year}-{seq:4}", "", "unknown placeholder"},
	}
	for _, tt := range tests {
		got, err := store.FormatApplicationNumber(tt.format, "520000-ZWFW", "2026-11-26", 42)
		switch {
		case tt.wantErr != "":
			wantErr(t, err, store.ErrInvalid, tt.wantErr)
		case err != nil || got != tt.want:
			t.Errorf("%q: %q, %v; want %q", tt.format, got, err, tt.want)
		}
	}
}

func TestApplicationLifecycle(t *testing.T) {
	s, clk := newHall(t)
	a := staff(t, s, "wang", "counter", 3)
	tk := issue(t, s, store.IssueRequest{Item: "GA-CRJ-001"})
	req := acceptReq("王晓红", "hash-1")
	req.TicketID = tk.ID
	_, err := s.AcceptApplication(ctx, a, req)
	wantErr(t, err, store.ErrInvalid, "B001 is still waiting", "call it")
	open(t, s, a, 3)
	callNext(t, s, a, 3)
	act(t, s, a, 3, store.WindowAction{Kind: queue.Start})
	req.Item, req.Window = "", "" // taken from the ticket
	app, err := s.AcceptApplication(ctx, a, req)
	if err != nil {
		t.Fatal(err)
	}
	if app.Item != "GA-CRJ-001" || app.Window != "3" {
		t.Errorf("from the ticket: item %q window %q", app.Item, app.Window)
	}
	if app.Number != "520000-ZWFW-"+day0[:4]+day0[5:7]+day0[8:]+"-00001" || app.ItemName == "" || app.LegalDays == 0 ||
		app.State.Step != application.Accept || app.State.Status != application.InProgress || app.QRToken == "" {
		t.Fatalf("accepted %+v", app)
	}
	steps := []application.Event{
		{Kind: application.EvRequestMaterials, Note: "缺少护照照片"},
		{Kind: application.EvMaterialsReceived},
		{Kind: application.EvAdvance, Step: application.Review},
		{Kind: application.EvExtend, Days: 5, Note: "经负责人批准"},
		{Kind: application.EvAdvance, Step: application.Decide},
		{Kind: application.EvAdvance, Step: application.Make},
		{Kind: application.EvAdvance, Step: application.Deliver},
		{Kind: application.EvComplete, Outcome: application.Approved},
	}
	for _, ev := range steps {
		clk.Advance(time.Hour)
		if app, err = s.RecordApplicationEvent(ctx, a, app.Number, ev, nil); err != nil {
			t.Fatalf("%s: %v", ev.Kind, err)
		}
	}
	got, err := s.ApplicationByNumber(ctx, app.Number)
	if err != nil {
		t.Fatal(err)
	}
	if got.State.Status != application.Completed || got.State.Outcome != application.Approved || got.State.ExtendDays != 5 ||
		len(got.Events) != 1+len(steps) || got.Events[1].Note != "缺少护照照片" || got.Events[8].Actor != "wang" ||
		!got.State.CompletedAt.Equal(clk.Now().Truncate(time.Millisecond)) || got.TicketID != tk.ID {
		t.Fatalf("stored %+v", got)
	}
	// Every event left its audit record, and the chain is whole.
	trail, err := s.AuditTrail(ctx, "application", app.Number)
	if err != nil || len(trail) != 1+len(steps) || trail[0].Action != "application.accept" || trail[len(trail)-1].Action != "application.complete" {
		t.Fatalf("audit trail %d records, %v", len(trail), err)
	}
	for _, r := range trail {
		if strings.Contains(r.After, "hash-1") || strings.Contains(r.After, "sealed") {
			t.Fatalf("the audit trail holds the ID hash or sealed number: %s", r.After)
		}
	}
	verifyOK(t, s)
	// A completed application takes no more events, and a refusal writes nothing.
	before := count(t, rawDB(t, s), "SELECT COUNT(*) FROM application_events")
	_, err = s.RecordApplicationEvent(ctx, a, app.Number, application.Event{Kind: application.EvExtend, Days: 1, Note: "x"}, nil)
	if !errors.Is(err, application.ErrInvalid) {
		t.Fatalf("event after completion: %v", err)
	}
	if after := count(t, rawDB(t, s), "SELECT COUNT(*) FROM application_events"); after != before {
		t.Error("a refused event was recorded")
	}
}

func TestAcceptRefusals(t *testing.T) {
	s, _ := newHall(t)
	a := staff(t, s, "wang", "counter", 3)
	tests := []struct {
		name  string
		edit  func(*store.AcceptRequest)
		words string
	}{
		{"unknown item", func(r *store.AcceptRequest) { r.Item = "XX-1" }, `"XX-1"`},
		{"no name", func(r *store.AcceptRequest) { r.ApplicantName = " " }, "name"},
		{"no ID number", func(r *store.AcceptRequest) { r.ApplicantHash = "" }, "ID number"},
		{"unknown ticket", func(r *store.AcceptRequest) { r.TicketID = 999 }, "999"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := acceptReq("李四", "h")
			tt.edit(&r)
			_, err := s.AcceptApplication(ctx, a, r)
			wantErr(t, err, store.ErrInvalid, tt.words)
		})
	}
	if n := count(t, rawDB(t, s), "SELECT COUNT(*) FROM applications"); n != 0 {
		t.Errorf("%d applications stored by refused requests", n)
	}
}

func TestApplicationLookups(t *testing.T) {
	s, clk := newHall(t)
	a := staff(t, s, "wang", "counter", 3)
	var mine []string
	for i := 0; i < 3; i++ {
		clk.Advance(time.Minute)
		app, err := s.AcceptApplication(ctx, a, acceptReq("张三", "hash-zhang"))
		if err != nil {
			t.Fatal(err)
		}
		mine = append(mine, app.Number)
	}
	other, _ := s.AcceptApplication(ctx, a, acceptReq("李四", "hash-li"))
	got, err := s.ApplicationsByApplicant(ctx, "hash-zhang")
	if err != nil || len(got) != 3 || got[0].Number != mine[2] || got[2].Number != mine[0] {
		t.Fatalf("by applicant: %d, %v", len(got), err)
	}
	byToken, err := s.ApplicationByToken(ctx, other.QRToken)
	if err != nil || byToken.Number != other.Number {
		t.Fatalf("by token: %+v, %v", byToken, err)
	}
	if _, err := s.ApplicationByNumber(ctx, "nope"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("unknown number: %v", err)
	}
	s.RecordApplicationEvent(ctx, a, mine[0], application.Event{Kind: application.EvComplete, Outcome: application.Withdrawn, Note: "撤回"}, nil)
	open, err := s.OpenApplications(ctx)
	if err != nil || len(open) != 3 || open[0].Number != mine[1] {
		t.Fatalf("open applications: %d, %v", len(open), err)
	}
}

// TestConcurrentAcceptsNumberUniquely: 32 windows accepting at once get
// 32 different numbers, 1 to 32.
func TestConcurrentAcceptsNumberUniquely(t *testing.T) {
	s, _ := newHall(t)
	a := staff(t, s, "wang", "counter", 3)
	var wg sync.WaitGroup
	numbers := make(chan string, 32)
	for i := 0; i < 32; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			app, err := s.AcceptApplication(ctx, a, acceptReq(fmt.Sprint("申请人", i), fmt.Sprint("h", i)))
			if err != nil {
				t.Error(err)
				return
			}
			numbers <- app.Number
		}(i)
	}
	wg.Wait()
	close(numbers)
	seen := map[string]bool{}
	for n := range numbers {
		if seen[n] {
			t.Errorf("number %s twice", n)
		}
		seen[n] = true
	}
	for i := 1; i <= 32; i++ {
		if !seen[fmt.Sprintf("520000-ZWFW-20261126-%05d", i)] {
			t.Errorf("number %d missing", i)
		}
	}
}
