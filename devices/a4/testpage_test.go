package a4

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// TestTestPageRenders makes the test page and, where poppler-utils is
// installed, turns it into a PNG that a person (or the test) can look at.
func TestTestPageRenders(t *testing.T) {
	pdf, err := TestPage("kiosk-01", "folder /tmp/x", time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(pdf, []byte("%PDF-")) || len(pdf) < 2000 {
		t.Fatalf("not a PDF: %d bytes starting %q", len(pdf), pdf[:min(8, len(pdf))])
	}
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Skip("pdftotext (poppler-utils) not installed: scripts/test installs it")
	}
	dir := t.TempDir()
	in := filepath.Join(dir, "page.pdf")
	os.WriteFile(in, pdf, 0o644)
	out, err := exec.Command("pdftotext", "-layout", in, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"打印测试页", "请 A001 号到 3 号窗口办理", "0123456789", "kiosk-01"} {
		if !bytes.Contains(out, []byte(want)) {
			t.Errorf("the page's text lacks %q (Chinese or digits not embedded?):\n%s", want, out)
		}
	}
}
