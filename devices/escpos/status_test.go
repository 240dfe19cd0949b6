package escpos_test

import (
	"errors"
	"strings"
	"testing"

	"onestop/devices/escpos"
)

func TestStatusApply(t *testing.T) {
	tests := []struct {
		n    int
		b    byte
		want escpos.Status // without Raw
	}{
		{1, 0x12, escpos.Status{}},
		{1, 0x16, escpos.Status{DrawerPin3: true}},
		{1, 0x1A, escpos.Status{Offline: true}},
		{1, 0x32, escpos.Status{WaitingRecovery: true}},
		{1, 0x52, escpos.Status{FeedButton: true}},
		{1, 0x7E, escpos.Status{DrawerPin3: true, Offline: true, WaitingRecovery: true, FeedButton: true}},
		{2, 0x12, escpos.Status{}},
		{2, 0x16, escpos.Status{CoverOpen: true}},
		{2, 0x1A, escpos.Status{FeedingByButton: true}},
		{2, 0x32, escpos.Status{PaperEndStop: true}},
		{2, 0x52, escpos.Status{Error: true}},
		{3, 0x12, escpos.Status{}},
		{3, 0x16, escpos.Status{}}, // b2 has no meaning for n=3
		{3, 0x1A, escpos.Status{CutterError: true}},
		{3, 0x32, escpos.Status{Unrecoverable: true}},
		{3, 0x52, escpos.Status{AutoRecoverable: true}},
		{4, 0x12, escpos.Status{}},
		{4, 0x1E, escpos.Status{PaperNearEnd: true}}, // python-escpos LOWPAPER
		{4, 0x16, escpos.Status{PaperNearEnd: true}}, // a single near-end sensor
		{4, 0x1A, escpos.Status{PaperNearEnd: true}},
		{4, 0x72, escpos.Status{PaperOut: true}}, // python-escpos NOPAPER
		{4, 0x32, escpos.Status{PaperOut: true}},
		{4, 0x52, escpos.Status{PaperOut: true}},
		{4, 0x7E, escpos.Status{PaperNearEnd: true, PaperOut: true}},
	}
	for _, tt := range tests {
		var s escpos.Status
		if err := s.Apply(tt.n, tt.b); err != nil {
			t.Errorf("Apply(%d, %#02x): %v", tt.n, tt.b, err)
			continue
		}
		want := tt.want
		want.Raw[tt.n-1] = tt.b
		if s != want {
			t.Errorf("Apply(%d, %#02x) = %+v\nwant %+v", tt.n, tt.b, s, want)
		}
	}
}

func TestStatusApplyRejects(t *testing.T) {
	for _, tt := range []struct {
		n int
		b byte
	}{{1, 0x00}, {1, 0xFF}, {2, 0x13}, {3, 0x92}, {4, 0x10}, {4, 0x02}, {4, 0x60}} {
		var s escpos.Status
		err := s.Apply(tt.n, tt.b)
		if !errors.Is(err, escpos.ErrBadStatus) {
			t.Errorf("Apply(%d, %#02x) = %v, want ErrBadStatus", tt.n, tt.b, err)
		}
		if s != (escpos.Status{}) {
			t.Errorf("Apply(%d, %#02x) changed the status", tt.n, tt.b)
		}
	}
	var s escpos.Status
	if err := s.Apply(5, 0x12); err == nil {
		t.Error("DLE EOT 5 accepted")
	}
}

func TestStatusErr(t *testing.T) {
	tests := []struct {
		name string
		s    escpos.Status
		want error
		warn error
	}{
		{"ok", escpos.Status{}, nil, nil},
		{"near end", escpos.Status{PaperNearEnd: true}, nil, escpos.ErrPaperNearEnd},
		{"paper out", escpos.Status{Offline: true, PaperEndStop: true, PaperOut: true, PaperNearEnd: true}, escpos.ErrPaperOut, nil},
		{"paper end stop only", escpos.Status{PaperEndStop: true}, escpos.ErrPaperOut, nil},
		{"cover open", escpos.Status{Offline: true, CoverOpen: true}, escpos.ErrCoverOpen, nil},
		{"cover open and no paper", escpos.Status{CoverOpen: true, PaperOut: true}, escpos.ErrCoverOpen, nil},
		{"cutter", escpos.Status{Offline: true, Error: true, CutterError: true}, escpos.ErrCutter, nil},
		{"unrecoverable", escpos.Status{Error: true, Unrecoverable: true}, escpos.ErrUnrecoverable, nil},
		{"head hot", escpos.Status{Error: true, AutoRecoverable: true}, escpos.ErrHeadHot, nil},
		{"error bit alone", escpos.Status{Error: true}, escpos.ErrFault, nil},
		{"offline alone", escpos.Status{Offline: true}, escpos.ErrOffline, nil},
		{"feed button is no problem", escpos.Status{FeedButton: true, FeedingByButton: true}, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.s.Err(); err != tt.want {
				t.Errorf("Err() = %v, want %v", err, tt.want)
			}
			if w := tt.s.Warning(); w != tt.warn {
				t.Errorf("Warning() = %v, want %v", w, tt.warn)
			}
		})
	}
}

func TestProblemsHaveMessages(t *testing.T) {
	all := []*escpos.Problem{escpos.ErrCoverOpen, escpos.ErrPaperOut, escpos.ErrCutter, escpos.ErrUnrecoverable,
		escpos.ErrHeadHot, escpos.ErrFault, escpos.ErrOffline, escpos.ErrPaperNearEnd, escpos.ErrNoResponse, escpos.ErrBadStatus}
	codes := map[string]bool{}
	for _, p := range all {
		if p.Code == "" || codes[p.Code] || !strings.HasPrefix(p.Error(), "escpos: ") || p.En == "" {
			t.Errorf("%q: code or English message missing or duplicated", p.Error())
		}
		codes[p.Code] = true
		if !strings.ContainsAny(p.Zh, "打印机纸") {
			t.Errorf("%s: Chinese message %q", p.Code, p.Zh)
		}
		if p.Timeout() != (p == escpos.ErrNoResponse) {
			t.Errorf("%s: Timeout() = %v", p.Code, p.Timeout())
		}
		if p.Blocking == (p == escpos.ErrPaperNearEnd) {
			t.Errorf("%s: Blocking = %v", p.Code, p.Blocking)
		}
	}
}

func TestStatusString(t *testing.T) {
	if s := (escpos.Status{}).String(); s != "ok" {
		t.Errorf("%q", s)
	}
	if s := (escpos.Status{Offline: true, PaperOut: true}).String(); s != "offline, paper out" {
		t.Errorf("%q", s)
	}
}
