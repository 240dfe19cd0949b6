package idcard_test

import (
	"testing"

	"onestop/devices/idcard"
)

func TestMaskIDNumber(t *testing.T) {
	tests := []struct{ in, want string }{
		{"52010219900101123X", "5201**********123X"},
		{"11010519491231002X", "1101**********002X"},
		{"GBR520076090112", "GBR5*******0112"},
		{"H60218734", "H*******4"},
		{"ABC", "A*C"},
		{"AB", "**"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := idcard.MaskIDNumber(tt.in); got != tt.want {
			t.Errorf("MaskIDNumber(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestMaskName(t *testing.T) {
	tests := []struct{ in, want string }{
		{"张三丰", "张*丰"},
		{"王五", "王*"},
		{"王", "王"},
		{"杨秀英", "杨*英"},
		{"欧阳娜娜", "欧阳*娜"},
		{"欧阳锋", "欧阳*"},
		{"司马相如", "司马*如"},
		{"买买提·艾力", "买**·*力"},
		{"阿·木", "阿·*"},    // one-character parts are not shown
		{"张\ue000", "张*"}, // a rare character stored in the private-use area
		{"王 小明", "王 *明"},  // a stray space
		{"A B", "A *"},    // a one-letter Latin word after the first
		{"HARRISON, THOMAS EDWARD", "H*******, T***** E*****"},
		{"MUELLER-SCHMIDT, ANNA", "M******-S******, A***"},
		{"  王晓红 ", "王*红"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := idcard.MaskName(tt.in); got != tt.want {
			t.Errorf("MaskName(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
