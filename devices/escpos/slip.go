package escpos

import (
	"errors"
	"fmt"
	"strings"
	"time"
	_ "time/tzdata" // Asia/Shanghai must load on kiosks without a zoneinfo database
)

// Shanghai is the time zone printed on slips (the project's one zone).
var Shanghai = mustLoadLocation("Asia/Shanghai")

func mustLoadLocation(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(fmt.Sprintf("escpos: time zone %s: %v", name, err)) // time/tzdata is embedded
	}
	return loc
}

// Slip is what a queue slip says.
type Slip struct {
	Hall     string        // the hall's name, e.g. "贵阳市政务服务中心"
	Queue    string        // the queue's name in Chinese, e.g. "不动产登记"
	QueueEn  string        // the queue's name in English, optional
	Number   string        // the ticket number, e.g. "A001"
	Ahead    int           // people waiting before this ticket
	Wait     time.Duration // estimated wait; negative if unknown (the line is left out)
	IssuedAt time.Time     // printed in Asia/Shanghai time
	URL      string        // printable ASCII, the QR code's payload; optional
	Note     string        // a short note at the bottom, optional
}

// ErrBadSlip is what PrintSlip's error wraps when a Slip cannot be laid
// out: a missing field, or a URL that is not ASCII or too long for a QR
// code that fits the paper.
var ErrBadSlip = errors.New("escpos: bad slip")

// Slip layout choices, by paper width.
type slipLayout struct {
	maxNumberScale int // character size of the ticket number
	maxQRModule    int // dots per QR module
}

var layouts = map[int]slipLayout{
	384: {maxNumberScale: 5, maxQRModule: 6},
	576: {maxNumberScale: 6, maxQRModule: 8},
}

// PrintSlip prints a queue slip: the hall's name, the queue, the ticket
// number very large, people ahead, the estimated wait, the time issued,
// a QR code to follow the queue on a phone, the note, then it feeds and
// cuts. Every line is centred. Texts are Chinese first, then English,
// on one line when both fit.
//
// Like Print, it checks the printer's status first and sends nothing if
// the printer cannot print (ErrPaperOut, ErrCoverOpen, …); the returned
// Status tells the caller about paper near its end.
func (p *Printer) PrintSlip(s Slip) (Status, error) {
	j, err := p.slipJob(s)
	if err != nil {
		return Status{}, err
	}
	return p.Print(j)
}

func (p *Printer) slipJob(s Slip) (*Job, error) {
	if strings.TrimSpace(s.Hall) == "" || strings.TrimSpace(s.Number) == "" {
		return nil, fmt.Errorf("%w: hall name and ticket number are required", ErrBadSlip)
	}
	if s.Ahead < 0 {
		return nil, fmt.Errorf("%w: %d people ahead", ErrBadSlip, s.Ahead)
	}
	for i := 0; i < len(s.URL); i++ {
		if c := s.URL[i]; c < 0x21 || c > 0x7E {
			return nil, fmt.Errorf("%w: URL %q: byte %d is not printable ASCII", ErrBadSlip, s.URL, i)
		}
	}
	lay := layouts[p.dots]
	cols := p.cols
	j := p.NewJob()
	j.Init().ChineseMode(true).Align(Center)

	// The hall, bold and double height.
	j.Bold(true).Size(1, 2)
	for _, l := range Wrap(s.Hall, cols) {
		j.Line(l)
	}
	j.Bold(false).Size(1, 1)
	j.Line(strings.Repeat("-", cols))

	// The queue, then the number as large as fits.
	if s.Queue != "" || s.QueueEn != "" {
		j.Bold(true)
		p.bilingual(j, s.Queue, s.QueueEn)
		j.Bold(false)
	}
	scale := max(1, min(lay.maxNumberScale, cols/max(1, TextWidth(s.Number))))
	j.Bold(true).Size(scale, scale).Line(s.Number).Size(1, 1).Bold(false)
	j.LF()

	p.bilingual(j, fmt.Sprintf("前面还有 %d 人", s.Ahead), fmt.Sprintf("%d ahead", s.Ahead))
	if s.Wait >= 0 {
		if m := waitMinutes(s.Wait); m == 0 {
			p.bilingual(j, "预计等待不到 1 分钟", "under 1 min")
		} else {
			p.bilingual(j, fmt.Sprintf("预计等待约 %d 分钟", m), fmt.Sprintf("about %d min", m))
		}
	}
	if !s.IssuedAt.IsZero() {
		at := s.IssuedAt.In(Shanghai).Format("2006-01-02 15:04")
		if l := "取号时间 / Issued " + at; TextWidth(l) <= p.cols {
			j.Line(l)
		} else {
			j.Line("取号时间 / Issued").Line(at)
		}
	}

	if s.URL != "" {
		module, err := qrModule(len(s.URL), p.dots, lay.maxQRModule)
		if err != nil {
			return nil, fmt.Errorf("%w: URL %q: %w", ErrBadSlip, s.URL, err)
		}
		j.LF()
		j.QR([]byte(s.URL), module, QRLevelM)
		j.LF()
		p.bilingual(j, "扫码查看排队进度", "Scan to follow your turn")
	}
	if s.Note != "" {
		j.Line(strings.Repeat("-", cols))
		for _, l := range Wrap(s.Note, cols) {
			j.Line(l)
		}
	}
	j.Feed(2).FeedCut(FullCut, 0)
	if err := j.Err(); err != nil {
		return nil, err
	}
	return j, nil
}

// bilingual prints "zh / en" on one line if it fits, else zh and en on
// lines of their own (each wrapped); either may be empty.
func (p *Printer) bilingual(j *Job, zh, en string) {
	text := zh
	switch {
	case zh == "":
		text = en
	case en != "":
		text = zh + " / " + en
		if TextWidth(text) > p.cols {
			text = zh + "\n" + en
		}
	}
	for _, l := range Wrap(text, p.cols) {
		j.Line(l)
	}
}

// waitMinutes rounds a wait up to whole minutes: a slip that promises
// less than the wait annoys more than one that promises more.
func waitMinutes(d time.Duration) int {
	return int((d + time.Minute - 1) / time.Minute)
}

// qrByteCapacityM is how many bytes a QR code of versions 1–40 holds in
// byte mode at error correction M (ISO/IEC 18004 table 7).
var qrByteCapacityM = [...]int{
	14, 26, 42, 62, 84, 106, 122, 152, 180, 213,
	251, 287, 331, 362, 412, 450, 504, 560, 624, 666,
	711, 779, 857, 911, 997, 1059, 1125, 1190, 1264, 1370,
	1452, 1538, 1628, 1722, 1809, 1911, 1989, 2099, 2213, 2331,
}

// qrModule picks the largest module size, up to maxModule, at which a
// QR code of n bytes at level M fits the paper with its quiet zone (4
// modules each side). A phone reads modules of 3 dots (0.375 mm) and up
// reliably; smaller codes are refused.
func qrModule(n, dots, maxModule int) (int, error) {
	for v, c := range qrByteCapacityM {
		if n > c {
			continue
		}
		modules := 17 + 4*(v+1) + 8
		m := min(maxModule, dots/modules)
		if m < 3 {
			return 0, fmt.Errorf("a QR code of %d bytes (version %d) is too large for the paper", n, v+1)
		}
		return m, nil
	}
	return 0, fmt.Errorf("%d bytes do not fit in a QR code", n)
}

// PrintLines prints a title (centred, bold, double height) and lines
// (left aligned, word-wrapped to the paper's width; an empty string is a
// blank line), then feeds and cuts: the materials checklist from the
// service guide, or any short list. It checks the status first, as Print
// does.
func (p *Printer) PrintLines(title string, lines []string) (Status, error) {
	j := p.NewJob()
	j.Init().ChineseMode(true)
	if title != "" {
		j.Align(Center).Bold(true).Size(1, 2)
		for _, l := range Wrap(title, p.cols) {
			j.Line(l)
		}
		j.Bold(false).Size(1, 1).Line(strings.Repeat("-", p.cols))
	}
	j.Align(Left)
	for _, line := range lines {
		for _, l := range Wrap(line, p.cols) {
			j.Line(l)
		}
	}
	j.Feed(2).FeedCut(FullCut, 0)
	return p.Print(j)
}
