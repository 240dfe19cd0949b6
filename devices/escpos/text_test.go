package escpos_test

import (
	"reflect"
	"testing"

	"onestop/devices/escpos"
)

func TestTextWidth(t *testing.T) {
	for s, want := range map[string]int{
		"":           0,
		"A001":       4,
		"排队":         4,
		"前面还有 7 人":   13,
		"（）":         4, // full-width punctuation
		"·€é":        6, // multi-byte in GB18030: printed from the 24-dot font
		"Scan to 扫码": 12,
	} {
		if got := escpos.TextWidth(s); got != want {
			t.Errorf("TextWidth(%q) = %d, want %d", s, got, want)
		}
	}
}

func TestWrap(t *testing.T) {
	tests := []struct {
		s    string
		cols int
		want []string
	}{
		{"", 10, []string{""}},
		{"short", 10, []string{"short"}},
		{"exactly ten", 11, []string{"exactly ten"}},
		{"the quick brown fox", 10, []string{"the quick", "brown fox"}},
		{"  leading and  double  spaces", 12, []string{"leading and", "double", "spaces"}},
		{"supercalifragilistic", 8, []string{"supercal", "ifragili", "stic"}},
		{"a supercalifragilistic b", 8, []string{"a", "supercal", "ifragili", "stic b"}},
		{"居民身份证原件及复印件", 10, []string{"居民身份证", "原件及复印", "件"}},
		{"居民身份证原件", 9, []string{"居民身份", "证原件"}}, // an odd width leaves a column free
		{"请携带ID card原件", 10, []string{"请携带ID", "card原件"}},
		{"请携带 ID card 原件", 10, []string{"请携带 ID", "card 原件"}},
		{"一\n二三\n\n四", 10, []string{"一", "二三", "", "四"}},
		{"一二三四五，六", 10, []string{"一二三四", "五，六"}},           // no line starts with "，"
		{"一二三四五。」六", 10, []string{"一二三四", "五。」六"}},         // nor with "」"
		{"一二三四五 ，六", 10, []string{"一二三四五", "，六"}},          // after a space: nothing to carry
		{"ABCDEFGHIJ，六", 10, []string{"ABCDEFGHIJ", "，六"}}, // nor after Latin
		{"一，二三四五六", 10, []string{"一，二三四", "五六"}},
	}
	for _, tt := range tests {
		got := escpos.Wrap(tt.s, tt.cols)
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Wrap(%q, %d) = %q, want %q", tt.s, tt.cols, got, tt.want)
		}
		for _, l := range got {
			if escpos.TextWidth(l) > tt.cols {
				t.Errorf("Wrap(%q, %d): %q is too wide", tt.s, tt.cols, l)
			}
		}
	}
}
