package hallserver

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"onestop/hallserver/api"
	"onestop/hallserver/auth"
	"onestop/hallserver/queue"
)

// TestElderlyPrioritySetting: the supervisor's elderly_priority_age is
// public in GET /hall, where kiosks read it, and decides with the ID
// card's birth date whether a ticket gets the elderly priority.
func TestElderlyPrioritySetting(t *testing.T) {
	h := newTestHall(t, true)
	supervisor := h.as(auth.Supervisor)
	hallAge := func() *int {
		var hall api.Hall
		h.call(t, anonymous, "GET", "/api/v1/hall", "", http.StatusOK, &hall)
		return hall.ElderlyPriorityAge
	}
	if got := hallAge(); got == nil || *got != 65 {
		t.Fatalf("a new hall's elderly_priority_age = %v, want 65", got)
	}
	var st api.Settings
	h.call(t, supervisor, "GET", "/api/v1/settings", "", http.StatusOK, &st)
	if st.ElderlyPriorityAge == nil || *st.ElderlyPriorityAge != 65 {
		t.Fatalf("default settings %+v", st)
	}

	// bornAgo is a birth date years ago today in the hall (testStart).
	bornAgo := func(years int) time.Time {
		y, m, d := h.clock.Now().In(queue.Location).Date()
		return time.Date(y-years, m, d, 0, 0, 0, 0, time.UTC)
	}
	tests := []struct {
		setting int
		age     int
		want    bool
	}{
		{65, 64, false},
		{65, 65, true},
		{65, 66, true},
		{0, 64, false},
		{0, 65, false},
		{0, 66, false},
		{70, 66, false},
		{70, 70, true},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("setting %d, age %d", tt.setting, tt.age), func(t *testing.T) {
			st.ElderlyPriorityAge = &tt.setting
			h.call(t, supervisor, "PUT", "/api/v1/settings", jsonBody(st), http.StatusOK, &st)
			got := hallAge()
			if got == nil || *got != tt.setting {
				t.Fatalf("GET /hall elderly_priority_age = %v after setting %d", got, tt.setting)
			}
			if p := queue.ElderlyPriority(*got, bornAgo(tt.age), h.clock.Now()); p != tt.want {
				t.Errorf("elderly priority = %v, want %v", p, tt.want)
			}
		})
	}

	// A PUT without it keeps it; out of range is refused with the range.
	h.call(t, supervisor, "PUT", "/api/v1/settings", `{"policy":"strict","no_show_after_recalls":1,"default_service_seconds":300}`, http.StatusOK, &st)
	if st.ElderlyPriorityAge == nil || *st.ElderlyPriorityAge != 70 {
		t.Errorf("elderly_priority_age after a PUT without it: %v, want 70 kept", st.ElderlyPriorityAge)
	}
	for _, bad := range []int{-1, 30, 121} {
		msg := wantError(t, h.do(t, supervisor, "PUT", "/api/v1/settings",
			fmt.Sprintf(`{"policy":"strict","no_show_after_recalls":1,"default_service_seconds":300,"elderly_priority_age":%d}`, bad)),
			http.StatusBadRequest, codeInvalid)
		if want := "elderly_priority_age"; !strings.Contains(msg, want) {
			t.Errorf("refusal of %d says %q, want it to name %s", bad, msg, want)
		}
	}

	// Only GET /hall carries it: a ticket's hall is its identity.
	it := h.issue(t, "A")
	if it.Hall.ElderlyPriorityAge != nil {
		t.Errorf("an issued ticket's hall carries elderly_priority_age %d", *it.Hall.ElderlyPriorityAge)
	}
}
