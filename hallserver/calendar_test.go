package hallserver

import (
	"context"
	"os"
	"testing"
	"time"

	"onestop/hallserver/store"
)

// TestServerPicksUpImportedCalendar: a year imported beside the running
// server (hallctl calendar import) is counted with once the server looks
// again, without a restart.
func TestServerPicksUpImportedCalendar(t *testing.T) {
	h := newTestHall(t, false)
	ctx := context.Background()
	if _, provisional := h.srv.calendar(ctx).Covered(2027); !provisional {
		t.Fatal("the shipped 2027 calendar should be provisional")
	}
	notice, err := os.ReadFile("workday/testdata/2027-fictional-notice.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := h.st.SaveHolidayCalendar(ctx, store.System, 2027, notice); err != nil {
		t.Fatal(err)
	}
	if _, provisional := h.srv.calendar(ctx).Covered(2027); !provisional {
		t.Fatal("the calendar changed before the server looked again")
	}
	h.srv.calMu.Lock()
	h.srv.calAt = time.Time{} // a minute has passed
	h.srv.calMu.Unlock()
	if _, provisional := h.srv.calendar(ctx).Covered(2027); provisional {
		t.Fatal("the imported 2027 calendar is not used")
	}
}
