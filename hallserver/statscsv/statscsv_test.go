package statscsv_test

import (
	"encoding/csv"
	"strings"
	"testing"

	"onestop/hallserver/api"
	"onestop/hallserver/statscsv"
)

// TestWrite: the byte order mark, CRLF, the header with the dimension's
// columns, a row per period with empty cells for missing rates, names kept
// from running as formulas, and the total last.
func TestWrite(t *testing.T) {
	rate, wait := 0.928, 300
	s := api.Stats{From: "2026-03-02", To: "2026-03-02", Period: "hour", By: "staff", Rows: []api.StatsRow{
		{Period: "2026-03-02T09", Start: "2026-03-02", End: "2026-03-02", Key: "wangfang", Name: "=王芳",
			StatsFigures: api.StatsFigures{Tickets: api.TicketStats{Issued: 3, AvgWaitSeconds: &wait},
				Ratings: api.RatingStats{Count: 1, SatisfactionRate: &rate}}},
		{Period: "2026-03-02T10", Start: "2026-03-02", End: "2026-03-02"},
	}, Total: api.StatsFigures{Tickets: api.TicketStats{Issued: 3}}}
	var b strings.Builder
	if err := statscsv.Write(&b, s); err != nil {
		t.Fatal(err)
	}
	out, ok := strings.CutPrefix(b.String(), "\ufeff")
	if !ok {
		t.Fatal("no byte order mark")
	}
	if !strings.Contains(out, "\r\n") || strings.Count(out, "\n") != strings.Count(out, "\r\n") {
		t.Error("lines do not end in CRLF")
	}
	recs, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 4 {
		t.Fatalf("%d records, want header, 2 rows, total", len(recs))
	}
	col := map[string]int{}
	for i, h := range recs[0] {
		col[h] = i
	}
	for _, h := range []string{"周期 period", "工作人员 staff", "姓名 name", "取号 issued", "平均等待(秒) avg_wait_seconds", "满意率 satisfaction_rate"} {
		if _, ok := col[h]; !ok {
			t.Errorf("header lacks %q: %q", h, recs[0])
		}
	}
	if len(recs[0]) != len(statscsv.Header("staff")) || len(statscsv.Header("")) != len(recs[0])-2 {
		t.Errorf("header %d columns; Header says %d, without a dimension %d", len(recs[0]), len(statscsv.Header("staff")), len(statscsv.Header("")))
	}
	row := recs[1]
	for name, want := range map[string]string{"周期 period": "2026-03-02T09", "姓名 name": "'=王芳", "取号 issued": "3",
		"平均等待(秒) avg_wait_seconds": "300", "满意率 satisfaction_rate": "92.80%", "即办率 same_day_rate": ""} {
		if got := row[col[name]]; got != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
	if got := recs[2][col["姓名 name"]]; got != "无" {
		t.Errorf("a row without a key is named %q, want 无", got)
	}
	if last := recs[3]; last[0] != statscsv.TotalLabel || last[1] != "2026-03-02" || last[col["取号 issued"]] != "3" {
		t.Errorf("total row %q", last)
	}
}

// TestTextNoFormula: names that a spreadsheet would run as formulas are
// written as text.
func TestTextNoFormula(t *testing.T) {
	for in, want := range map[string]string{
		"wangfang": "wangfang", "=HYPERLINK(\"x\")": "'=HYPERLINK(\"x\")", "+1": "'+1", "-2": "'-2",
		"@SUM(A1)": "'@SUM(A1)", "": "", "王芳": "王芳",
	} {
		if got := statscsv.Text(in); got != want {
			t.Errorf("Text(%q) = %q, want %q", in, got, want)
		}
	}
}
