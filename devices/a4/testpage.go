package a4

import (
	"bytes"
	"fmt"
	"image/png"
	"time"

	"github.com/boombuler/barcode"
	"github.com/boombuler/barcode/qr"
	"github.com/go-pdf/fpdf"

	"onestop/assets"
)

// TestPage makes the A4 test page a technician prints to check a printer
// (devicectl a4 test, the kiosk's technician screen): Chinese and Latin
// text, digits, a QR code, alignment marks at the margins, and when
// (now, in its location: pass the hall's) and where it was printed: the
// host and the printer (target).
func TestPage(host, target string, now time.Time) ([]byte, error) {
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.SetTitle("OneStop 打印测试页 / test page", true)
	pdf.SetCreator("OneStop", true)
	pdf.AddUTF8FontFromBytes("wqy", "", assets.Font())
	pdf.SetFont("wqy", "", 12)
	if err := pdf.Error(); err != nil {
		return nil, fmt.Errorf("a4: test page font: %w", err)
	}
	pdf.AddPage()
	w, h := pdf.GetPageSize()
	// Corner marks 10 mm in: a printer that crops or shifts shows it here.
	pdf.SetLineWidth(0.4)
	for _, c := range [][2]float64{{10, 10}, {w - 10, 10}, {10, h - 10}, {w - 10, h - 10}} {
		pdf.Line(c[0]-5, c[1], c[0]+5, c[1])
		pdf.Line(c[0], c[1]-5, c[0], c[1]+5)
	}
	pdf.SetFont("wqy", "", 24)
	pdf.SetXY(20, 30)
	pdf.CellFormat(w-40, 14, "政务服务中心 打印测试页", "", 1, "C", false, 0, "")
	pdf.SetFont("wqy", "", 14)
	pdf.SetX(20)
	pdf.CellFormat(w-40, 8, "OneStop printer test page", "", 1, "C", false, 0, "")
	pdf.Ln(10)
	pdf.SetFont("wqy", "", 12)
	lines := []string{
		"时间 / Time: " + now.Format("2006-01-02 15:04:05 (MST)"),
		"打印机 / Printer: " + target,
		"主机 / Host: " + host,
		"中文：请 A001 号到 3 号窗口办理。身份证号 11010519491231002X。",
		"Latin: The quick brown fox jumps over the lazy dog. 0123456789",
		"若以上文字和下方二维码清晰完整，打印机工作正常。",
		"If the text above and the QR code below are sharp and complete, the printer works.",
	}
	for _, l := range lines {
		pdf.SetX(25)
		pdf.MultiCell(w-50, 7, l, "", "L", false)
	}
	code, err := qr.Encode("ONESTOP-TEST-PAGE "+now.UTC().Format(time.RFC3339), qr.M, qr.Auto)
	if err != nil {
		return nil, fmt.Errorf("a4: test page QR: %w", err)
	}
	if code, err = barcode.Scale(code, 300, 300); err != nil {
		return nil, fmt.Errorf("a4: test page QR: %w", err)
	}
	var img bytes.Buffer
	if err := png.Encode(&img, code); err != nil {
		return nil, fmt.Errorf("a4: test page QR: %w", err)
	}
	pdf.RegisterImageOptionsReader("qr", fpdf.ImageOptions{ImageType: "PNG"}, &img)
	pdf.ImageOptions("qr", w/2-25, 150, 50, 50, false, fpdf.ImageOptions{ImageType: "PNG"}, 0, "")
	var out bytes.Buffer
	if err := pdf.Output(&out); err != nil {
		return nil, fmt.Errorf("a4: test page: %w", err)
	}
	return out.Bytes(), nil
}
