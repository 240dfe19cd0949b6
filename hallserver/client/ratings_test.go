package client_test

import (
	"context"
	"errors"
	"testing"

	"onestop/hallserver/api"
	"onestop/hallserver/client"
)

// TestRatingCalls: a visit served at window 1 is rated badly at the
// window's pad, and a supervisor follows the rating up through the client.
func TestRatingCalls(t *testing.T) {
	ctx := context.Background()
	base := newHall(t)
	counter, super := mustClient(t, base), mustClient(t, base)
	if _, err := counter.Login(ctx, "wangfang", "demo-counter-1"); err != nil {
		t.Fatal(err)
	}
	if _, err := super.Login(ctx, "zhuren", "demo-supervisor"); err != nil {
		t.Fatal(err)
	}
	reasons, err := mustClient(t, base).RatingReasons(ctx)
	if err != nil || len(reasons.Levels) != 5 || len(reasons.Reasons) == 0 {
		t.Fatalf("reasons %+v, %v", reasons, err)
	}
	tk, err := counter.IssueTicket(ctx, api.IssueRequest{Queue: "A"})
	if err != nil {
		t.Fatal(err)
	}
	if err := counter.OpenWindow(ctx, 1); err != nil {
		t.Fatal(err)
	}
	if _, err := counter.CallNext(ctx, 1); err != nil {
		t.Fatal(err)
	}
	if _, err := counter.Rate(ctx, api.RatingRequest{TicketID: tk.ID, Window: "1", Level: 5}); !errors.Is(err, client.ErrConflict) {
		t.Fatalf("rating a visit not served yet: %v, want ErrConflict", err)
	}
	for _, act := range []string{client.Start, client.Finish} {
		if _, err := counter.Act(ctx, 1, act, api.ActionRequest{}); err != nil {
			t.Fatal(err)
		}
	}
	rc, err := counter.Rate(ctx, api.RatingRequest{TicketID: tk.ID, Window: "1", Level: 1, Reasons: []string{"bad_attitude"}})
	if err != nil || rc.Followup == nil || rc.Window != "1" {
		t.Fatalf("rate: %+v, %v", rc, err)
	}
	if _, err := counter.Ratings(ctx, client.RatingFilter{}); !errors.Is(err, client.ErrForbidden) {
		t.Fatalf("counter listing ratings: %v, want ErrForbidden", err)
	}
	list, err := super.Ratings(ctx, client.RatingFilter{Bad: true, Window: "1", Staff: "wangfang", Level: 1, Limit: 10})
	if err != nil || len(list) != 1 || list[0].Staff != "wangfang" {
		t.Fatalf("ratings %+v, %v", list, err)
	}
	if _, err := super.Ratings(ctx, client.RatingFilter{From: "someday"}); !errors.Is(err, client.ErrInvalid) {
		t.Fatalf("bad date: %v, want ErrInvalid", err)
	}
	if _, err := super.RecordRatingCallback(ctx, list[0].ID, "已回访"); err != nil {
		t.Fatal(err)
	}
	r, err := super.ResolveRatingFollowup(ctx, list[0].ID, "已整改")
	if err != nil || r.Followup == nil || r.Followup.Open {
		t.Fatalf("resolve: %+v, %v", r, err)
	}
	open, err := super.RatingFollowups(ctx, true)
	if err != nil || len(open) != 0 {
		t.Fatalf("open follow-ups %+v, %v", open, err)
	}
	all, err := super.RatingFollowups(ctx, false)
	if err != nil || len(all) != 1 || all[0].Followup.ResolvedBy != "zhuren" {
		t.Fatalf("follow-ups %+v, %v", all, err)
	}
}
