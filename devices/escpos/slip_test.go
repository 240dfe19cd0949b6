package escpos_test

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"onestop/devices/devicetest"
	"onestop/devices/escpos"
)

var slip = escpos.Slip{
	Hall:     "贵阳市观山湖区政务服务中心",
	Queue:    "不动产登记",
	QueueEn:  "Real estate",
	Number:   "A012",
	Ahead:    7,
	Wait:     22*time.Minute + 10*time.Second,
	IssuedAt: time.Date(2026, 3, 2, 1, 15, 42, 0, time.UTC),
	URL:      "https://hall.example.gov.cn/t/20260302-A012?k=7f3a9c",
	Note:     "过号请重新取号 / A missed number needs a new ticket",
}

// captureSlip prints s through a Record around an in-memory simulator
// and returns the recorded exchanges.
func captureSlip(t *testing.T, mm int, s escpos.Slip) []devicetest.Exchange {
	t.Helper()
	sim := devicetest.NewPrinterSim(map[int]int{58: devicetest.PrinterDots58, 80: devicetest.PrinterDots80}[mm])
	rec := &devicetest.Record{RW: sim}
	if _, err := newPrinter(t, rec, mm).PrintSlip(s); err != nil {
		t.Fatal(err)
	}
	return rec.Ops
}

// parse feeds bytes to a fresh simulator and returns its one receipt.
func parse(t *testing.T, dots int, b []byte) devicetest.PrinterReceipt {
	t.Helper()
	sim := devicetest.NewPrinterSim(dots)
	sim.Write(b)
	if n := sim.Notes(); len(n) > 0 {
		t.Fatalf("the simulator noted:\n%s", strings.Join(n, "\n"))
	}
	rs := sim.Receipts()
	if len(rs) != 1 {
		t.Fatalf("%d receipts, want 1", len(rs))
	}
	return rs[0]
}

func TestPrintSlip(t *testing.T) {
	tests := []struct {
		mm, dots, scale, module int
		want                    string
	}{
		{58, devicetest.PrinterDots58, 5, 6, `
   贵阳市观山湖区政务服务中心
--------------------------------
    不动产登记 / Real estate
      A012

    前面还有 7 人 / 7 ahead
       预计等待约 23 分钟
          about 23 min
       取号时间 / Issued
        2026-03-02 09:15

       [QR: https://hall.example.gov.cn/t/20260302-A012?k=7f3a9c]

        扫码查看排队进度
    Scan to follow your turn
--------------------------------
过号请重新取号 / A missed number
       needs a new ticket


`},
		{80, devicetest.PrinterDots80, 6, 8, `
           贵阳市观山湖区政务服务中心
------------------------------------------------
            不动产登记 / Real estate
            A012

            前面还有 7 人 / 7 ahead
       预计等待约 23 分钟 / about 23 min
       取号时间 / Issued 2026-03-02 09:15

             [QR: https://hall.example.gov.cn/t/20260302-A012?k=7f3a9c]

  扫码查看排队进度 / Scan to follow your turn
------------------------------------------------
  过号请重新取号 / A missed number needs a new
                     ticket


`},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%dmm", tt.mm), func(t *testing.T) {
			ops := captureSlip(t, tt.mm, slip)
			// Four status queries, then the slip in one write.
			if len(ops) != 5 {
				t.Fatalf("%d exchanges, want 4 status queries and 1 write", len(ops))
			}
			for n, op := range ops[:4] {
				if !bytes.Equal(op.Write, []byte{0x10, 0x04, byte(n + 1)}) || !bytes.Equal(op.Read, []byte{0x12}) {
					t.Fatalf("exchange %d: % X → % X", n, op.Write, op.Read)
				}
			}
			r := parse(t, tt.dots, ops[4].Write)
			if got := r.Text(); got != tt.want[1:] {
				t.Errorf("slip text:\n%s\nwant:\n%s", got, tt.want[1:])
			}
			if r.Cut != devicetest.PrinterFullCut {
				t.Errorf("cut %v", r.Cut)
			}
			for i, l := range r.Lines {
				if l.Align != devicetest.PrinterCenter {
					t.Errorf("line %d %q is %v", i, l.Text(), l.Align)
				}
			}
			hall, _ := r.Find("政务服务中心")
			if run := hall.Runs[0]; !run.Bold || run.Height != 2 {
				t.Errorf("hall name printed as %+v", run)
			}
			number, _ := r.Find(slip.Number)
			if len(number.Runs) != 1 || number.Runs[0] != (devicetest.PrinterRun{Text: "A012", Bold: true, Width: tt.scale, Height: tt.scale}) {
				t.Errorf("number printed as %+v", number.Runs)
			}
			ahead, _ := r.Find("前面")
			if ahead.Runs[0].Bold || ahead.Runs[0].Width != 1 {
				t.Errorf("bold or size leaked past the number: %+v", ahead.Runs)
			}
			var qrLine devicetest.PrinterLine
			for _, l := range r.Lines {
				if l.QR != nil {
					qrLine = l
				}
			}
			if q := qrLine.QR; q == nil || string(q.Data) != slip.URL || q.Module != tt.module || q.Level != 'M' || q.Model != 2 {
				t.Fatalf("QR %+v", qrLine.QR)
			}
		})
	}
}

func TestPrintSlipVariants(t *testing.T) {
	tests := []struct {
		name   string
		mm     int
		change func(s *escpos.Slip)
		has    []string
		hasNot []string
	}{
		{"unknown wait", 80, func(s *escpos.Slip) { s.Wait = -1 }, nil, []string{"预计等待"}},
		{"no wait", 80, func(s *escpos.Slip) { s.Ahead, s.Wait = 0, 0 }, []string{"前面还有 0 人 / 0 ahead", "预计等待不到 1 分钟 / under 1 min"}, nil},
		{"wait rounds up", 80, func(s *escpos.Slip) { s.Wait = 90 * time.Second }, []string{"预计等待约 2 分钟 / about 2 min"}, nil},
		{"exact minutes", 80, func(s *escpos.Slip) { s.Wait = 15 * time.Minute }, []string{"约 15 分钟"}, nil},
		{"no URL, no QR", 80, func(s *escpos.Slip) { s.URL = "" }, nil, []string{"[QR", "扫码"}},
		{"no English queue name", 80, func(s *escpos.Slip) { s.QueueEn = "" }, []string{"不动产登记\n"}, []string{"Real estate"}},
		{"no note", 58, func(s *escpos.Slip) { s.Note = "" }, nil, []string{"过号"}},
		{"local time", 80, func(s *escpos.Slip) { s.IssuedAt = time.Date(2026, 3, 2, 23, 59, 0, 0, time.UTC) }, []string{"2026-03-03 07:59"}, nil},
		{"long number", 58, func(s *escpos.Slip) { s.Number = "VIP0012" }, []string{"VIP0012"}, nil},
		{"long hall name wraps", 58, func(s *escpos.Slip) {
			s.Hall = "贵州省贵阳市观山湖区人民政府政务服务中心二楼大厅"
		}, []string{"贵州省贵阳市观山湖区人民政府政务\n", "服务中心二楼大厅\n"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := slip
			tt.change(&s)
			dots := map[int]int{58: devicetest.PrinterDots58, 80: devicetest.PrinterDots80}[tt.mm]
			ops := captureSlip(t, tt.mm, s)
			r := parse(t, dots, ops[len(ops)-1].Write) // parse fails on any note, e.g. a line too wide
			text := r.Text()
			for _, h := range tt.has {
				if !strings.Contains(text, h) {
					t.Errorf("no %q in\n%s", h, text)
				}
			}
			for _, h := range tt.hasNot {
				if strings.Contains(text, h) {
					t.Errorf("%q in\n%s", h, text)
				}
			}
		})
	}
}

func TestPrintSlipRefusesBadSlips(t *testing.T) {
	tests := []struct {
		name   string
		change func(s *escpos.Slip)
		is     error
	}{
		{"no hall", func(s *escpos.Slip) { s.Hall = " " }, escpos.ErrBadSlip},
		{"no number", func(s *escpos.Slip) { s.Number = "" }, escpos.ErrBadSlip},
		{"negative ahead", func(s *escpos.Slip) { s.Ahead = -1 }, escpos.ErrBadSlip},
		{"Chinese URL", func(s *escpos.Slip) { s.URL = "https://例子.cn" }, escpos.ErrBadSlip},
		{"URL with a space", func(s *escpos.Slip) { s.URL = "https://a.cn/x y" }, escpos.ErrBadSlip},
		{"URL too long for 58 mm", func(s *escpos.Slip) { s.URL = "https://a.cn/" + strings.Repeat("x", 1000) }, escpos.ErrBadSlip},
		{"emoji in the note", func(s *escpos.Slip) { s.Note = "祝您办事顺利😀" }, escpos.ErrUnprintable},
		{"control character in the hall name", func(s *escpos.Slip) { s.Hall = "大厅\x1b" }, escpos.ErrUnprintable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := slip
			tt.change(&s)
			pb := &devicetest.Playback{} // nothing may be sent, not even a status query
			_, err := newPrinter(t, pb, 58).PrintSlip(s)
			if !errors.Is(err, tt.is) || !strings.HasPrefix(err.Error(), "escpos: ") {
				t.Fatalf("err = %v, want %v", err, tt.is)
			}
			if err := pb.Close(); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestPrintSlipPaperOutPrintsNothing(t *testing.T) {
	sim := devicetest.NewPrinterSim(devicetest.PrinterDots80)
	sim.SetState(devicetest.PrinterState{PaperOut: true, PaperNearEnd: true})
	_, err := newPrinter(t, sim, 80).PrintSlip(slip)
	var prob *escpos.Problem
	if !errors.Is(err, escpos.ErrPaperOut) || !errors.As(err, &prob) || !strings.Contains(prob.Zh, "缺纸") {
		t.Fatalf("err = %v, want ErrPaperOut", err)
	}
	if n := len(sim.Receipts()) + len(sim.Pending().Lines) + sim.Discarded(); n != 0 {
		t.Fatalf("the printer got something to print: %d", n)
	}
	// Paper loaded: the same slip prints.
	sim.SetState(devicetest.PrinterState{})
	if _, err := newPrinter(t, sim, 80).PrintSlip(slip); err != nil {
		t.Fatal(err)
	}
	if len(sim.Receipts()) != 1 {
		t.Fatal("no slip after loading paper")
	}
}

func TestPrintLines(t *testing.T) {
	sim := devicetest.NewPrinterSim(devicetest.PrinterDots58)
	lines := []string{
		"1. 居民身份证原件及复印件",
		"2. 不动产权属证书（不动产权证书、房屋所有权证、土地使用证）",
		"",
		"3. Application form signed by all owners",
	}
	if _, err := newPrinter(t, sim, 58).PrintLines("不动产登记 所需材料 / Materials", lines); err != nil {
		t.Fatal(err)
	}
	if n := sim.Notes(); len(n) > 0 {
		t.Fatalf("notes: %q", n)
	}
	rs := sim.Receipts()
	if len(rs) != 1 {
		t.Fatalf("%d receipts", len(rs))
	}
	want := `
不动产登记 所需材料 / Materials
--------------------------------
1. 居民身份证原件及复印件
2. 不动产权属证书（不动产权证
书、房屋所有权证、土地使用证）

3. Application form signed by
all owners


`[1:]
	if got := rs[0].Text(); got != want {
		t.Fatalf("got\n%s\nwant\n%s", got, want)
	}
	if rs[0].Lines[0].Align != devicetest.PrinterCenter || rs[0].Lines[2].Align != devicetest.PrinterLeft {
		t.Fatal("title not centred or list not left aligned")
	}
}

func TestQRModuleFitsThePaper(t *testing.T) {
	// The slip's QR code is as large as the layout allows, and always
	// fits the paper with its quiet zone.
	for _, mm := range []int{58, 80} {
		dots := map[int]int{58: 384, 80: 576}[mm]
		for _, n := range []int{20, 100, 300, 600} {
			s := slip
			s.URL = "https://a.cn/" + strings.Repeat("x", n-13)
			ops := captureSlip(t, mm, s)
			r := parse(t, dots, ops[len(ops)-1].Write)
			for _, l := range r.Lines {
				if q := l.QR; q != nil {
					if (q.Modules+8)*q.Module > dots || q.Module < 3 {
						t.Errorf("%d mm, %d bytes: %d modules of %d dots", mm, n, q.Modules, q.Module)
					}
				}
			}
		}
	}
}
