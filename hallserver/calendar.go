package hallserver

import (
	"context"
	"fmt"
	"sort"
	"time"

	"onestop/hallserver/store"
	"onestop/hallserver/workday"
)

// HallCalendar is the working-day calendar a hall counts with: the
// embedded one, with the years imported into the hall (hallctl calendar
// import) in their place.
func HallCalendar(ctx context.Context, st *store.Store) (*workday.Calendar, error) {
	cal, err := workday.Default()
	if err != nil {
		return nil, fmt.Errorf("hallserver: embedded holiday calendar: %w", err)
	}
	years, err := st.HolidayCalendars(ctx)
	if err != nil {
		return nil, err
	}
	keys := make([]int, 0, len(years))
	for y := range years {
		keys = append(keys, y)
	}
	sort.Ints(keys)
	for _, y := range keys {
		if cal, _, err = cal.Import(years[y]); err != nil {
			return nil, fmt.Errorf("hallserver: the hall's calendar for %d: %w", y, err)
		}
	}
	return cal, nil
}

// calendarTTL is how long the server counts with a calendar before it
// looks for years imported since (hallctl writes them beside it).
const calendarTTL = time.Minute

// calendar returns the hall's calendar, reloaded at most once a minute.
// Without a store-backed calendar (Config.Calendar set) it is fixed.
func (s *Server) calendar(ctx context.Context) *workday.Calendar {
	if s.cfg.Calendar != nil {
		return s.cfg.Calendar
	}
	s.calMu.Lock()
	defer s.calMu.Unlock()
	if s.cal == nil || time.Since(s.calAt) > calendarTTL {
		cal, err := HallCalendar(ctx, s.st)
		if err != nil {
			s.log.Error("hall calendar", "err", err)
			if s.cal == nil {
				cal, _ = workday.Default()
			} else {
				cal = s.cal
			}
		}
		s.cal, s.calAt = cal, time.Now()
	}
	return s.cal
}
