package main

import (
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"

	"onestop/hallserver"
	"onestop/hallserver/api"
	"onestop/hallserver/statscsv"
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
			return statscsv.Write(e.stdout, view)
		}
		return writeStatsTable(e.stdout, view)
	})
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
				return []string{statsInt(a.Accepted), statsInt(a.Completed), statsInt(a.SameDay), dash(statscsv.Percent(a.SameDayRate)),
					statsInt(a.Early), statsInt(a.OnTime), statsInt(a.Overdue), dash(statscsv.Decimal(a.AvgUsedDays, 2)),
					dash(statscsv.Percent(a.AvgLegalShare))}
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
					statsInt(r.Dissatisfied), statsInt(r.VeryDissatisfied), dash(statscsv.Percent(r.SatisfactionRate))}
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
