package main

import (
	"flag"
	"fmt"
	"os"
	"strconv"

	"onestop/hallserver"
	"onestop/hallserver/store"
	"onestop/hallserver/workday"
)

// calendarImport imports a year's holiday calendar (the State Council's
// notice as JSON, in the form of assets/holidays/2026.json) into the hall.
func (e env) calendarImport(args []string) error {
	fs := e.flags("calendar import")
	dir := fs.String("data", "", "")
	if err := fs.Parse(args); err != nil {
		return usageError{fmt.Sprintf("calendar import: %v", err)}
	}
	if fs.NArg() != 1 {
		return usageError{"calendar import needs the calendar file: hallctl calendar import --data DIR FILE.json"}
	}
	data, err := os.ReadFile(fs.Arg(0))
	if err != nil {
		return fmt.Errorf("read %s: %w", fs.Arg(0), err)
	}
	year, err := workday.Parse(data)
	if err != nil {
		return err
	}
	st, err := e.openHall(*dir)
	if err != nil {
		return err
	}
	defer st.Close()
	current, err := hallserver.HallCalendar(e.ctx, st)
	if err != nil {
		return err
	}
	_, change, err := current.Import(data)
	if err != nil {
		return err
	}
	if err := st.SaveHolidayCalendar(e.ctx, actor(), year.Year, data); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "imported the %d calendar: %s\n", year.Year, change)
	fmt.Fprintln(e.stdout, "the hall server counts with it within a minute")
	return nil
}

// calendarList shows which years the hall counts with, and how.
func (e env) calendarList(args []string) error {
	var asJSON *bool
	return e.hallCmd("calendar list", args, func(fs *flag.FlagSet) func() error {
		asJSON = fs.Bool("json", false, "")
		return nil
	}, func(st *store.Store) error {
		cal, err := hallserver.HallCalendar(e.ctx, st)
		if err != nil {
			return err
		}
		imported, err := st.HolidayCalendars(e.ctx)
		if err != nil {
			return err
		}
		type row struct {
			Year        int    `json:"year"`
			Provisional bool   `json:"provisional"`
			Source      string `json:"source"`
		}
		var out []row
		var rows [][]string
		for _, y := range cal.Years() {
			_, provisional := cal.Covered(y)
			source := "embedded"
			if _, ok := imported[y]; ok {
				source = "imported"
			}
			out = append(out, row{y, provisional, source})
			status := "official"
			if provisional {
				status = "PROVISIONAL: import the State Council's notice"
			}
			rows = append(rows, []string{strconv.Itoa(y), source, status})
		}
		return e.output(*asJSON, out, "YEAR\tFROM\tSTATUS", rows)
	})
}
