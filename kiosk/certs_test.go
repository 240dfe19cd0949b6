package kiosk

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"onestop/devices/a4"
	"onestop/devices/devicetest"
	"onestop/hallserver/cert"
	"onestop/hallserver/client"
	"onestop/hallserver/store"
)

// gatePrinter holds every print until the test releases it, so that the
// printing screen stays up to be looked at.
type gatePrinter struct {
	a4.Printer
	release chan struct{}
}

func (g *gatePrinter) Print(ctx context.Context, pdf []byte, title string) (a4.Job, error) {
	select {
	case <-g.release:
	case <-ctx.Done():
		return a4.Job{}, ctx.Err()
	}
	return g.Printer.Print(ctx, pdf, title)
}

// jammedPrinter says it is ready, then fails every print: the failure
// comes after the hall server has recorded the copy.
type jammedPrinter struct{}

func (jammedPrinter) Status(context.Context) (a4.Status, error) {
	return a4.Status{State: a4.Idle}, nil
}

func (jammedPrinter) Print(context.Context, []byte, string) (a4.Job, error) {
	return a4.Job{}, errors.New("a4: paper jam in tray 2")
}

// setPages swaps the kiosk's A4 printer.
func (r *rig) setPages(p a4.Printer) { r.k.Sync(func() { r.k.dev.Pages = p }) }

// pdfs lists the PDF files the folder printer wrote, each checked to be
// a PDF.
func (r *rig) pdfs() []string {
	r.t.Helper()
	files, err := filepath.Glob(filepath.Join(r.a4dir, "*.pdf"))
	if err != nil {
		r.t.Fatal(err)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil || !bytes.HasPrefix(b, []byte("%PDF-")) {
			r.t.Errorf("%s is not a PDF (%v)", f, err)
		}
	}
	return files
}

// prints is how many copies of the application's certificate the hall
// server recorded.
func prints(t *testing.T, staff *client.Client, serial string) int {
	t.Helper()
	c, err := staff.Certificate(context.Background(), serial)
	if err != nil {
		t.Fatal(err)
	}
	return c.Prints
}

// printButtons are the certificate print buttons on screen, and how many
// are enabled.
func (r *rig) printButtons() (all, enabled int) {
	r.k.Sync(func() {
		walk(r.k.Window().Content(), func(o fyne.CanvasObject) {
			if b, ok := o.(*widget.Button); ok && (b.Text == "打印" || b.Text == "打印副本") {
				all++
				if !b.Disabled() {
					enabled++
				}
			}
		})
	})
	return all, enabled
}

// openCerts goes from home to the certificate screen.
func (r *rig) openCerts() {
	r.t.Helper()
	r.tap("证照打印")
	r.waitScreen("certs")
}

// TestCertsPrint: the ID card asked for, the holder's certificate listed,
// printed into the A4 folder with progress on screen; the second print is
// a copy and says so; the hall server counted both; taking the card away
// wipes the list.
func TestCertsPrint(t *testing.T) {
	r := newRig(t, rigOptions{start: lookupStart})
	staff := r.staff()
	app := accept(t, staff, devicetest.IDCardSampleHan, "review", "decide", "make")
	serial := app.Certificates[0].Serial
	r.openCerts()
	r.waitText("请把身份证放在读卡区")
	r.placeCard(devicetest.IDCardSampleHan)
	r.waitText("王*红的证照（共 1 份）")
	for _, want := range []string{"不动产登记证明", "证明权利或事项：预告登记", "发证日期：2026年11月26日", "有效期：长期有效"} {
		if !r.shows(want) {
			t.Errorf("the list lacks %q", want)
		}
	}
	r.golden("certs_list_zh")
	r.tap("大字模式")
	r.waitFor("elderly mode", func() bool { return r.k.Elderly() })
	r.waitText("王*红的证照（共 1 份）")
	r.golden("certs_list_elderly")
	r.tap("标准模式")

	folder := r.k.dev.Pages
	gate := &gatePrinter{Printer: folder, release: make(chan struct{})}
	r.setPages(gate)
	r.tap("打印")
	r.waitScreen("certs_printing")
	r.waitText("正在送往打印机")
	r.golden("certs_printing_zh")
	close(gate.release)
	r.waitScreen("certs_done")
	r.waitText("请从下方的打印机出纸口取走您的证照")
	if r.shows("副本") {
		t.Error("the first print is called a copy")
	}
	r.golden("certs_done_zh")
	if n := len(r.pdfs()); n != 1 {
		t.Errorf("%d PDFs in the A4 folder after one print", n)
	}

	r.tap("打印其他证照")
	r.waitText("已打印过 1 次")
	r.tap("打印副本")
	r.waitScreen("certs_done")
	r.waitText("这是第 2 份，是副本")
	if n := len(r.pdfs()); n != 2 {
		t.Errorf("%d PDFs in the A4 folder after two prints", n)
	}
	if n := prints(t, staff, serial); n != 2 {
		t.Errorf("the hall server recorded %d prints, want 2", n)
	}

	r.card.RemoveCard()
	r.waitScreen("home")
	r.noneShown("王", "不动产登记证明", "预告登记", "副本")
}

// TestCertsPrinterProblems: a printer that cannot print is found before
// the hall server records anything; a print that fails afterwards says
// that the next one is a copy; no printer at all disables printing; in
// every case the person is told to call staff.
func TestCertsPrinterProblems(t *testing.T) {
	cases := []struct {
		name     string
		config   func(*Config)
		printer  a4.Printer // replaces the configured one when set
		want     []string   // on the failed screen
		recorded int        // prints the hall server counts
	}{
		{name: "folder missing", config: func(c *Config) { c.Devices.A4Folder = "/nonexistent/onestop-a4" },
			want: []string{"打印机暂时不能使用，证照没有打印。", "/nonexistent/onestop-a4"}, recorded: 0},
		{name: "jam after the record", printer: jammedPrinter{},
			want: []string{"证照没有打印出来。", "paper jam"}, recorded: 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := newRig(t, rigOptions{start: lookupStart, config: c.config})
			staff := r.staff()
			app := accept(t, staff, devicetest.IDCardSampleHan, "review", "decide", "make")
			if c.printer != nil {
				r.setPages(c.printer)
			}
			r.placeCard(devicetest.IDCardSampleHan)
			r.openCerts()
			r.waitText("王*红的证照（共 1 份）")
			r.tap("打印")
			r.waitScreen("certs_failed")
			for _, want := range c.want {
				found := r.shows(want)
				for _, s := range r.texts() {
					found = found || strings.Contains(strings.ReplaceAll(s, "\n", ""), want)
				}
				if !found {
					t.Errorf("the failure lacks %q; it shows %q", want, r.texts())
				}
			}
			if c.name == "folder missing" {
				r.golden("certs_failed_zh")
			}
			if found, _ := r.hasButton("呼叫工作人员"); !found {
				t.Error("no call-staff button on the failure")
			}
			if n := prints(t, staff, app.Certificates[0].Serial); n != c.recorded {
				t.Errorf("the hall server recorded %d prints, want %d", n, c.recorded)
			}
			if len(r.pdfs()) != 0 {
				t.Error("a PDF was written although the print failed")
			}
			if c.name == "jam after the record" {
				// Staff cleared the jam: trying again prints, as a copy.
				r.setPages(a4.Folder{Dir: r.a4dir})
				r.tap("再试一次")
				r.waitScreen("certs_done")
				r.waitText("这是第 2 份，是副本")
			}
		})
	}

	t.Run("no printer", func(t *testing.T) {
		r := newRig(t, rigOptions{start: lookupStart, config: func(c *Config) { c.Devices.A4Folder = "" }})
		accept(t, r.staff(), devicetest.IDCardSampleHan, "review", "decide", "make")
		r.placeCard(devicetest.IDCardSampleHan)
		r.openCerts()
		r.waitText("王*红的证照（共 1 份）")
		r.waitText("这台机器没有连接 A4 打印机")
		if all, enabled := r.printButtons(); all != 1 || enabled != 0 {
			t.Errorf("%d print buttons, %d enabled; want 1, disabled", all, enabled)
		}
	})
}

// TestCertsRevoked: a revoked certificate is listed as revoked, with the
// reason, and cannot be printed; the other one can. The lookup says it
// too.
func TestCertsRevoked(t *testing.T) {
	r := newRig(t, rigOptions{start: lookupStart})
	staff := r.staff()
	kept := accept(t, staff, devicetest.IDCardSampleHan, "review", "decide", "make")
	gone := accept(t, staff, devicetest.IDCardSampleHan, "review", "decide", "make")
	serial, err := cert.ParseSerial(gone.Certificates[0].Serial)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.hall.Store.RevokeCertificate(context.Background(), store.System, serial, "登记信息有误"); err != nil {
		t.Fatal(err)
	}
	r.placeCard(devicetest.IDCardSampleHan)
	r.openCerts()
	r.waitText("王*红的证照（共 2 份）")
	for _, want := range []string{"已注销，不能打印", "注销原因：登记信息有误"} {
		if !r.shows(want) {
			t.Errorf("the list lacks %q", want)
		}
	}
	if all, enabled := r.printButtons(); all != 1 || enabled != 1 {
		t.Errorf("%d print buttons (%d enabled); want 1: the revoked certificate has none", all, enabled)
	}

	r.tap("首页")
	r.waitScreen("home")
	r.card.RemoveCard()
	r.placeCard(devicetest.IDCardSampleHan)
	r.tap("办件查询") // the card's applications at once
	r.waitScreen("lookup_list")
	r.tapIn(gone.Number, "")
	r.waitText("不动产登记证明（已注销）")
	if found, _ := r.hasButton("打印证照"); found {
		t.Error("the lookup offers to print a revoked certificate")
	}
	r.tap("返回")
	r.tapIn(kept.Number, "")
	r.waitText("不动产登记证明（2026年11月26日 发证）")
}
