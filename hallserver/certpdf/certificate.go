package certpdf

import (
	"errors"
	"fmt"
	"strings"
	"time"
	_ "time/tzdata" // Asia/Shanghai must load on hosts without a zoneinfo database
	"unicode"
	"unicode/utf8"
)

// Errors that callers may branch on; the errors Render returns wrap them
// with the detail.
var (
	// ErrInvalid reports a Certificate that is missing something it must
	// have, or holds values that contradict each other.
	ErrInvalid = errors.New("certpdf: invalid certificate")
	// ErrMissingGlyph reports text that the font has no glyph for: it
	// would print as a gap, so it is refused.
	ErrMissingGlyph = errors.New("certpdf: font has no glyph")
	// ErrDoesNotFit reports content too long for one A4 page.
	ErrDoesNotFit = errors.New("certpdf: content does not fit on one page")
)

// Location is the time zone dates are printed in, Asia/Shanghai, whatever
// the host's zone is.
var Location = mustLoadLocation("Asia/Shanghai")

func mustLoadLocation(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		// Cannot happen with time/tzdata embedded.
		panic(fmt.Sprintf("certpdf: load time zone %s: %v", name, err))
	}
	return loc
}

// Field is one row of a certificate's table: a Chinese label and its value.
type Field struct {
	Label string // e.g. "坐落"; short, may wrap over a few lines
	Value string // may be long: it wraps; "\n" starts a new line
}

// Certificate is what Render prints. Strings are printed as given, with
// surrounding space trimmed; they must not hold control characters other
// than "\n" in a Field's Value.
type Certificate struct {
	Title   string // required, e.g. "不动产登记证明"
	TitleEn string // optional, e.g. "Certificate of Real Estate Registration"

	Holder   string // required: the holder's name (person or organisation)
	HolderID string // optional: ID number, already masked by the caller, e.g. "5201**********123X"

	Fields []Field // in printing order

	Serial     string // required: the certificate number
	Identifier string // optional: the 电子证照 identifier (GB/T 36903), e.g. "1.2.156.3005.2.…"
	Hall       string // required: the issuing hall

	IssuedAt   time.Time // required; printed as a date in Location, e.g. "2026年11月26日"
	ValidUntil time.Time // zero means no expiry: printed "长期"

	// QRText is what the QR code holds: the verification URL, in
	// upper-case ASCII so that it encodes in the QR code's compact
	// alphanumeric mode. Required.
	QRText string

	// Reprint marks every print after the first; PrintCount is which
	// print this is (1 for the first, 0 if not counted). A reprint must
	// have PrintCount of 2 or more, and a PrintCount above 1 must be a
	// reprint, so no second print leaves without its mark.
	Reprint    bool
	PrintCount int
	PrintedAt  time.Time // optional: printed small in the footer
}

// Fixed wording, Chinese then English.
const (
	labelHolder     = "持证人"
	labelHolderEn   = "Holder"
	labelHolderID   = "证件号码"
	labelHolderIDEn = "ID No."
	labelHall       = "发证机关"
	labelHallEn     = "Issued by"
	labelIssued     = "发证日期"
	labelIssuedEn   = "Date of issue"
	labelValid      = "有效期至"
	labelValidEn    = "Valid until"
	labelSerial     = "证照编号"
	labelSerialEn   = "Serial No."
	labelIdent      = "电子证照标识"
	labelIdentEn    = "e-Licence ID"
	validForever    = "长期"
	qrCaption       = "扫码验证"
	qrCaptionEn     = "Scan to verify"
	reprintMark     = "补打 REPRINT"
	printedLabel    = "打印时间"
	separator       = " · "
	dateRunes       = "0123456789年月日:第次打印/print "
)

// fixedText is all the wording above, so NewRenderer can check the font
// has it.
var fixedText = strings.Join([]string{
	labelHolder, labelHolderEn, labelHolderID, labelHolderIDEn, labelHall,
	labelHallEn, labelIssued, labelIssuedEn, labelValid, labelValidEn,
	labelSerial, labelSerialEn, labelIdent, labelIdentEn, validForever,
	qrCaption, qrCaptionEn, reprintMark, printedLabel, separator, dateRunes,
}, "")

// chineseDate formats t's date in Location as "2026年11月26日".
func chineseDate(t time.Time) string {
	t = t.In(Location)
	return fmt.Sprintf("%d年%d月%d日", t.Year(), int(t.Month()), t.Day())
}

// printMark is the footer's count of prints: "第 2 次打印 / print 2".
func printMark(n int) string {
	return fmt.Sprintf("第 %d 次打印 / print %d", n, n)
}

// row is one label/value pair as laid out: a table row or an entry of the
// block beside the QR code.
type row struct {
	label, labelEn, value string
	big                   bool // the holder's name, printed larger
}

// content is every string a certificate prints, cleaned and checked.
type content struct {
	title, titleEn string
	rows           []row // the table
	info           []row // beside the QR code
	footer         string
	reprint        string // the footer's reprint mark; "" for a first print
	qr             string
}

// strings lists every string drawn, so the font subset can hold them all.
func (c *content) strings() []string {
	s := []string{c.title, c.titleEn, c.footer, c.reprint, qrCaption, qrCaptionEn, reprintMark}
	for _, rs := range [][]row{c.rows, c.info} {
		for _, r := range rs {
			s = append(s, r.label, r.labelEn, r.value)
		}
	}
	return s
}

// prepare validates c and turns it into the strings to print.
func prepare(c Certificate) (*content, error) {
	var errs []string
	clean := func(what, s string, required, multiline bool) string {
		s = strings.TrimSpace(strings.ReplaceAll(s, "\r\n", "\n"))
		if s == "" && required {
			errs = append(errs, fmt.Sprintf("%s is empty", what))
			return s
		}
		if !utf8.ValidString(s) {
			errs = append(errs, fmt.Sprintf("%s is not valid UTF-8", what))
			return s
		}
		for _, r := range s {
			if r == '\n' && multiline {
				continue
			}
			if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
				errs = append(errs, fmt.Sprintf("%s holds control character %U", what, r))
				break
			}
		}
		return s
	}
	out := &content{
		title:   clean("Title", c.Title, true, false),
		titleEn: clean("TitleEn", c.TitleEn, false, false),
		qr:      strings.TrimSpace(c.QRText),
	}
	out.rows = append(out.rows, row{labelHolder, labelHolderEn, clean("Holder", c.Holder, true, false), true})
	if id := clean("HolderID", c.HolderID, false, false); id != "" {
		out.rows = append(out.rows, row{labelHolderID, labelHolderIDEn, id, false})
	}
	for i, f := range c.Fields {
		what := fmt.Sprintf("Fields[%d]", i)
		out.rows = append(out.rows, row{
			label: clean(what+".Label", f.Label, true, false),
			value: clean(what+".Value", f.Value, false, true),
		})
	}
	if out.qr == "" {
		errs = append(errs, "QRText is empty")
	}
	if c.IssuedAt.IsZero() {
		errs = append(errs, "IssuedAt is zero")
	}
	valid := validForever
	if !c.ValidUntil.IsZero() {
		valid = chineseDate(c.ValidUntil)
		if !c.IssuedAt.IsZero() && c.ValidUntil.Before(c.IssuedAt) {
			errs = append(errs, "ValidUntil is before IssuedAt")
		}
	}
	out.info = []row{
		{labelHall, labelHallEn, clean("Hall", c.Hall, true, false), false},
		{labelIssued, labelIssuedEn, chineseDate(c.IssuedAt), false},
		{labelValid, labelValidEn, valid, false},
		{labelSerial, labelSerialEn, clean("Serial", c.Serial, true, false), false},
	}
	if id := clean("Identifier", c.Identifier, false, false); id != "" {
		out.info = append(out.info, row{labelIdent, labelIdentEn, id, false})
	}
	switch {
	case c.PrintCount < 0:
		errs = append(errs, fmt.Sprintf("PrintCount is %d", c.PrintCount))
	case c.Reprint && c.PrintCount < 2:
		errs = append(errs, fmt.Sprintf("a reprint needs PrintCount 2 or more, not %d", c.PrintCount))
	case !c.Reprint && c.PrintCount > 1:
		errs = append(errs, fmt.Sprintf("print %d is not marked Reprint", c.PrintCount))
	}
	if c.Reprint {
		out.reprint = reprintMark + separator + printMark(c.PrintCount)
	}
	if !c.PrintedAt.IsZero() {
		out.footer = printedLabel + " " + chineseDate(c.PrintedAt) + " " + c.PrintedAt.In(Location).Format("15:04")
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("%w: %s", ErrInvalid, strings.Join(errs, "; "))
	}
	return out, nil
}
