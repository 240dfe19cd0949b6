package a4

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
	"unicode"
)

// Folder is a Printer for machines without one: it writes each document
// into Dir as a PDF file named after the time and the title, e.g.
// 20260302-093005.123-不动产登记证明.pdf, never overwriting a file.
type Folder struct {
	// Dir must exist: Folder does not create it, so that an unmounted USB
	// stick is reported rather than replaced by an empty directory.
	Dir string
	// Now is the clock for file names; nil means time.Now. Names use the
	// time's location (the kiosk runs in Asia/Shanghai).
	Now func() time.Time
}

var _ Printer = Folder{}

// Print writes pdf to a new file in Dir.
func (f Folder) Print(ctx context.Context, pdf []byte, title string) (Job, error) {
	if err := ctx.Err(); err != nil {
		return Job{}, err
	}
	if err := checkPDF(pdf); err != nil {
		return Job{}, err
	}
	now := time.Now
	if f.Now != nil {
		now = f.Now
	}
	base := now().Format("20060102-150405.000") + "-" + fileTitle(title)
	for i := 1; i < 1000; i++ {
		name := base + ".pdf"
		if i > 1 {
			name = fmt.Sprintf("%s-%d.pdf", base, i)
		}
		path := filepath.Join(f.Dir, name)
		// O_EXCL: a file of the same name (two documents in the same
		// millisecond) is never overwritten.
		file, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			return Job{}, fmt.Errorf("a4: folder %s: %w", f.Dir, err)
		}
		_, err = file.Write(pdf)
		if err == nil {
			err = file.Sync()
		}
		if cerr := file.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			os.Remove(path)
			return Job{}, fmt.Errorf("a4: folder %s: write %s: %w", f.Dir, name, err)
		}
		return Job{ID: name, Path: path}, nil
	}
	return Job{}, fmt.Errorf("a4: folder %s: too many files named %s*", f.Dir, base)
}

// Status is Idle when a file can be created in Dir, Disabled with the
// reason otherwise.
func (f Folder) Status(ctx context.Context) (Status, error) {
	if err := ctx.Err(); err != nil {
		return Status{}, err
	}
	fi, err := os.Stat(f.Dir)
	switch {
	case err != nil:
		return Status{State: Disabled, Reason: fmt.Sprintf("folder %s cannot be used: %v", f.Dir, err)}, nil
	case !fi.IsDir():
		return Status{State: Disabled, Reason: fmt.Sprintf("%s is not a folder", f.Dir)}, nil
	}
	// Permission bits do not tell (root, read-only mounts, full disks):
	// try.
	probe, err := os.CreateTemp(f.Dir, ".onestop-probe-*")
	if err != nil {
		return Status{State: Disabled, Reason: fmt.Sprintf("folder %s is not writable: %v", f.Dir, err)}, nil
	}
	probe.Close()
	os.Remove(probe.Name())
	return Status{State: Idle}, nil
}

// fileTitle makes title safe and short for a file name: letters (Chinese
// included), digits, '-', '_' and '.' are kept, other runs become '_'.
func fileTitle(title string) string {
	var b strings.Builder
	n := 0
	under := false
	for _, r := range title {
		if n == 40 {
			break
		}
		if unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-' || r == '_' || (r == '.' && b.Len() > 0) {
			b.WriteRune(r)
			under = false
			n++
		} else if !under && b.Len() > 0 {
			b.WriteByte('_')
			under = true
			n++
		}
	}
	s := strings.TrimRight(b.String(), "_.")
	if s == "" {
		return "document"
	}
	return s
}
