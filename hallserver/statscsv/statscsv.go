// Package statscsv writes a hall's statistics (api.Stats, as GET
// /api/v1/stats answers them) as CSV for spreadsheets: UTF-8 with a byte
// order mark (Excel on a Chinese Windows reads a CSV without one as GBK and
// garbles it), CRLF line ends, bilingual headers, one row per period (and
// dimension value) and a last row with the whole range's total. Both
// `hallctl stats export --csv` and GET /api/v1/stats.csv write it.
package statscsv

import (
	"encoding/csv"
	"io"
	"strconv"
	"strings"

	"onestop/hallserver/api"
)

// ContentType is the media type of what Write writes.
const ContentType = "text/csv; charset=utf-8"

// column is one column of the CSV: its header (Chinese, then the API's
// field name) and its cell.
type column struct {
	header string
	cell   func(api.StatsFigures) string
}

// columns are the CSV's figure columns, in the API's order.
var columns = []column{
	{"受理 accepted", func(f api.StatsFigures) string { return strconv.Itoa(f.Applications.Accepted) }},
	{"办结 completed", func(f api.StatsFigures) string { return strconv.Itoa(f.Applications.Completed) }},
	{"当场办结 same_day", func(f api.StatsFigures) string { return strconv.Itoa(f.Applications.SameDay) }},
	{"即办率 same_day_rate", func(f api.StatsFigures) string { return Percent(f.Applications.SameDayRate) }},
	{"提前办结 early", func(f api.StatsFigures) string { return strconv.Itoa(f.Applications.Early) }},
	{"按期办结 on_time", func(f api.StatsFigures) string { return strconv.Itoa(f.Applications.OnTime) }},
	{"超期办结 overdue", func(f api.StatsFigures) string { return strconv.Itoa(f.Applications.Overdue) }},
	{"平均用时(工作日) avg_used_days", func(f api.StatsFigures) string { return Decimal(f.Applications.AvgUsedDays, 2) }},
	{"占法定时限 avg_legal_share", func(f api.StatsFigures) string { return Percent(f.Applications.AvgLegalShare) }},
	{"取号 issued", func(f api.StatsFigures) string { return strconv.Itoa(f.Tickets.Issued) }},
	{"办理 served", func(f api.StatsFigures) string { return strconv.Itoa(f.Tickets.Served) }},
	{"过号 no_show", func(f api.StatsFigures) string { return strconv.Itoa(f.Tickets.NoShow) }},
	{"取消 cancelled", func(f api.StatsFigures) string { return strconv.Itoa(f.Tickets.Cancelled) }},
	{"叫号 called", func(f api.StatsFigures) string { return strconv.Itoa(f.Tickets.Called) }},
	{"平均等待(秒) avg_wait_seconds", func(f api.StatsFigures) string { return optInt(f.Tickets.AvgWaitSeconds) }},
	{"最长等待(秒) longest_wait_seconds", func(f api.StatsFigures) string { return optInt(f.Tickets.LongestWaitSeconds) }},
	{"平均办理(秒) avg_service_seconds", func(f api.StatsFigures) string { return optInt(f.Tickets.AvgServiceSeconds) }},
	{"评价 ratings", func(f api.StatsFigures) string { return strconv.Itoa(f.Ratings.Count) }},
	{"非常满意 very_satisfied", func(f api.StatsFigures) string { return strconv.Itoa(f.Ratings.VerySatisfied) }},
	{"满意 satisfied", func(f api.StatsFigures) string { return strconv.Itoa(f.Ratings.Satisfied) }},
	{"基本满意 basically_satisfied", func(f api.StatsFigures) string { return strconv.Itoa(f.Ratings.BasicallySatisfied) }},
	{"不满意 dissatisfied", func(f api.StatsFigures) string { return strconv.Itoa(f.Ratings.Dissatisfied) }},
	{"非常不满意 very_dissatisfied", func(f api.StatsFigures) string { return strconv.Itoa(f.Ratings.VeryDissatisfied) }},
	{"满意率 satisfaction_rate", func(f api.StatsFigures) string { return Percent(f.Ratings.SatisfactionRate) }},
}

// dimensionHeaders name the key and name columns of each dimension.
var dimensionHeaders = map[string][2]string{
	"department": {"部门 department", "部门名称 name"},
	"item":       {"事项 item", "事项名称 name"},
	"window":     {"窗口 window", "窗口名称 name"},
	"staff":      {"工作人员 staff", "姓名 name"},
}

// TotalLabel marks the CSV's last row, the whole range.
const TotalLabel = "合计 total"

// Header is the CSV's header row for statistics by the dimension by ("" for
// the whole hall).
func Header(by string) []string {
	header := []string{"周期 period", "起 start", "止 end"}
	if dim, ok := dimensionHeaders[by]; ok {
		header = append(header, dim[0], dim[1])
	}
	for _, c := range columns {
		header = append(header, c.header)
	}
	return header
}

// Write writes the report as CSV: the byte order mark, the header row, one
// row per period (and dimension value), and a last row with the whole
// range's total. Rates are percentages ("92.80%", which Excel reads as
// numbers); a rate or mean with nothing to divide by is an empty cell.
// Names (of staff, departments) that a spreadsheet would run as formulas
// are written as text (see Text).
func Write(w io.Writer, s api.Stats) error {
	if _, err := io.WriteString(w, "\ufeff"); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	_, hasDim := dimensionHeaders[s.By]
	cw.Write(Header(s.By))
	record := func(period, start, end, key, name string, f api.StatsFigures) {
		rec := []string{period, start, end}
		if hasDim {
			rec = append(rec, Text(key), Text(name))
		}
		for _, c := range columns {
			rec = append(rec, c.cell(f))
		}
		cw.Write(rec)
	}
	for _, r := range s.Rows {
		record(r.Period, r.Start, r.End, r.Key, noneName(r.Key, r.Name), r.StatsFigures)
	}
	record(TotalLabel, s.From, s.To, "", "", s.Total)
	cw.Flush()
	return cw.Error()
}

// Text keeps a name (a staff member's, a department's) from being read as
// a formula by a spreadsheet: text starting with = + - @ (or a tab or
// carriage return) gets a leading apostrophe, which Excel and LibreOffice
// show as plain text.
func Text(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// noneName is the name shown for a row: "无" for records without a
// department, item, window or staff member.
func noneName(key, name string) string {
	if key == "" {
		return "无"
	}
	return name
}

// Percent shows a rate as a percentage with two decimals ("92.80%"); ""
// for none.
func Percent(v *float64) string {
	if v == nil {
		return ""
	}
	return strconv.FormatFloat(*v*100, 'f', 2, 64) + "%"
}

// Decimal shows a mean with the decimals; "" for none.
func Decimal(v *float64, decimals int) string {
	if v == nil {
		return ""
	}
	return strconv.FormatFloat(*v, 'f', decimals, 64)
}

// optInt shows a number that may be missing; "" for none.
func optInt(v *int) string {
	if v == nil {
		return ""
	}
	return strconv.Itoa(*v)
}
