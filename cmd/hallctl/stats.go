package main

import (
	"encoding/csv"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"

	"onestop/hallserver"
	"onestop/hallserver/api"
	"onestop/hallserver/store"
)

// stats runs hallctl stats SUB.
func (e env) stats(sub string, args []string) error {
	if sub == "export" {
		return e.statsExport(args)
	}
	return usageError{fmt.Sprintf("stats %q: use export", sub)}
}

// statsExport prints the hall's statistics over a range of days, as the
// API serves them (GET /api/v1/stats): a table, or CSV with --csv.
func (e env) statsExport(args []string) error {
	var from, to, period, by *string
	var asCSV *bool
	var q store.StatsQuery
	return e.hallCmd("stats export", args, func(fs *flag.FlagSet) func() error {
		from, to = fs.String("from", "", ""), fs.String("to", "", "")
		period, by = fs.String("period", string(store.PeriodMonth), ""), fs.String("by", "", "")
		asCSV = fs.Bool("csv", false, "")
		return func() error {
			var err error
			if q, err = store.ParseStatsQuery(*from, *to, *period, *by); err != nil {
				return usageError{"stats export: " + hallserver.UserMessage(err)}
			}
			return nil
		}
	}, func(st *store.Store) error {
		cal, err := hallserver.HallCalendar(e.ctx, st)
		if err != nil {
			return err
		}
		rep, err := st.Statistics(e.ctx, cal, q)
		if err != nil {
			return err
		}
		view := hallserver.StatsView(rep)
		if *asCSV {
			return writeStatsCSV(e.stdout, view)
		}
		return writeStatsTable(e.stdout, view)
	})
}

// statsColumn is one column of the CSV: its header (Chinese, then the API's
// field name) and its cell.
type statsColumn struct {
	header string
	cell   func(api.StatsFigures) string
}

// statsColumns are the CSV's figure columns, in the API's order.
var statsColumns = []statsColumn{
	{"受理 accepted", func(f api.StatsFigures) string { return statsInt(f.Applications.Accepted) }},
	{"办结 completed", func(f api.StatsFigures) string { return statsInt(f.Applications.Completed) }},
	{"当场办结 same_day", func(f api.StatsFigures) string { return statsInt(f.Applications.SameDay) }},
	{"即办率 same_day_rate", func(f api.StatsFigures) string { return statsPercent(f.Applications.SameDayRate) }},
	{"提前办结 early", func(f api.StatsFigures) string { return statsInt(f.Applications.Early) }},
	{"按期办结 on_time", func(f api.StatsFigures) string { return statsInt(f.Applications.OnTime) }},
	{"超期办结 overdue", func(f api.StatsFigures) string { return statsInt(f.Applications.Overdue) }},
	{"平均用时(工作日) avg_used_days", func(f api.StatsFigures) string { return statsDecimal(f.Applications.AvgUsedDays, 2) }},
	{"占法定时限 avg_legal_share", func(f api.StatsFigures) string { return statsPercent(f.Applications.AvgLegalShare) }},
	{"取号 issued", func(f api.StatsFigures) string { return statsInt(f.Tickets.Issued) }},
	{"办理 served", func(f api.StatsFigures) string { return statsInt(f.Tickets.Served) }},
	{"过号 no_show", func(f api.StatsFigures) string { return statsInt(f.Tickets.NoShow) }},
	{"取消 cancelled", func(f api.StatsFigures) string { return statsInt(f.Tickets.Cancelled) }},
	{"叫号 called", func(f api.StatsFigures) string { return statsInt(f.Tickets.Called) }},
	{"平均等待(秒) avg_wait_seconds", func(f api.StatsFigures) string { return statsOptInt(f.Tickets.AvgWaitSeconds) }},
	{"最长等待(秒) longest_wait_seconds", func(f api.StatsFigures) string { return statsOptInt(f.Tickets.LongestWaitSeconds) }},
	{"平均办理(秒) avg_service_seconds", func(f api.StatsFigures) string { return statsOptInt(f.Tickets.AvgServiceSeconds) }},
	{"评价 ratings", func(f api.StatsFigures) string { return statsInt(f.Ratings.Count) }},
	{"非常满意 very_satisfied", func(f api.StatsFigures) string { return statsInt(f.Ratings.VerySatisfied) }},
	{"满意 satisfied", func(f api.StatsFigures) string { return statsInt(f.Ratings.Satisfied) }},
	{"基本满意 basically_satisfied", func(f api.StatsFigures) string { return statsInt(f.Ratings.BasicallySatisfied) }},
	{"不满意 dissatisfied", func(f api.StatsFigures) string { return statsInt(f.Ratings.Dissatisfied) }},
	{"非常不满意 very_dissatisfied", func(f api.StatsFigures) string { return statsInt(f.Ratings.VeryDissatisfied) }},
	{"满意率 satisfaction_rate", func(f api.StatsFigures) string { return statsPercent(f.Ratings.SatisfactionRate) }},
}

// statsDimensionHeaders name the key and name columns of each dimension.
var statsDimensionHeaders = map[string][2]string{
	"department": {"部门 department", "部门名称 name"},
	"item":       {"事项 item", "事项名称 name"},
	"window":     {"窗口 window", "窗口名称 name"},
	"staff":      {"工作人员 staff", "姓名 name"},
}

// statsTotalLabel marks the CSV's last row, the whole range.
const statsTotalLabel = "合计 total"

// csvText keeps a name (a staff member's, a department's) from being read
// as a formula by a spreadsheet: text starting with = + - @ gets a leading
// apostrophe, which Excel and LibreOffice show as plain text.
func csvText(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// writeStatsCSV writes the report as CSV for spreadsheets: UTF-8 with a
// byte order mark (Excel on a Chinese Windows reads a CSV without one as
// GBK and garbles it), CRLF line ends, one header row, one row per period
// (and dimension value), and a last row with the whole range's total.
// Rates are percentages ("92.80%", which Excel reads as numbers); a rate
// or mean with nothing to divide by is an empty cell.
func writeStatsCSV(w io.Writer, s api.Stats) error {
	if _, err := io.WriteString(w, "\ufeff"); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	header := []string{"周期 period", "起 start", "止 end"}
	dim, hasDim := statsDimensionHeaders[s.By]
	if hasDim {
		header = append(header, dim[0], dim[1])
	}
	for _, c := range statsColumns {
		header = append(header, c.header)
	}
	cw.Write(header)
	record := func(period, start, end, key, name string, f api.StatsFigures) {
		rec := []string{period, start, end}
		if hasDim {
			rec = append(rec, csvText(key), csvText(name))
		}
		for _, c := range statsColumns {
			rec = append(rec, c.cell(f))
		}
		cw.Write(rec)
	}
	for _, r := range s.Rows {
		record(r.Period, r.Start, r.End, r.Key, statsNoneName(r.Key, r.Name), r.StatsFigures)
	}
	record(statsTotalLabel, s.From, s.To, "", "", s.Total)
	cw.Flush()
	return cw.Error()
}

// statsNoneName is the name shown for a row: "无" for records without a
// department, item, window or staff member.
func statsNoneName(key, name string) string {
	if key == "" {
		return "无"
	}
	return name
}

// writeStatsTable prints the report for a terminal: applications, tickets
// and ratings as three tables, each ending with the total. Headers are in
// English: tabwriter counts a Chinese character as one column where a
// terminal shows two, so Chinese names go last on each line, where
// nothing is aligned after them.
func writeStatsTable(w io.Writer, s api.Stats) error {
	title := fmt.Sprintf("Statistics %s to %s, by %s", s.From, s.To, s.Period)
	if s.By != "" {
		title += " and " + s.By
	}
	fmt.Fprintln(w, title)
	if s.Provisional {
		fmt.Fprintln(w, "PROVISIONAL: some working days were counted on a provisional holiday calendar; import the State Council's notice")
	}
	type section struct {
		title, header string
		cells         func(api.StatsFigures) []string
	}
	sections := []section{
		{"Applications (办件): accepted in the period; the other figures are of those completed in it. Rate: 即办率, same day / completed.",
			"ACCEPTED\tCOMPLETED\tSAME DAY\tRATE\tEARLY\tON TIME\tOVERDUE\tAVG DAYS\tOF LEGAL LIMIT",
			func(f api.StatsFigures) []string {
				a := f.Applications
				return []string{statsInt(a.Accepted), statsInt(a.Completed), statsInt(a.SameDay), dash(statsPercent(a.SameDayRate)),
					statsInt(a.Early), statsInt(a.OnTime), statsInt(a.Overdue), dash(statsDecimal(a.AvgUsedDays, 2)),
					dash(statsPercent(a.AvgLegalShare))}
			}},
		{"Tickets (排队叫号): waits from issue to first call, service from start to finish.",
			"ISSUED\tSERVED\tNO-SHOW\tCANCELLED\tAVG WAIT\tLONGEST WAIT\tAVG SERVICE",
			func(f api.StatsFigures) []string {
				t := f.Tickets
				return []string{statsInt(t.Issued), statsInt(t.Served), statsInt(t.NoShow), statsInt(t.Cancelled),
					statsClock(t.AvgWaitSeconds), statsClock(t.LongestWaitSeconds), statsClock(t.AvgServiceSeconds)}
			}},
		{"Ratings (好差评): 5 非常满意, 4 满意, 3 基本满意, 2 不满意, 1 非常不满意. Satisfied: levels 5 to 3 / all.",
			"RATINGS\t5\t4\t3\t2\t1\tSATISFIED",
			func(f api.StatsFigures) []string {
				r := f.Ratings
				return []string{statsInt(r.Count), statsInt(r.VerySatisfied), statsInt(r.Satisfied), statsInt(r.BasicallySatisfied),
					statsInt(r.Dissatisfied), statsInt(r.VeryDissatisfied), dash(statsPercent(r.SatisfactionRate))}
			}},
	}
	for _, sec := range sections {
		fmt.Fprintf(w, "\n%s\n", sec.title)
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "PERIOD\t"+sec.header+"\t  "+strings.ToUpper(s.By))
		line := func(period, dim string, f api.StatsFigures) {
			fmt.Fprintln(tw, period+"\t"+strings.Join(sec.cells(f), "\t")+"\t  "+dim)
		}
		for _, r := range s.Rows {
			line(r.Period, statsKeyName(r.Key, r.Name), r.StatsFigures)
		}
		total := ""
		if s.By != "" {
			total = "all"
		}
		line("total", total, s.Total)
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	return nil
}

// statsKeyName shows a dimension value in a table: "3 3号窗口", "wang 王芳"
// (the name once when it is the key), "(none)" for records without one.
func statsKeyName(key, name string) string {
	switch {
	case key == "":
		return "(none)"
	case name == "" || name == key:
		return key
	}
	return key + " " + name
}

func statsInt(n int) string { return strconv.Itoa(n) }

// statsPercent shows a rate as a percentage with two decimals; "" for none.
func statsPercent(v *float64) string {
	if v == nil {
		return ""
	}
	return strconv.FormatFloat(*v*100, 'f', 2, 64) + "%"
}

// statsDecimal shows a mean with the decimals; "" for none.
func statsDecimal(v *float64, decimals int) string {
	if v == nil {
		return ""
	}
	return strconv.FormatFloat(*v, 'f', decimals, 64)
}

// statsOptInt shows a number that may be missing; "" for none.
func statsOptInt(v *int) string {
	if v == nil {
		return ""
	}
	return strconv.Itoa(*v)
}

// statsClock shows seconds as m:ss or h:mm:ss; "-" for none.
func statsClock(v *int) string {
	if v == nil {
		return "-"
	}
	h, m, s := *v/3600, *v/60%60, *v%60
	if h > 0 {
		return fmt.Sprintf("%d:%02d:%02d", h, m, s)
	}
	return fmt.Sprintf("%d:%02d", m, s)
}
