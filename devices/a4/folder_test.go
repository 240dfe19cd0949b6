package a4

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// samplePDF is a minimal one-page PDF (not rendered by any test: the
// sinks pass bytes through unchanged).
func samplePDF(text string) []byte {
	return []byte("%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n" +
		"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n" +
		"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n" +
		"% " + text + "\ntrailer<</Root 1 0 R>>\n%%EOF\n")
}

func fixedClock(t time.Time) func() time.Time { return func() time.Time { return t } }

func TestFolderPrint(t *testing.T) {
	dir := t.TempDir()
	shanghai := time.FixedZone("CST", 8*3600)
	f := Folder{Dir: dir, Now: fixedClock(time.Date(2026, 3, 2, 9, 30, 5, 123e6, shanghai))}
	ctx := context.Background()
	tests := []struct {
		title, wantName string
	}{
		{"不动产登记证明", "20260302-093005.123-不动产登记证明.pdf"},
		// Same millisecond, same title: a new name, the first file kept.
		{"不动产登记证明", "20260302-093005.123-不动产登记证明-2.pdf"},
		{"../../etc/passwd", "20260302-093005.123-etc_passwd.pdf"},
		{"Receipt  No. 42 / A", "20260302-093005.123-Receipt_No._42_A.pdf"},
		{"", "20260302-093005.123-document.pdf"},
		{"???", "20260302-093005.123-document-2.pdf"},
		{strings.Repeat("长", 60), "20260302-093005.123-" + strings.Repeat("长", 40) + ".pdf"},
	}
	for i, tt := range tests {
		pdf := samplePDF(tt.title + string(rune('a'+i)))
		job, err := f.Print(ctx, pdf, tt.title)
		if err != nil {
			t.Fatalf("Print(%q): %v", tt.title, err)
		}
		if job.ID != tt.wantName || job.Path != filepath.Join(dir, tt.wantName) {
			t.Errorf("Print(%q) = %+v, want %s", tt.title, job, tt.wantName)
		}
		if got, err := os.ReadFile(job.Path); err != nil || !bytes.Equal(got, pdf) {
			t.Errorf("%s holds %q (%v)", job.Path, got, err)
		}
	}
	// Nothing was overwritten: the first document is still there.
	first, _ := os.ReadFile(filepath.Join(dir, tests[0].wantName))
	if !bytes.Equal(first, samplePDF(tests[0].title+"a")) {
		t.Error("the first document was overwritten")
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != len(tests) {
		t.Errorf("%d files for %d documents (a probe or temporary file left?)", len(entries), len(tests))
	}
}

func TestFolderPrintErrors(t *testing.T) {
	dir := t.TempDir()
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name string
		f    Folder
		ctx  context.Context
		pdf  []byte
		is   error
		text string
	}{
		{"not a PDF", Folder{Dir: dir}, context.Background(), []byte("<html>"), ErrNotPDF, "not a PDF"},
		{"empty", Folder{Dir: dir}, context.Background(), nil, ErrNotPDF, "not a PDF"},
		{"no folder", Folder{Dir: filepath.Join(dir, "usb-stick")}, context.Background(), samplePDF("x"), os.ErrNotExist, "a4: folder "},
		{"cancelled", Folder{Dir: dir}, cancelled, samplePDF("x"), context.Canceled, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.f.Print(tt.ctx, tt.pdf, "t")
			if !errors.Is(err, tt.is) || !strings.Contains(err.Error(), tt.text) {
				t.Fatalf("Print: %v; want %v", err, tt.is)
			}
		})
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("failed prints left %d files", len(entries))
	}
	if _, err := os.Stat(filepath.Join(dir, "usb-stick")); err == nil {
		t.Error("Print created the missing folder")
	}
}

func TestFolderStatus(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "plain-file")
	os.WriteFile(file, nil, 0o644)
	readOnly := filepath.Join(dir, "read-only")
	os.Mkdir(readOnly, 0o555)
	tests := []struct {
		name   string
		dir    string
		state  State
		reason string
	}{
		{"writable", dir, Idle, ""},
		{"missing", filepath.Join(dir, "nope"), Disabled, "no such file"},
		{"not a folder", file, Disabled, "is not a folder"},
		{"read-only", readOnly, Disabled, "not writable"},
		{"not writable even by root", "/proc", Disabled, "not writable"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.name == "read-only" && os.Geteuid() == 0 {
				t.Skip("running as root, which a read-only mode does not stop")
			}
			st, err := Folder{Dir: tt.dir}.Status(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if st.State != tt.state || !strings.Contains(st.Reason, tt.reason) || st.Ready() != (tt.state != Disabled) {
				t.Fatalf("Status = %+v, want %v with %q", st, tt.state, tt.reason)
			}
		})
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 2 {
		t.Errorf("Status left files behind: %v", entries)
	}
}
