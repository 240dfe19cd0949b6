package idcard

import (
	"strings"
	"unicode"
)

// MaskIDNumber hides the middle of an ID or card number for screens,
// receipts and logs, keeping its first and last four characters and its
// length: "52010219900101123X" → "5201**********123X". Numbers of fewer
// than 10 characters keep only their first and last character, and of
// fewer than 3 none.
func MaskIDNumber(s string) string {
	r := []rune(s)
	keep := 4
	switch {
	case len(r) < 3:
		keep = 0
	case len(r) < 10:
		keep = 1
	}
	for i := keep; i < len(r)-keep; i++ {
		r[i] = '*'
	}
	if keep == 0 {
		for i := range r {
			r[i] = '*'
		}
	}
	return string(r)
}

// compoundSurnames are the two-character family names (复姓) that
// MaskName keeps whole.
var compoundSurnames = map[string]bool{
	"欧阳": true, "司马": true, "上官": true, "诸葛": true, "东方": true,
	"皇甫": true, "尉迟": true, "公孙": true, "慕容": true, "长孙": true,
	"宇文": true, "司徒": true, "夏侯": true, "轩辕": true, "令狐": true,
	"端木": true, "独孤": true, "南宫": true, "西门": true, "百里": true,
	"呼延": true, "万俟": true, "澹台": true, "申屠": true, "太史": true,
	"闻人": true, "公冶": true, "赫连": true, "钟离": true, "宗政": true,
	"濮阳": true, "淳于": true, "单于": true, "太叔": true, "仲孙": true,
	"东郭": true, "拓跋": true, "司空": true, "第五": true, "羊舌": true,
}

// MaskName hides a name for screens and logs while keeping it
// recognisable to its owner:
//
//   - a Chinese name keeps its family name (a compound one such as 欧阳
//     whole) and, from a given name of two or more characters, the last
//     character: "张三丰" → "张*丰", "王五" → "王*", "欧阳娜娜" → "欧阳*娜";
//   - a name in parts joined by a middle dot (names of Uyghur and other
//     nations, or transliterated foreign names) keeps the first character
//     of each part: "买买提·艾力" → "买**·艾*";
//   - a Latin name keeps the initial of each word, separators intact:
//     "SMITH, JOHN" → "S****, J***".
func MaskName(name string) string {
	name = strings.TrimSpace(name)
	r := []rune(name)
	if len(r) == 0 {
		return ""
	}
	if strings.ContainsAny(name, "·•・.") || !isHan(r) {
		return maskWords(r)
	}
	family := 1
	if len(r) >= 3 && compoundSurnames[string(r[:2])] {
		family = 2
	}
	out := append([]rune{}, r[:family]...)
	given := r[family:]
	switch len(given) {
	case 0:
	case 1:
		out = append(out, '*')
	default:
		for range given[:len(given)-1] {
			out = append(out, '*')
		}
		out = append(out, given[len(given)-1])
	}
	return string(out)
}

// isHan reports whether every rune is a Han character.
func isHan(r []rune) bool {
	for _, c := range r {
		if !unicode.Is(unicode.Han, c) {
			return false
		}
	}
	return true
}

// maskWords keeps the first letter of each run of letters or digits.
func maskWords(r []rune) string {
	out := make([]rune, len(r))
	first := true
	for i, c := range r {
		switch {
		case !unicode.IsLetter(c) && !unicode.IsDigit(c):
			out[i] = c
			first = true
		case first:
			out[i] = c
			first = false
		default:
			out[i] = '*'
		}
	}
	return string(out)
}
