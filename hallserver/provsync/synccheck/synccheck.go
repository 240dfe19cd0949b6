// Package synccheck holds a hall's outbox against what the province
// applied, the one invariant of the province link: every committed outbox
// row took effect upstream exactly once, and for each record in the order
// the hall wrote them. cmd/syncsoak and the fault tests use it.
package synccheck

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"onestop/hallserver/exchange/provsim"
	"onestop/hallserver/store"
)

// Report is what the comparison found. Clean when Missing, Duplicates,
// Unexpected, Reordered and Pending are all zero.
type Report struct {
	Committed  int `json:"committed"`  // outbox rows in the hall
	Applied    int `json:"applied"`    // events the province applied for the hall
	Delivered  int `json:"delivered"`  // rows the hall marked delivered
	Pending    int `json:"pending"`    // rows not delivered yet (pending or dead)
	Discarded  int `json:"discarded"`  // dead letters a supervisor gave up on: not expected upstream
	Missing    int `json:"missing"`    // committed rows the province never applied
	Duplicates int `json:"duplicates"` // rows (keys) or records (natural keys) applied more than once
	Unexpected int `json:"unexpected"` // applied events the hall never committed
	Reordered  int `json:"reordered"`  // events applied before an earlier row of their aggregate
	// Examples names a few of each problem, for the log.
	Examples []string `json:"examples,omitempty"`
}

// Clean reports whether the province holds exactly what the hall committed.
func (r Report) Clean() bool {
	return r.Missing == 0 && r.Duplicates == 0 && r.Unexpected == 0 && r.Reordered == 0 && r.Pending == 0
}

func (r Report) String() string {
	s := fmt.Sprintf("committed %d, applied %d, delivered %d, pending %d, missing %d, duplicates %d, unexpected %d, reordered %d",
		r.Committed, r.Applied, r.Delivered, r.Pending, r.Missing, r.Duplicates, r.Unexpected, r.Reordered)
	if len(r.Examples) > 0 {
		s += " (" + strings.Join(r.Examples, "; ") + ")"
	}
	return s
}

func (r *Report) example(format string, args ...any) {
	if len(r.Examples) < 12 {
		r.Examples = append(r.Examples, fmt.Sprintf(format, args...))
	}
}

// Compare reads the hall's whole outbox and everything the province
// applied for the hall, and compares them.
func Compare(ctx context.Context, st *store.Store, prov *provsim.Province, hall string) (Report, error) {
	var r Report
	epoch, err := st.OutboxEpoch(ctx)
	if err != nil {
		return r, err
	}
	var rows []store.OutboxRow
	for after := int64(0); ; {
		page, err := st.OutboxRows(ctx, after, 10000)
		if err != nil {
			return r, err
		}
		if len(page) == 0 {
			break
		}
		rows = append(rows, page...)
		after = page[len(page)-1].ID
	}
	applied, err := prov.Applied(ctx, hall)
	if err != nil {
		return r, err
	}
	return compare(epoch, rows, applied), nil
}

func compare(epoch string, rows []store.OutboxRow, applied []provsim.AppliedEvent) Report {
	r := Report{Committed: len(rows), Applied: len(applied)}
	byKey := map[string]int{}    // key → times applied
	position := map[string]int{} // key → order applied
	natural := map[string]int{}  // natural key → times applied
	for i, a := range applied {
		byKey[a.Key]++
		position[a.Key] = i
		natural[a.NaturalKey]++
	}
	committed := map[string]bool{}
	lastPos := map[string]int{} // aggregate → position of its latest row applied so far
	for _, row := range rows {
		key := store.OutboxKey(epoch, row.ID)
		committed[key] = true
		switch row.State {
		case store.OutboxDelivered:
			r.Delivered++
		case store.OutboxDiscarded:
			r.Discarded++
			if byKey[key] > 0 {
				r.Unexpected++
				r.example("discarded row %d was applied", row.ID)
			}
			continue
		default:
			r.Pending++
		}
		switch n := byKey[key]; {
		case n == 0:
			r.Missing++
			r.example("row %d (%s %s) not applied", row.ID, row.Kind, row.Aggregate)
			continue
		case n > 1:
			r.Duplicates++
			r.example("row %d applied %d times", row.ID, n)
		}
		pos := position[key]
		if prev, ok := lastPos[row.Aggregate]; ok && pos < prev {
			r.Reordered++
			r.example("row %d of %s applied before an earlier row of it", row.ID, row.Aggregate)
		}
		lastPos[row.Aggregate] = pos
	}
	var twice []string
	for nk, n := range natural {
		if n > 1 {
			twice = append(twice, nk)
		}
	}
	sort.Strings(twice)
	for _, nk := range twice {
		r.Duplicates++
		r.example("record %s applied %d times", nk, natural[nk])
	}
	for _, a := range applied {
		if !committed[a.Key] {
			r.Unexpected++
			r.example("applied %s (%s) was never committed", a.Key, a.Kind)
		}
	}
	return r
}
