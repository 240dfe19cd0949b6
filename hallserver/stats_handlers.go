package hallserver

import (
	"bytes"
	"math"
	"net/http"
	"slices"
	"strings"
	"time"

	"onestop/hallserver/api"
	"onestop/hallserver/auth"
	"onestop/hallserver/statscsv"
	"onestop/hallserver/store"
)

// statsUsage is what GET /api/v1/stats takes, for error messages.
const statsUsage = "GET /api/v1/stats?from=YYYY-MM-DD&to=YYYY-MM-DD[&period=day|week|month|hour][&by=department|item|window|staff]"

// statsParams are the query parameters GET /api/v1/stats knows.
var statsParams = []string{"from", "to", "period", "by"}

// getStats reports the hall's statistics over a range of days (see
// store.Statistics for what each figure is).
func (s *Server) getStats(w http.ResponseWriter, r *http.Request, _ auth.Principal) {
	q, msg := statsQuery(r)
	if msg != "" {
		writeError(w, http.StatusBadRequest, codeInvalid, msg+" ("+statsUsage+")")
		return
	}
	rep, err := s.st.Statistics(r.Context(), s.calendar(r.Context()), q)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, StatsView(rep))
}

// getStatsCSV serves the same figures as getStats as a CSV file to
// download (statscsv: what hallctl stats export --csv writes).
func (s *Server) getStatsCSV(w http.ResponseWriter, r *http.Request, _ auth.Principal) {
	q, msg := statsQuery(r)
	if msg != "" {
		writeError(w, http.StatusBadRequest, codeInvalid, msg+" ("+strings.Replace(statsUsage, "/stats?", "/stats.csv?", 1)+")")
		return
	}
	rep, err := s.st.Statistics(r.Context(), s.calendar(r.Context()), q)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var buf bytes.Buffer
	if err := statscsv.Write(&buf, StatsView(rep)); err != nil {
		s.fail(w, r, err)
		return
	}
	name := "stats-" + q.From.String() + "-" + q.To.String() + "-" + string(q.Period)
	if q.By != store.ByNone {
		name += "-" + string(q.By)
	}
	h := w.Header()
	h.Set("Content-Type", statscsv.ContentType)
	h.Set("Content-Disposition", `attachment; filename="`+name+`.csv"`)
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	w.Write(buf.Bytes())
}

// statsQuery reads the query parameters; msg says what is wrong with them.
func statsQuery(r *http.Request) (q store.StatsQuery, msg string) {
	v := r.URL.Query()
	for name, vals := range v {
		switch {
		case !slices.Contains(statsParams, name):
			return q, "unknown parameter " + name + ": use " + strings.Join(statsParams, ", ")
		case len(vals) > 1:
			return q, "give " + name + " once"
		}
	}
	q, err := store.ParseStatsQuery(v.Get("from"), v.Get("to"), v.Get("period"), v.Get("by"))
	if err != nil {
		return q, UserMessage(err)
	}
	return q, ""
}

// StatsView is the wire form of a statistics report: counts as they are,
// rates and shares rounded to 4 decimals, days to 2, times to whole
// seconds, null where nothing was there to divide. hallctl prints it.
func StatsView(rep store.StatsReport) api.Stats {
	out := api.Stats{From: rep.Query.From.String(), To: rep.Query.To.String(), Period: string(rep.Query.Period),
		By: string(rep.Query.By), Provisional: rep.Provisional, Rows: make([]api.StatsRow, len(rep.Rows)),
		Total: statsFigures(rep.Total)}
	for i, row := range rep.Rows {
		out.Rows[i] = api.StatsRow{Period: row.Period, Start: row.Start.String(), End: row.End.String(), Key: row.Key,
			Name: row.Name, StatsFigures: statsFigures(row.StatsFigures)}
	}
	return out
}

func statsFigures(f store.StatsFigures) api.StatsFigures {
	a, t, r := f.Applications, f.Tickets, f.Ratings
	return api.StatsFigures{
		Applications: api.ApplicationStats{Accepted: a.Accepted, Completed: a.Completed, SameDay: a.SameDay,
			SameDayRate: rounded(4)(a.SameDayRate()), Early: a.Early, OnTime: a.OnTime, Overdue: a.Overdue,
			AvgUsedDays: rounded(2)(a.AvgUsedDays()), AvgLegalShare: rounded(4)(a.AvgLegalShare())},
		Tickets: api.TicketStats{Issued: t.Issued, Served: t.Served, NoShow: t.NoShow, Cancelled: t.Cancelled,
			Called: t.Called, AvgWaitSeconds: seconds(t.AvgWait()), LongestWaitSeconds: seconds(t.WaitMax, t.Called > 0),
			AvgServiceSeconds: seconds(t.AvgService())},
		Ratings: api.RatingStats{Count: r.Count(), VerySatisfied: r.Levels[4], Satisfied: r.Levels[3],
			BasicallySatisfied: r.Levels[2], Dissatisfied: r.Levels[1], VeryDissatisfied: r.Levels[0],
			SatisfactionRate: rounded(4)(r.SatisfactionRate())},
	}
}

// rounded returns a function that rounds a figure to the decimals, nil
// when it is not there (ok false).
func rounded(decimals int) func(v float64, ok bool) *float64 {
	p := math.Pow(10, float64(decimals))
	return func(v float64, ok bool) *float64 {
		if !ok {
			return nil
		}
		v = math.Round(v*p) / p
		return &v
	}
}

// seconds is d in whole seconds (half a second rounds up), nil when it is
// not there.
func seconds(d time.Duration, ok bool) *int {
	if !ok {
		return nil
	}
	n := int(d.Round(time.Second) / time.Second)
	return &n
}
