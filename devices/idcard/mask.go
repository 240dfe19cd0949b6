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
	r := []rune(strings.TrimSpace(name))
	if len(r) == 0 {
		return ""
	}
	for _, c := range r {
		if c < unicode.MaxASCII && unicode.IsLetter(c) {
			return maskWords(r)
		}
	}
	// A Chinese name, however written: Han characters, rare characters
	// stored in the private-use area (生僻字), a minority name with "·",
	// stray spaces. Separators stay; the family name stays; the last
	// character of a given name of two or more stays; the rest is starred.
	var idx []int
	for i, c := range r {
		if !isSeparator(c) {
			idx = append(idx, i)
		}
	}
	family := 1
	if len(idx) >= 3 && compoundSurnames[string([]rune{r[idx[0]], r[idx[1]]})] {
		family = 2
	}
	out := append([]rune{}, r...)
	for k, i := range idx {
		keepLast := k == len(idx)-1 && len(idx)-family >= 2
		if k >= family && !keepLast {
			out[i] = '*'
		}
	}
	return string(out)
}

func isSeparator(c rune) bool { return unicode.IsSpace(c) || strings.ContainsRune("·•・.", c) }

// maskWords keeps the first letter of each word of two or more letters
// or digits (a one-letter word after the first is starred whole: it
// would be shown in full otherwise); anything else that is not a
// separator is starred.
func maskWords(r []rune) string {
	out := make([]rune, len(r))
	word := func(c rune) bool { return unicode.IsLetter(c) || unicode.IsDigit(c) || unicode.Is(unicode.Co, c) }
	firstWord := true
	for i := 0; i < len(r); {
		if !word(r[i]) {
			out[i] = r[i]
			i++
			continue
		}
		j := i
		for j < len(r) && word(r[j]) {
			j++
		}
		for k := i; k < j; k++ {
			out[k] = '*'
		}
		if firstWord || j-i > 1 {
			out[i] = r[i]
		}
		firstWord = false
		i = j
	}
	return string(out)
}
