package escpos_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"onestop/devices/escpos"
)

// hexBytes parses "1B 40 0A" into bytes.
func hexBytes(t *testing.T, s string) []byte {
	t.Helper()
	var b []byte
	for _, f := range strings.Fields(s) {
		var v byte
		for _, c := range f {
			v <<= 4
			switch {
			case c >= '0' && c <= '9':
				v |= byte(c - '0')
			case c >= 'A' && c <= 'F':
				v |= byte(c - 'A' + 10)
			default:
				t.Fatalf("bad hex %q", f)
			}
		}
		b = append(b, v)
	}
	return b
}

func TestJobBytes(t *testing.T) {
	long := strings.Repeat("x", 300) // 300+3 = 0x012F: pL 2F, pH 01
	tests := []struct {
		name  string
		build func(j *escpos.Job)
		want  string // hex
		tail  []byte // appended to want (QR data)
	}{
		{"init", func(j *escpos.Job) { j.Init() }, "1B 40", nil},
		{"chinese on", func(j *escpos.Job) { j.ChineseMode(true) }, "1C 26", nil},
		{"chinese off", func(j *escpos.Job) { j.ChineseMode(false) }, "1C 2E", nil},
		{"align left", func(j *escpos.Job) { j.Align(escpos.Left) }, "1B 61 00", nil},
		{"align center", func(j *escpos.Job) { j.Align(escpos.Center) }, "1B 61 01", nil},
		{"align right", func(j *escpos.Job) { j.Align(escpos.Right) }, "1B 61 02", nil},
		{"align after a line", func(j *escpos.Job) { j.Line("a").Align(escpos.Center) }, "61 0A 1B 61 01", nil},
		{"bold on", func(j *escpos.Job) { j.Bold(true) }, "1B 45 01", nil},
		{"bold off", func(j *escpos.Job) { j.Bold(false) }, "1B 45 00", nil},
		{"size normal", func(j *escpos.Job) { j.Size(1, 1) }, "1D 21 00", nil},
		{"size double", func(j *escpos.Job) { j.Size(2, 2) }, "1D 21 11", nil},
		{"size tall", func(j *escpos.Job) { j.Size(1, 2) }, "1D 21 01", nil},
		{"size wide", func(j *escpos.Job) { j.Size(2, 1) }, "1D 21 10", nil},
		{"size 3x5", func(j *escpos.Job) { j.Size(3, 5) }, "1D 21 24", nil},
		{"size max", func(j *escpos.Job) { j.Size(8, 8) }, "1D 21 77", nil},
		{"ascii", func(j *escpos.Job) { j.Text("A001") }, "41 30 30 31", nil},
		{"中文", func(j *escpos.Job) { j.Text("中文") }, "D6 D0 CE C4", nil},
		{"排队", func(j *escpos.Job) { j.Text("排队") }, "C5 C5 B6 D3", nil},
		{"政务服务中心", func(j *escpos.Job) { j.Text("政务服务中心") }, "D5 FE CE F1 B7 FE CE F1 D6 D0 D0 C4", nil},
		{"mixed", func(j *escpos.Job) { j.Text("A号，€·") }, "41 BA C5 A3 AC A2 E3 A1 A4", nil},
		{"four-byte GB18030", func(j *escpos.Job) { j.Text("㐀") }, "81 39 EE 39", nil},
		{"newline in text", func(j *escpos.Job) { j.Text("a\nb") }, "61 0A 62", nil},
		{"LF", func(j *escpos.Job) { j.LF() }, "0A", nil},
		{"line", func(j *escpos.Job) { j.Line("号") }, "BA C5 0A", nil},
		{"feed 3", func(j *escpos.Job) { j.Feed(3) }, "1B 64 03", nil},
		{"feed 255", func(j *escpos.Job) { j.Feed(255) }, "1B 64 FF", nil},
		{"full cut", func(j *escpos.Job) { j.Cut(escpos.FullCut) }, "1D 56 00", nil},
		{"partial cut", func(j *escpos.Job) { j.Cut(escpos.PartialCut) }, "1D 56 01", nil},
		{"feed and full cut", func(j *escpos.Job) { j.FeedCut(escpos.FullCut, 16) }, "1D 56 41 10", nil},
		{"feed and partial cut", func(j *escpos.Job) { j.FeedCut(escpos.PartialCut, 0) }, "1D 56 42 00", nil},
		{"raw", func(j *escpos.Job) { j.Raw([]byte{0x1B, 0x4D, 0x01}) }, "1B 4D 01", nil},
		{"QR short", func(j *escpos.Job) { j.QR([]byte("https://a.cn/q"), 6, escpos.QRLevelM) },
			"1D 28 6B 04 00 31 41 32 00 " + // model 2
				"1D 28 6B 03 00 31 43 06 " + // module 6
				"1D 28 6B 03 00 31 45 31 " + // level M
				"1D 28 6B 11 00 31 50 30 " + // store 14+3 bytes
				"68 74 74 70 73 3A 2F 2F 61 2E 63 6E 2F 71 " +
				"1D 28 6B 03 00 31 51 30", nil}, // print
		{"QR long", func(j *escpos.Job) { j.QR([]byte(long), 3, escpos.QRLevelL) },
			"1D 28 6B 04 00 31 41 32 00 1D 28 6B 03 00 31 43 03 1D 28 6B 03 00 31 45 30 " +
				"1D 28 6B 2F 01 31 50 30", []byte(long + "\x1D\x28\x6B\x03\x00\x31\x51\x30")},
		{"QR level H", func(j *escpos.Job) { j.QR([]byte("1"), 16, escpos.QRLevelH) },
			"1D 28 6B 04 00 31 41 32 00 1D 28 6B 03 00 31 43 10 1D 28 6B 03 00 31 45 33 " +
				"1D 28 6B 04 00 31 50 30 31 1D 28 6B 03 00 31 51 30", nil},
		{"QR level Q", func(j *escpos.Job) { j.QR([]byte("1"), 1, escpos.QRLevelQ) },
			"1D 28 6B 04 00 31 41 32 00 1D 28 6B 03 00 31 43 01 1D 28 6B 03 00 31 45 32 " +
				"1D 28 6B 04 00 31 50 30 31 1D 28 6B 03 00 31 51 30", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var j escpos.Job
			tt.build(&j)
			if err := j.Err(); err != nil {
				t.Fatal(err)
			}
			want := append(hexBytes(t, tt.want), tt.tail...)
			if !bytes.Equal(j.Bytes(), want) {
				t.Fatalf("got\n  % X\nwant\n  % X", j.Bytes(), want)
			}
		})
	}
}

func TestJobErrors(t *testing.T) {
	tests := []struct {
		name  string
		build func(j *escpos.Job)
		want  string // in the error
		is    error  // errors.Is, if not nil
	}{
		{"size 0", func(j *escpos.Job) { j.Size(0, 1) }, "1–8", nil},
		{"size 9", func(j *escpos.Job) { j.Size(1, 9) }, "1–8", nil},
		{"feed 256", func(j *escpos.Job) { j.Feed(256) }, "0–255", nil},
		{"feed -1", func(j *escpos.Job) { j.Feed(-1) }, "0–255", nil},
		{"align 3", func(j *escpos.Job) { j.Align(3) }, "alignment 3", nil},
		{"align mid-line", func(j *escpos.Job) { j.Text("a").Align(escpos.Center) }, "start of a line", escpos.ErrAlignMidLine},
		{"QR mid-line", func(j *escpos.Job) { j.Text("a").QR([]byte("x"), 3, escpos.QRLevelM) }, "start of a line", escpos.ErrAlignMidLine},
		{"QR module 0", func(j *escpos.Job) { j.QR([]byte("x"), 0, escpos.QRLevelM) }, "module size 0", nil},
		{"QR module 17", func(j *escpos.Job) { j.QR([]byte("x"), 17, escpos.QRLevelM) }, "module size 17", nil},
		{"QR level", func(j *escpos.Job) { j.QR([]byte("x"), 3, 0x34) }, "error correction", nil},
		{"QR empty", func(j *escpos.Job) { j.QR(nil, 3, escpos.QRLevelM) }, "no data", nil},
		{"QR too long for H", func(j *escpos.Job) { j.QR(make([]byte, 1274), 3, escpos.QRLevelH) }, "at most 1273", nil},
		{"cut mode", func(j *escpos.Job) { j.Cut(2) }, "cut mode", nil},
		{"ESC in text", func(j *escpos.Job) { j.Text("a\x1b@") }, "control character", escpos.ErrUnprintable},
		{"tab in text", func(j *escpos.Job) { j.Text("a\tb") }, "U+0009", escpos.ErrUnprintable},
		{"emoji", func(j *escpos.Job) { j.Text("排队😀") }, "U+1F600 at byte 6", escpos.ErrUnprintable},
		{"CJK extension B", func(j *escpos.Job) { j.Text("𠀀") }, "Basic Multilingual Plane", escpos.ErrUnprintable},
		{"private use", func(j *escpos.Job) { j.Text("\ue000") }, "private use", escpos.ErrUnprintable},
		{"invalid UTF-8", func(j *escpos.Job) { j.Text("a\xffb") }, "invalid UTF-8", escpos.ErrUnprintable},
		{"C1 control", func(j *escpos.Job) { j.Text("\u0085") }, "control", escpos.ErrUnprintable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var j escpos.Job
			tt.build(&j)
			err := j.Err()
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), "escpos: ") {
				t.Fatalf("err = %v, want one containing %q", err, tt.want)
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Fatalf("err = %v, not %v", err, tt.is)
			}
			// The error sticks: later calls change nothing.
			before := len(j.Bytes())
			j.Init().Line("x").Cut(escpos.FullCut)
			if len(j.Bytes()) != before || j.Err() != err {
				t.Fatalf("calls after the error changed the job")
			}
		})
	}
}

func TestJobUnprintableErrorDetails(t *testing.T) {
	var j escpos.Job
	j.Text("取号😀")
	var ue *escpos.UnprintableError
	if !errors.As(j.Err(), &ue) || ue.Rune != '😀' || ue.Offset != 6 || ue.Text != "取号😀" {
		t.Fatalf("%#v", j.Err())
	}
}

func TestJobReplacement(t *testing.T) {
	j := escpos.Job{Replacement: '?'}
	j.Text("号😀\x1b\xff!")
	if err := j.Err(); err != nil {
		t.Fatal(err)
	}
	if want := []byte{0xBA, 0xC5, '?', '?', '?', '!'}; !bytes.Equal(j.Bytes(), want) {
		t.Fatalf("% X, want % X", j.Bytes(), want)
	}
}
