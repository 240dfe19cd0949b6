package synccheck

import (
	"strings"
	"testing"

	"onestop/hallserver/exchange/provsim"
	"onestop/hallserver/store"
)

func TestCompare(t *testing.T) {
	rows := []store.OutboxRow{
		{ID: 1, Kind: "k", Aggregate: "a", State: store.OutboxDelivered},
		{ID: 2, Kind: "k", Aggregate: "b", State: store.OutboxDelivered},
		{ID: 3, Kind: "k", Aggregate: "a", State: store.OutboxDelivered},
	}
	ev := func(id, natural string) provsim.AppliedEvent {
		return provsim.AppliedEvent{Key: "e-" + id, NaturalKey: natural}
	}
	tests := []struct {
		name    string
		rows    []store.OutboxRow
		applied []provsim.AppliedEvent
		want    string
	}{
		{"clean", rows, []provsim.AppliedEvent{ev("1", "n1"), ev("2", "n2"), ev("3", "n3")}, "missing 0, duplicates 0, unexpected 0, reordered 0"},
		{"missing", rows, []provsim.AppliedEvent{ev("1", "n1"), ev("3", "n3")}, "missing 1,"},
		{"applied twice by key", rows, []provsim.AppliedEvent{ev("1", "n1"), ev("2", "n2"), ev("3", "n3"), ev("2", "n2b")}, "duplicates 1,"},
		{"one record twice", rows, []provsim.AppliedEvent{ev("1", "n1"), ev("2", "n1"), ev("3", "n3")}, "duplicates 1,"},
		{"unexpected", rows, []provsim.AppliedEvent{ev("1", "n1"), ev("2", "n2"), ev("3", "n3"), ev("9", "n9")}, "unexpected 1,"},
		{"reordered within an aggregate", rows, []provsim.AppliedEvent{ev("3", "n3"), ev("2", "n2"), ev("1", "n1")}, "reordered 1"},
		{"other aggregates may interleave", rows, []provsim.AppliedEvent{ev("2", "n2"), ev("1", "n1"), ev("3", "n3")}, "reordered 0"},
		{"pending", append(rows[:2:2], store.OutboxRow{ID: 3, Aggregate: "a", State: store.OutboxPending}), []provsim.AppliedEvent{ev("1", "n1"), ev("2", "n2")}, "pending 1, missing 1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := compare("e", tc.rows, tc.applied)
			if !strings.Contains(r.String(), tc.want) {
				t.Fatalf("got %s\nwant it to say %q", r, tc.want)
			}
			if clean := tc.name == "clean" || tc.name == "other aggregates may interleave"; r.Clean() != clean {
				t.Errorf("Clean() = %v, want %v (%s)", r.Clean(), clean, r)
			}
		})
	}
}
