package store

// Statistics: what a hall reports per hour, day, week or month, and per
// department, service item, window or staff member — applications (办件)
// accepted and completed, 即办率, time used against the legal limit,
// early / on-time / overdue completions; queue tickets issued, served, not
// shown and cancelled, waits and service times; ratings (好差评) per level
// and the satisfaction rate. Each figure is defined on the field that holds
// it.
//
// Days are Shanghai calendar days (workday.Location). Every record falls
// on one day and so in one period:
//   - a ticket on its service day (the day it was issued);
//   - an application on the day it was accepted for Accepted, and on the
//     day it was completed for Completed and every figure derived from
//     completions (as monthly reports count them: "受理 5,610 件, 办结
//     5,497 件" are two different sets of applications);
//   - a rating on the day it was given.
//
// By the hour, the same records fall in the hour of that day: a ticket in
// the hour it was issued, an application in the hour it was accepted or
// completed, a rating in the hour it was given.
//
// The queries read the range's rows once each and add them up in Go
// (SQLite's own GROUP BY is slower here than handing the rows over): the
// tickets in id order between the first and last id of the range's days
// (statsTicketsSQL), the applications in one pass over their table (about
// 12,000 rows in a busy hall's year; completion times have no index) with
// the clock events of the completed ones, and the ratings over ratings_at.
// No index was added for them.

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"onestop/hallserver/application"
	"onestop/hallserver/workday"
)

// Period is how statistics are grouped in time.
type Period string

// The periods. A period that the range cuts is reported for its days in
// the range only (StatsRow.Start and End say which).
const (
	PeriodDay   Period = "day"   // a Shanghai calendar day, labelled 2026-03-02
	PeriodWeek  Period = "week"  // an ISO 8601 week, Monday to Sunday, labelled 2026-W10
	PeriodMonth Period = "month" // a calendar month, labelled 2026-03
	// PeriodHour is an hour of a Shanghai day, labelled 2026-03-02T09
	// (09:00 to 09:59); a range by the hour covers at most MaxHourStatsDays.
	PeriodHour Period = "hour"
)

// Dimension is what statistics are broken down by within a period.
type Dimension string

// The dimensions. Which department, item, window and staff member a record
// belongs to is defined on TicketFigures, ApplicationFigures and
// RatingFigures. Records that have none (a ticket never called has no
// window) are reported under the empty key.
const (
	ByNone       Dimension = ""
	ByDepartment Dimension = "department"
	ByItem       Dimension = "item"
	ByWindow     Dimension = "window"
	ByStaff      Dimension = "staff"
)

// MaxStatsDays is the longest range one statistics query may cover: three
// years. Longer histories are exported in parts.
const MaxStatsDays = 3 * 366

// MaxHourStatsDays is the longest range statistics by the hour may cover:
// 31 days of 24 rows each.
const MaxHourStatsDays = 31

// StatsQuery asks for statistics over the days From to To (inclusive),
// grouped by Period and, unless By is ByNone, by a dimension.
type StatsQuery struct {
	From, To workday.Date
	Period   Period
	By       Dimension
}

// ParseStatsQuery reads a query as people write it: days as YYYY-MM-DD,
// the period as day, week, month or hour (month when empty), the dimension as
// department, item, window or staff (none when empty). Errors wrap
// ErrInvalid and say what to send.
func ParseStatsQuery(from, to, period, by string) (StatsQuery, error) {
	var q StatsQuery
	var err error
	if q.From, err = parseStatsDay("from", from); err != nil {
		return q, err
	}
	if q.To, err = parseStatsDay("to", to); err != nil {
		return q, err
	}
	q.Period, q.By = Period(strings.TrimSpace(period)), Dimension(strings.TrimSpace(by))
	if q.Period == "" {
		q.Period = PeriodMonth
	}
	return q, q.Validate()
}

func parseStatsDay(name, s string) (workday.Date, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return workday.Date{}, fmt.Errorf("%w: %s is missing: give the day as YYYY-MM-DD, e.g. 2026-03-01", ErrInvalid, name)
	}
	d, err := workday.ParseDate(s)
	if err != nil {
		return d, fmt.Errorf("%w: %s %q is not a day: give it as YYYY-MM-DD, e.g. 2026-03-01", ErrInvalid, name, s)
	}
	return d, nil
}

// Validate checks the query; errors wrap ErrInvalid and say what to send.
func (q StatsQuery) Validate() error {
	switch {
	case q.From.IsZero() || q.To.IsZero():
		return fmt.Errorf("%w: from and to are required: give both days as YYYY-MM-DD", ErrInvalid)
	case q.To.Before(q.From):
		return fmt.Errorf("%w: to (%s) is before from (%s): give the first day as from and the last as to", ErrInvalid, q.To, q.From)
	case q.To.Sub(q.From)+1 > MaxStatsDays:
		return fmt.Errorf("%w: %s to %s is %d days; ask for at most %d days (three years) at a time",
			ErrInvalid, q.From, q.To, q.To.Sub(q.From)+1, MaxStatsDays)
	}
	switch q.Period {
	case PeriodDay, PeriodWeek, PeriodMonth:
	case PeriodHour:
		if n := q.To.Sub(q.From) + 1; n > MaxHourStatsDays {
			return fmt.Errorf("%w: %s to %s is %d days; by the hour, ask for at most %d days at a time",
				ErrInvalid, q.From, q.To, n, MaxHourStatsDays)
		}
	default:
		return fmt.Errorf("%w: period %q: use day, week or month (or hour, over at most %d days)", ErrInvalid, q.Period, MaxHourStatsDays)
	}
	switch q.By {
	case ByNone, ByDepartment, ByItem, ByWindow, ByStaff:
	default:
		return fmt.Errorf("%w: by %q: use department, item, window or staff, or leave it out for the whole hall", ErrInvalid, q.By)
	}
	return nil
}

// StatsReport is the answer to a StatsQuery.
type StatsReport struct {
	Query StatsQuery
	// Rows are the figures per period, oldest first, and within a period
	// per dimension value in key order (windows by number). Without a
	// dimension every period of the range has a row, empty or not; with
	// one, only the values that have figures in the period.
	Rows []StatsRow
	// Total is the whole range and every dimension value together.
	Total StatsFigures
	// Provisional is true when a completed application's working days were
	// counted on a year whose holiday calendar is missing or provisional:
	// its figures may change when the year's notice is imported.
	Provisional bool
}

// StatsRow is one period's figures, for one dimension value when the
// query has a dimension.
type StatsRow struct {
	// Period labels the period: 2026-03-02, 2026-W10, 2026-03 or (by the
	// hour) 2026-03-02T09.
	Period string
	// Start and End are the period's first and last days within the range.
	Start, End workday.Date
	// Key is the dimension value: a department or item code, a window
	// number, a staff username ("" when the records have none, and for a
	// query without a dimension). Name is its name in the hall: the
	// department's, item's or window's name, the staff member's display
	// name; "" when unknown.
	Key, Name string
	StatsFigures
}

// StatsFigures are the figures of one row, or of a whole report.
type StatsFigures struct {
	Applications ApplicationFigures
	Tickets      TicketFigures
	Ratings      RatingFigures
}

// ApplicationFigures count applications (办件). An application's
// department is its service item's, its window the one it was accepted
// at, its staff member who accepted it (accepted_by).
type ApplicationFigures struct {
	// Accepted counts the applications accepted (受理) in the period.
	Accepted int
	// Completed counts the applications completed (办结) in the period, by
	// the day of completion, whatever the outcome (approved, rejected or
	// withdrawn). The figures below are all taken over these.
	Completed int
	// SameDay counts the completed applications that were completed on
	// the Shanghai day they were accepted: 办结 on the spot (当场办结),
	// instant item (即办件) or not. SameDayRate() is the 即办率.
	SameDay int
	// Early, OnTime and Overdue split the completed applications by their
	// promised limit (承诺时限), on the working-day clock read at
	// completion (application.Clock): Overdue when the last day of the
	// promised limit had ended before completion (the clock's red
	// warning); OnTime when completed on that last day (no promised
	// working day left; an instant item, promised 0 days, completed the
	// day it was accepted is on time); Early when completed before it
	// (promised working days left).
	Early, OnTime, Overdue int
	// UsedDays is the sum over the completed applications of the working
	// days their clock used: from the day after acceptance up to and
	// including the day of completion, restarted by 补正, without
	// suspensions (hearing, testing, expert review). 0 for one completed
	// the day it was accepted.
	UsedDays int
	// LegalShareSum is the sum, over the completed applications whose
	// legal limit is above 0, of working days used divided by the legal
	// limit (法定时限, as recorded at acceptance, without extensions, so
	// that an extension does not make an application look faster);
	// LegalShareCount counts them. AvgLegalShare() is their mean: the
	// seed article's "actual time about 10 % of the legal limit".
	LegalShareSum   float64
	LegalShareCount int
}

// SameDayRate is the 即办率: SameDay / Completed. ok is false when
// nothing was completed.
func (f ApplicationFigures) SameDayRate() (rate float64, ok bool) {
	return ratio(float64(f.SameDay), f.Completed)
}

// AvgUsedDays is the mean of working days used by the completed
// applications: UsedDays / Completed.
func (f ApplicationFigures) AvgUsedDays() (days float64, ok bool) {
	return ratio(float64(f.UsedDays), f.Completed)
}

// AvgLegalShare is the mean share of the legal limit used by the completed
// applications: LegalShareSum / LegalShareCount (0.1 is 10 %).
func (f ApplicationFigures) AvgLegalShare() (share float64, ok bool) {
	return ratio(f.LegalShareSum, f.LegalShareCount)
}

func (f *ApplicationFigures) add(g ApplicationFigures) {
	f.Accepted += g.Accepted
	f.Completed += g.Completed
	f.SameDay += g.SameDay
	f.Early += g.Early
	f.OnTime += g.OnTime
	f.Overdue += g.Overdue
	f.UsedDays += g.UsedDays
	f.LegalShareSum += g.LegalShareSum
	f.LegalShareCount += g.LegalShareCount
}

// TicketFigures count queue tickets, each on its service day. A ticket's
// department is its service item's or, for a ticket issued for a queue
// without an item, its queue's when that queue serves one department
// only; its window the last window that called it; its staff member who
// closed it at the window: the actor of the finish that made it done, or
// of the no-show. Tickets still waiting, and cancelled ones, have no staff
// member.
type TicketFigures struct {
	// Issued counts every ticket of the period, whatever became of it.
	Issued int
	// Served counts tickets done (served to the end), NoShow those whose
	// citizen did not come when called, Cancelled those withdrawn before
	// a call.
	Served, NoShow, Cancelled int
	// Called counts the tickets called at least once; the waits are over
	// these. A ticket's wait is from its issue to its first call (a ticket
	// transferred or held and called again waits once).
	Called int
	// WaitTotal is the sum of the waits, WaitMax the longest.
	WaitTotal, WaitMax time.Duration
	// ServiceTotal is the sum over the served tickets of their service
	// time: from the start of their last service (the citizen at the
	// window) to the finish that made them done.
	ServiceTotal time.Duration
}

// AvgWait is the mean wait from issue to first call: WaitTotal / Called.
func (f TicketFigures) AvgWait() (time.Duration, bool) {
	return meanDuration(f.WaitTotal, f.Called)
}

// AvgService is the mean service time: ServiceTotal / Served.
func (f TicketFigures) AvgService() (time.Duration, bool) {
	return meanDuration(f.ServiceTotal, f.Served)
}

func (f *TicketFigures) add(g TicketFigures) {
	f.Issued += g.Issued
	f.Served += g.Served
	f.NoShow += g.NoShow
	f.Cancelled += g.Cancelled
	f.Called += g.Called
	f.WaitTotal += g.WaitTotal
	f.WaitMax = max(f.WaitMax, g.WaitMax)
	f.ServiceTotal += g.ServiceTotal
}

// RatingFigures count ratings (好差评), each on the day it was given. Only
// current ratings count: a rating replaced by a re-rating after a bad
// rating's follow-up is left out, and the re-rating counts on its own day.
// A rating's department, item, window and staff member are those recorded
// with it (the department of its item when none is recorded).
type RatingFigures struct {
	// Levels[l-1] counts the ratings of level l: 5 非常满意, 4 满意,
	// 3 基本满意, 2 不满意, 1 非常不满意.
	Levels [5]int
}

// Count is the number of ratings.
func (f RatingFigures) Count() int {
	n := 0
	for _, c := range f.Levels {
		n += c
	}
	return n
}

// Satisfied counts the ratings that are not bad: 非常满意, 满意 and
// 基本满意 (levels 5, 4, 3). 不满意 and 非常不满意 are the bad ratings
// (差评) of 国办发〔2019〕51号.
func (f RatingFigures) Satisfied() int { return f.Levels[2] + f.Levels[3] + f.Levels[4] }

// SatisfactionRate is (非常满意 + 满意 + 基本满意) / all ratings: the
// share of ratings that are not 差评, as 好差评 counts it.
func (f RatingFigures) SatisfactionRate() (float64, bool) {
	return ratio(float64(f.Satisfied()), f.Count())
}

func (f *RatingFigures) add(g RatingFigures) {
	for i, c := range g.Levels {
		f.Levels[i] += c
	}
}

func (f *StatsFigures) add(g StatsFigures) {
	f.Applications.add(g.Applications)
	f.Tickets.add(g.Tickets)
	f.Ratings.add(g.Ratings)
}

func ratio(num float64, den int) (float64, bool) {
	if den == 0 {
		return 0, false
	}
	return num / float64(den), true
}

func meanDuration(total time.Duration, n int) (time.Duration, bool) {
	if n == 0 {
		return 0, false
	}
	return total / time.Duration(n), true
}

// Statistics computes the figures of q. The working days applications
// used are counted on cal, the hall's calendar (the store does not load it).
// Every figure is read in one read transaction: one moment of the hall.
func (s *Store) Statistics(ctx context.Context, cal *workday.Calendar, q StatsQuery) (StatsReport, error) {
	if cal == nil {
		return StatsReport{}, fmt.Errorf("store: statistics: no working-day calendar given")
	}
	if err := q.Validate(); err != nil {
		return StatsReport{}, err
	}
	rtx, err := s.rdb.BeginTx(ctx, nil)
	if err != nil {
		return StatsReport{}, fmt.Errorf("store: statistics: %w", err)
	}
	defer rtx.Rollback()
	names, err := readStatsNames(ctx, rtx)
	if err != nil {
		return StatsReport{}, err
	}
	agg := &statsAgg{q: q, groups: map[statsGroup]*StatsFigures{}}
	if err := agg.addTickets(ctx, rtx, names); err != nil {
		return StatsReport{}, err
	}
	if err := agg.addApplications(ctx, rtx, cal, names); err != nil {
		return StatsReport{}, err
	}
	if err := agg.addRatings(ctx, rtx, names); err != nil {
		return StatsReport{}, err
	}
	return agg.report(names), nil
}

// start returns the first day of the period d falls in.
func (p Period) start(d workday.Date) workday.Date {
	switch p {
	case PeriodWeek:
		return d.AddDays(-((int(d.Weekday()) + 6) % 7)) // back to Monday
	case PeriodMonth:
		return d.AddDays(1 - d.Day())
	}
	return d
}

// next returns the first day of the period after the one starting on start.
func (p Period) next(start workday.Date) workday.Date {
	switch p {
	case PeriodWeek:
		return start.AddDays(7)
	case PeriodMonth:
		y, m, _ := start.Date()
		return workday.NewDate(y, m+1, 1)
	}
	return start.AddDays(1)
}

// label names the period starting on start (at hour, by the hour).
func (p Period) label(start workday.Date, hour int) string {
	switch p {
	case PeriodHour:
		return fmt.Sprintf("%sT%02d", start, hour)
	case PeriodWeek:
		y, w := start.Start().ISOWeek()
		return fmt.Sprintf("%04d-W%02d", y, w)
	case PeriodMonth:
		return start.String()[:7]
	}
	return start.String()
}

// statsDims are the dimension values of one record.
type statsDims struct{ department, item, window, staff string }

func (d statsDims) key(by Dimension) string {
	switch by {
	case ByDepartment:
		return d.department
	case ByItem:
		return d.item
	case ByWindow:
		return d.window
	case ByStaff:
		return d.staff
	}
	return ""
}

// statsGroup is one row of a report being built.
type statsGroup struct {
	start workday.Date
	hour  int // by the hour: 0 to 23 (Shanghai time); 0 otherwise
	key   string
}

// statsAgg adds records up into the rows of a report.
type statsAgg struct {
	q           StatsQuery
	groups      map[statsGroup]*StatsFigures
	total       StatsFigures
	provisional bool
}

// add adds f, the figures of one record of day d at time at with dims, to
// its row and to the total; records outside the range are left out.
func (a *statsAgg) add(d workday.Date, at time.Time, dims statsDims, f StatsFigures) {
	if d.Before(a.q.From) || d.After(a.q.To) {
		return
	}
	g := statsGroup{start: a.q.Period.start(d), key: dims.key(a.q.By)}
	if a.q.Period == PeriodHour {
		g.hour = at.In(workday.Location).Hour()
	}
	row := a.groups[g]
	if row == nil {
		row = &StatsFigures{}
		a.groups[g] = row
	}
	row.add(f)
	a.total.add(f)
}

// report turns the rows added up into a report.
func (a *statsAgg) report(names statsNames) StatsReport {
	rep := StatsReport{Query: a.q, Total: a.total, Provisional: a.provisional}
	var keys []statsGroup
	if a.q.By == ByNone {
		hours := 1
		if a.q.Period == PeriodHour {
			hours = 24
		}
		for d := a.q.Period.start(a.q.From); !d.After(a.q.To); d = a.q.Period.next(d) {
			for h := range hours {
				keys = append(keys, statsGroup{start: d, hour: h})
			}
		}
	} else {
		for g := range a.groups {
			keys = append(keys, g)
		}
		slices.SortFunc(keys, func(x, y statsGroup) int {
			if c := x.start.Compare(y.start); c != 0 {
				return c
			}
			if c := cmp.Compare(x.hour, y.hour); c != 0 {
				return c
			}
			return compareKeys(a.q.By, x.key, y.key)
		})
	}
	rep.Rows = make([]StatsRow, 0, len(keys))
	for _, g := range keys {
		row := StatsRow{Period: a.q.Period.label(g.start, g.hour), Start: g.start, End: a.q.Period.next(g.start).AddDays(-1),
			Key: g.key, Name: names.name(a.q.By, g.key)}
		if row.Start.Before(a.q.From) {
			row.Start = a.q.From
		}
		if row.End.After(a.q.To) {
			row.End = a.q.To
		}
		if f := a.groups[g]; f != nil {
			row.StatsFigures = *f
		}
		rep.Rows = append(rep.Rows, row)
	}
	return rep
}

// compareKeys orders dimension values: windows by number, the rest by
// code; the empty key ("none") last.
func compareKeys(by Dimension, x, y string) int {
	switch {
	case x == y:
		return 0
	case x == "":
		return 1
	case y == "":
		return -1
	case by == ByWindow:
		nx, errx := strconv.Atoi(x)
		ny, erry := strconv.Atoi(y)
		if errx == nil && erry == nil {
			return cmp.Compare(nx, ny)
		}
	}
	return strings.Compare(x, y)
}

// statsNames are the names of the hall's departments, items, windows and
// staff, and the departments of its items and queues.
type statsNames struct {
	departments, items, windows, staff map[string]string
	itemDepartment                     map[string]string // item code -> department code
	queueDepartment                    map[string]string // queue code -> its department, when it serves exactly one
}

// ticketDepartment is the department of a ticket: its item's or, without
// an item, its queue's when the queue serves one department only.
func (n statsNames) ticketDepartment(item, queue string) string {
	if item != "" {
		return n.itemDepartment[item]
	}
	return n.queueDepartment[queue]
}

func (n statsNames) name(by Dimension, key string) string {
	switch by {
	case ByDepartment:
		return n.departments[key]
	case ByItem:
		return n.items[key]
	case ByWindow:
		return n.windows[key]
	case ByStaff:
		return n.staff[key]
	}
	return ""
}

func readStatsNames(ctx context.Context, rtx *sql.Tx) (statsNames, error) {
	n := statsNames{queueDepartment: map[string]string{}}
	var err error
	read := func(query string) map[string]string {
		if err != nil {
			return nil
		}
		var m map[string]string
		m, err = readPairs(ctx, rtx, query)
		return m
	}
	n.departments = read("SELECT code, name FROM departments")
	n.items = read("SELECT code, name FROM items")
	n.itemDepartment = read("SELECT code, department FROM items")
	n.windows = read("SELECT CAST(number AS TEXT), name FROM windows")
	n.staff = read("SELECT username, display_name FROM users")
	queues := read("SELECT code, departments FROM queues")
	if err != nil {
		return n, fmt.Errorf("store: statistics: names: %w", err)
	}
	for code, js := range queues {
		var depts []string
		if json.Unmarshal([]byte(js), &depts) == nil && len(depts) == 1 {
			n.queueDepartment[code] = depts[0]
		}
	}
	return n, nil
}

// readPairs reads a two-column query into a map.
func readPairs(ctx context.Context, rtx *sql.Tx, query string) (map[string]string, error) {
	rows, err := rtx.QueryContext(ctx, query)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	m := map[string]string{}
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			return nil, err
		}
		m[k] = v
	}
	return m, rows.Err()
}

// dayBounds returns the range's first and last day as YYYY-MM-DD, and its
// start and end (exclusive) as stored times.
func (q StatsQuery) dayBounds() (from, to string, start, end int64) {
	return q.From.String(), q.To.String(), q.From.Start().UnixMilli(), q.To.AddDays(1).Start().UnixMilli()
}

// statsTicketsSQL reads the tickets of a range of service days. A
// ticket's id follows its issue, so the range's tickets lie between the
// least and greatest id of its days (read from the covering unique index
// (orig_queue, day, seq), statsTicketIDs): the table is read in order,
// page after page, instead of one seek per ticket, and the day test keeps
// it exact whatever the ids. The first call: a ticket that never went back
// to waiting (transfer, hold: queued_at moves) was called once, at
// called_at; only the others look up their calls in ticket_events. The
// closer, the staff member of the finish or no-show that ended the ticket,
// is read (one seek into ticket_events) only when the figures are by staff.
const statsTicketsSQL = `SELECT t.day, t.orig_queue, t.state, t.issued_at, t.started_at, t.finished_at, t.window,
	COALESCE(t.item, ''),
	CASE WHEN t.called_at = 0 THEN NULL WHEN t.queued_at = t.issued_at THEN t.called_at
		ELSE (SELECT MIN(e.at) FROM ticket_events e WHERE e.ticket_id = t.id AND e.action = 'call') END,
	%s
	FROM tickets t WHERE t.id BETWEEN ? AND ? AND t.day BETWEEN ? AND ?`

const (
	statsTicketCloser = `CASE WHEN t.state IN ('done', 'no_show') THEN
		(SELECT e.actor FROM ticket_events e WHERE e.ticket_id = t.id AND e.to_state = t.state ORDER BY e.id DESC LIMIT 1) END`
	statsTicketIDs = `SELECT MIN(id), MAX(id) FROM tickets WHERE orig_queue IN (SELECT code FROM queues) AND day BETWEEN ? AND ?`
)

// addTickets adds up the tickets of the range.
func (a *statsAgg) addTickets(ctx context.Context, rtx *sql.Tx, names statsNames) error {
	from, to, _, _ := a.q.dayBounds()
	var first, last sql.NullInt64
	if err := rtx.QueryRowContext(ctx, statsTicketIDs, from, to).Scan(&first, &last); err != nil {
		return fmt.Errorf("store: statistics: tickets: %w", err)
	}
	if !first.Valid {
		return nil // no tickets
	}
	closer := "NULL"
	if a.q.By == ByStaff {
		closer = statsTicketCloser
	}
	rows, err := rtx.QueryContext(ctx, fmt.Sprintf(statsTicketsSQL, closer), first.Int64, last.Int64, from, to)
	if err != nil {
		return fmt.Errorf("store: statistics: tickets: %w", err)
	}
	defer rows.Close()
	days := map[string]workday.Date{}
	for rows.Next() {
		var day, origQueue, state string
		var issued, started, finished int64
		var firstCall sql.NullInt64
		var staff sql.NullString
		var dims statsDims
		if err := rows.Scan(&day, &origQueue, &state, &issued, &started, &finished, &dims.window, &dims.item,
			&firstCall, &staff); err != nil {
			return fmt.Errorf("store: statistics: tickets: %w", err)
		}
		d, ok := days[day]
		if !ok {
			if d, err = workday.ParseDate(day); err != nil {
				return fmt.Errorf("store: statistics: ticket of day %q: %w", day, err)
			}
			days[day] = d
		}
		dims.department, dims.staff = names.ticketDepartment(dims.item, origQueue), staff.String
		a.add(d, fromMS(issued), dims, StatsFigures{Tickets: ticketFigures(state, issued, started, finished, firstCall)})
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("store: statistics: tickets: %w", err)
	}
	return nil
}

// ticketFigures are one ticket's figures (times in Unix milliseconds).
func ticketFigures(state string, issued, started, finished int64, firstCall sql.NullInt64) TicketFigures {
	f := TicketFigures{Issued: 1}
	if firstCall.Valid {
		wait := time.Duration(firstCall.Int64-issued) * time.Millisecond
		f.Called, f.WaitTotal, f.WaitMax = 1, wait, wait
	}
	switch state {
	case "done":
		f.Served = 1
		f.ServiceTotal = time.Duration(finished-started) * time.Millisecond
	case "no_show":
		f.NoShow = 1
	case "cancelled":
		f.Cancelled = 1
	}
	return f
}

// clockKinds are the application events that move the working-day clock.
const clockKinds = `'request_materials', 'materials_received', 'suspend', 'resume', 'extend'`

// addApplications adds up the applications accepted or completed in the
// range; the completed ones are clocked on cal.
func (a *statsAgg) addApplications(ctx context.Context, rtx *sql.Tx, cal *workday.Calendar, names statsNames) error {
	from, to, start, end := a.q.dayBounds()
	events, err := readClockEvents(ctx, rtx, start, end)
	if err != nil {
		return err
	}
	rows, err := rtx.QueryContext(ctx, `SELECT id, number, day, item, window, accepted_by, legal_days, promised_days,
		accepted_at, status, completed_at FROM applications
		WHERE day BETWEEN ? AND ? OR (completed_at >= ? AND completed_at < ?)`, from, to, start, end)
	if err != nil {
		return fmt.Errorf("store: statistics: applications: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var r statsApplication
		var day string
		var accepted, completed int64
		if err := rows.Scan(&r.id, &r.number, &day, &r.dims.item, &r.dims.window, &r.dims.staff,
			&r.legalDays, &r.promisedDays, &accepted, &r.status, &completed); err != nil {
			return fmt.Errorf("store: statistics: applications: %w", err)
		}
		r.dims.department = names.itemDepartment[r.dims.item]
		r.accepted, r.completed = fromMS(accepted), fromMS(completed)
		d, err := workday.ParseDate(day)
		if err != nil {
			return fmt.Errorf("store: statistics: application %s: day %q: %w", r.number, day, err)
		}
		a.add(d, r.accepted, r.dims, StatsFigures{Applications: ApplicationFigures{Accepted: 1}})
		if r.status != string(application.Completed) || completed < start || completed >= end {
			continue
		}
		f, provisional, err := r.completion(cal, events[r.id])
		if err != nil {
			return err
		}
		a.provisional = a.provisional || provisional
		a.add(workday.DateOf(r.completed), r.completed, r.dims, StatsFigures{Applications: f})
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("store: statistics: applications: %w", err)
	}
	return nil
}

// statsApplication is what statistics read of an application.
type statsApplication struct {
	id                      int64
	number, status          string
	dims                    statsDims
	legalDays, promisedDays int
	accepted, completed     time.Time
}

// completion returns the figures of a completed application, its clock
// read at completion from its clock events, and whether the working days
// were counted on a provisional calendar.
func (r statsApplication) completion(cal *workday.Calendar, events []application.Event) (ApplicationFigures, bool, error) {
	st, err := application.Clock(cal, application.ClockInput{Accepted: r.accepted, LegalDays: r.legalDays,
		PromisedDays: r.promisedDays, Events: events,
		State: application.State{Status: application.Completed, CompletedAt: r.completed}}, r.completed, nil)
	if err != nil {
		return ApplicationFigures{}, false, fmt.Errorf("store: statistics: application %s: %w", r.number, err)
	}
	f := ApplicationFigures{Completed: 1, UsedDays: st.Used}
	if workday.DateOf(r.accepted) == workday.DateOf(r.completed) {
		f.SameDay = 1
	}
	switch {
	case st.Warning == workday.Red:
		f.Overdue = 1
	case st.PromisedLeft <= 0:
		f.OnTime = 1
	default:
		f.Early = 1
	}
	if r.legalDays > 0 {
		f.LegalShareSum, f.LegalShareCount = float64(st.Used)/float64(r.legalDays), 1
	}
	return f, cal.Provisional(st.Accepted, st.Today), nil
}

// readClockEvents reads the clock events of the applications completed
// in [start, end), by application id, in order.
func readClockEvents(ctx context.Context, rtx *sql.Tx, start, end int64) (map[int64][]application.Event, error) {
	rows, err := rtx.QueryContext(ctx, `SELECT e.application_id, e.kind, e.at, e.days
		FROM applications a JOIN application_events e ON e.application_id = a.id
		WHERE a.completed_at >= ? AND a.completed_at < ? AND e.kind IN (`+clockKinds+`)
		ORDER BY e.application_id, e.id`, start, end)
	if err != nil {
		return nil, fmt.Errorf("store: statistics: application events: %w", err)
	}
	defer rows.Close()
	out := map[int64][]application.Event{}
	for rows.Next() {
		var id, at int64
		var ev application.Event
		var kind string
		if err := rows.Scan(&id, &kind, &at, &ev.Days); err != nil {
			return nil, fmt.Errorf("store: statistics: application events: %w", err)
		}
		ev.Kind, ev.At = application.EventKind(kind), fromMS(at)
		out[id] = append(out[id], ev)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: statistics: application events: %w", err)
	}
	return out, nil
}

// addRatings adds up the current ratings given in the range, over the
// index ratings_at.
func (a *statsAgg) addRatings(ctx context.Context, rtx *sql.Tx, names statsNames) error {
	_, _, start, end := a.q.dayBounds()
	rows, err := rtx.QueryContext(ctx, `SELECT at, level, window, staff, item, department FROM ratings
		WHERE at >= ? AND at < ? AND superseded = 0`, start, end)
	if err != nil {
		return fmt.Errorf("store: statistics: ratings: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var at int64
		var level int
		var dims statsDims
		if err := rows.Scan(&at, &level, &dims.window, &dims.staff, &dims.item, &dims.department); err != nil {
			return fmt.Errorf("store: statistics: ratings: %w", err)
		}
		if dims.department == "" {
			dims.department = names.itemDepartment[dims.item]
		}
		if level < 1 || level > 5 { // the schema's CHECK keeps these out
			return fmt.Errorf("store: statistics: a rating of level %d: levels are 1 to 5", level)
		}
		var f RatingFigures
		f.Levels[level-1] = 1
		given := fromMS(at)
		a.add(workday.DateOf(given), given, dims, StatsFigures{Ratings: f})
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("store: statistics: ratings: %w", err)
	}
	return nil
}
