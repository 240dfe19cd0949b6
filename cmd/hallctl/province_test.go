package main

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"onestop/hallserver/store"
)

func TestProvinceCommands(t *testing.T) {
	dir := newHall(t)
	// Two dead letters, made through the store as the relay would.
	st, err := store.Open(context.Background(), dir, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		tk, err := st.IssueTicket(context.Background(), store.System, store.IssueRequest{Queue: "A"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.CancelTicket(context.Background(), store.System, tk.ID, "test"); err != nil {
			t.Fatal(err)
		}
	}
	rows, err := st.DueOutbox(context.Background(), 10)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, r := range rows {
		if r.Kind == "ticket.summary" {
			if err := st.DeadLetterOutbox(context.Background(), r.ID, "rejected: test"); err != nil {
				t.Fatal(err)
			}
			ids = append(ids, strconv.FormatInt(r.ID, 10))
		}
	}
	epoch, _ := st.OutboxEpoch(context.Background())
	st.Close()
	if len(ids) != 2 {
		t.Fatalf("dead letters %v", ids)
	}
	tests := []struct {
		name    string
		args    []string
		want    string
		wantErr string
	}{
		{"status", []string{"province", "status", "--data", dir}, "dead letters: 2", ""},
		{"replay needs ids or --all", []string{"province", "replay", "--data", dir}, "", "--ids"},
		{"replay a bad id", []string{"province", "replay", "--data", dir, "--ids", "x"}, "", "not an outbox row id"},
		{"an id twice", []string{"province", "discard", "--data", dir, "--ids", ids[1] + "," + ids[1], "--reason", "r"}, "", "named twice"},
		{"replay one", []string{"province", "replay", "--data", dir, "--ids", ids[0]}, "1 dead letters will be sent again", ""},
		{"discard needs a reason", []string{"province", "discard", "--data", dir, "--ids", ids[1]}, "", "--reason"},
		{"discard one", []string{"province", "discard", "--data", dir, "--ids", ids[1], "--reason", "agreed with the province"}, "1 dead letters discarded", ""},
		{"nothing left to replay", []string{"province", "replay", "--data", dir, "--all"}, "", "no dead letters"},
		{"status after", []string{"province", "status", "--data", dir}, "discarded: 1", ""},
		{"new epoch", []string{"province", "new-epoch", "--data", dir}, "outbox epoch is now", ""},
		{"unknown", []string{"province", "sync", "--data", dir}, "", "use status"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, err := hallctl(t, "", tc.args...)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil || !strings.Contains(out, tc.want) {
				t.Fatalf("out %q, err %v, want %q", out, err, tc.want)
			}
		})
	}
	st, err = store.Open(context.Background(), dir, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if now, _ := st.OutboxEpoch(context.Background()); now == epoch || now == "" {
		t.Errorf("epoch %q after new-epoch, was %q", now, epoch)
	}
}
