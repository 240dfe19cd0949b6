package client_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"onestop/hallserver/api"
	"onestop/hallserver/client"
	"onestop/hallserver/halltest"
)

// TestProvince: a supervisor reads the link and the dead letters and
// replays one; replaying it again is a conflict; counter staff may not.
func TestProvince(t *testing.T) {
	ctx := context.Background()
	h := halltest.New(t, halltest.Options{})
	signIn := func(user, pw string) *client.Client {
		c, err := client.New(h.URL, client.WithTimeout(5*time.Second))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.Login(ctx, user, pw); err != nil {
			t.Fatal(err)
		}
		return c
	}
	super, counter := signIn("zhuren", "demo-supervisor"), signIn("wangfang", "demo-counter-1")

	rows, err := h.Store.OutboxRows(ctx, 0, 1)
	if err != nil || len(rows) != 1 {
		t.Fatalf("the new hall's outbox: %v, %v (setting up a hall writes its signing key there)", rows, err)
	}
	if err := h.Store.DeadLetterOutbox(ctx, rows[0].ID, "rejected: test"); err != nil {
		t.Fatal(err)
	}
	st, err := super.Province(ctx)
	if err != nil || st.State != api.ProvinceNotConfigured || st.Dead != 1 || len(st.DeadLetters) != 1 ||
		st.DeadLetters[0].ID != rows[0].ID || st.DeadLetters[0].Error != "rejected: test" {
		t.Fatalf("province status %+v, %v", st, err)
	}
	if _, err := counter.Province(ctx); !errors.Is(err, client.ErrForbidden) {
		t.Errorf("counter staff reading the province link: %v, want ErrForbidden", err)
	}
	if _, err := counter.ReplayDeadLetters(ctx); !errors.Is(err, client.ErrForbidden) {
		t.Errorf("counter staff replaying: %v, want ErrForbidden", err)
	}
	if n, err := super.ReplayDeadLetters(ctx, rows[0].ID); err != nil || n != 1 {
		t.Fatalf("replay %d: %d, %v", rows[0].ID, n, err)
	}
	if _, err := super.ReplayDeadLetters(ctx, rows[0].ID); !errors.Is(err, client.ErrConflict) {
		t.Errorf("replaying it again: %v, want ErrConflict", err)
	}
	if _, err := super.ReplayDeadLetters(ctx); !errors.Is(err, client.ErrConflict) {
		t.Errorf("replaying all with none dead: %v, want ErrConflict", err)
	}
	if st, err := super.Province(ctx); err != nil || st.Dead != 0 || st.Backlog < 1 {
		t.Errorf("after the replay: %+v, %v", st, err)
	}
}
