package store_test

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"onestop/hallserver/queue"
	"onestop/hallserver/store"
)

func setPolicy(t *testing.T, s *store.Store, policy string) {
	t.Helper()
	st := store.DefaultSettings()
	st.PolicyText = policy
	got, err := s.UpdateSettings(ctx, admin, st)
	if err != nil {
		t.Fatalf("UpdateSettings(%s): %v", policy, err)
	}
	if got.Policy.String() != policy {
		t.Fatalf("UpdateSettings(%s) = %s", policy, got.Policy)
	}
	if cur, err := s.Settings(ctx); err != nil || cur.Policy.String() != policy {
		t.Fatalf("Settings = %s, %v; want %s", cur.Policy, err, policy)
	}
}

type issueAt struct {
	minute   int // after t0
	priority queue.Priority
}

// TestPolicies issues tickets into queue A at the given minutes, then one
// window calls (and serves) them all: the call order and which calls are
// recorded as out of order follow the policy.
func TestPolicies(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		policy    string
		tickets   []issueAt
		callAt    int      // minute of the calls
		wantOrder []string // numbers, in call order
		wantOOO   []string // the calls recorded as out of order
		reason    string   // words every out-of-order reason holds
	}{
		{
			policy:    "strict",
			tickets:   []issueAt{{0, ""}, {1, ""}, {2, queue.Elderly}, {3, ""}, {4, queue.Disabled}},
			callAt:    10,
			wantOrder: []string{"A003", "A005", "A001", "A002", "A004"},
			wantOOO:   []string{"A003", "A005"},
			reason:    "strict",
		},
		{
			policy:    "interleave:2",
			tickets:   []issueAt{{0, ""}, {1, ""}, {2, ""}, {3, ""}, {4, queue.Elderly}, {5, ""}, {6, queue.Pregnant}},
			callAt:    10,
			wantOrder: []string{"A001", "A002", "A005", "A003", "A004", "A007", "A006"},
			wantOOO:   []string{"A005", "A007"},
			reason:    "interleave 1:2",
		},
		{
			// Bonus 15m: an elderly citizen 10 minutes behind goes first; one
			// 20 minutes behind does not.
			policy:    "ageing:15m",
			tickets:   []issueAt{{0, ""}, {10, queue.Elderly}, {12, ""}, {32, queue.Elderly}},
			callAt:    40,
			wantOrder: []string{"A002", "A001", "A003", "A004"},
			wantOOO:   []string{"A002"},
			reason:    "ageing",
		},
	} {
		t.Run(tc.policy, func(t *testing.T) {
			s, clk := newHall(t)
			setPolicy(t, s, tc.policy)
			alice := staff(t, s, "alice", "counter", 1)
			open(t, s, alice, 1)
			for _, it := range tc.tickets {
				clk.Set(t0.Add(time.Duration(it.minute) * time.Minute))
				issue(t, s, store.IssueRequest{Queue: "A", Priority: it.priority})
			}
			clk.Set(t0.Add(time.Duration(tc.callAt) * time.Minute))
			var order, ooo []string
			for range tc.tickets {
				res := callNext(t, s, alice, 1)
				order = append(order, res.Ticket.Number)
				hist, err := s.TicketHistory(ctx, res.Ticket.ID)
				if err != nil {
					t.Fatal(err)
				}
				ev := hist[len(hist)-1]
				if ev.OutOfOrder != res.OutOfOrder || ev.Reason != res.Reason {
					t.Errorf("%s: call returned out-of-order %v %q, history has %v %q", res.Ticket.Number, res.OutOfOrder, res.Reason, ev.OutOfOrder, ev.Reason)
				}
				if res.OutOfOrder {
					ooo = append(ooo, res.Ticket.Number)
					if !strings.Contains(res.Reason, tc.reason) {
						t.Errorf("%s: reason %q does not mention %q", res.Ticket.Number, res.Reason, tc.reason)
					}
				} else if res.Reason != "" {
					t.Errorf("%s: in-order call with reason %q", res.Ticket.Number, res.Reason)
				}
				serveAt(t, s, alice, 1)
			}
			if !reflect.DeepEqual(order, tc.wantOrder) {
				t.Errorf("call order %v, want %v", order, tc.wantOrder)
			}
			if !reflect.DeepEqual(ooo, tc.wantOOO) {
				t.Errorf("out of order %v, want %v", ooo, tc.wantOOO)
			}
		})
	}
}

func TestUpdateSettingsRefused(t *testing.T) {
	t.Parallel()
	s, _ := newHall(t)
	setPolicy(t, s, "ageing:15m")
	base, err := s.Settings(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		edit  func(*store.Settings)
		words []string
	}{
		{"unknown policy", func(st *store.Settings) { st.PolicyText = "fastest" }, []string{"fastest"}},
		{"empty policy", func(st *store.Settings) { st.PolicyText = "" }, nil},
		{"interleave 0", func(st *store.Settings) { st.PolicyText = "interleave:0" }, []string{"interleave"}},
		{"ageing too long", func(st *store.Settings) { st.PolicyText = "ageing:5h" }, []string{"5h"}},
		{"strict with parameter", func(st *store.Settings) { st.PolicyText = "strict:2" }, nil},
		{"negative recalls", func(st *store.Settings) { st.NoShowAfterRecalls = -1 }, []string{"-1"}},
		{"too many recalls", func(st *store.Settings) { st.NoShowAfterRecalls = 11 }, []string{"11"}},
		{"service too short", func(st *store.Settings) { st.DefaultServiceSeconds = 29 }, []string{"29"}},
		{"service too long", func(st *store.Settings) { st.DefaultServiceSeconds = 4*3600 + 1 }, []string{"14401"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st := store.DefaultSettings()
			tc.edit(&st)
			_, err := s.UpdateSettings(ctx, admin, st)
			wantErr(t, err, store.ErrInvalid, tc.words...)
			if cur, _ := s.Settings(ctx); !reflect.DeepEqual(cur, base) {
				t.Errorf("settings changed to %+v", cur)
			}
		})
	}
	// The bounds themselves are accepted.
	st := store.Settings{PolicyText: "interleave:1", NoShowAfterRecalls: 10, DefaultServiceSeconds: 30}
	got, err := s.UpdateSettings(ctx, admin, st)
	if err != nil {
		t.Fatal(err)
	}
	cur, _ := s.Settings(ctx)
	if !reflect.DeepEqual(cur, got) || cur.DefaultService != 30*time.Second || cur.Policy.InterleaveN != 1 {
		t.Errorf("Settings = %+v, UpdateSettings returned %+v", cur, got)
	}
}
