package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"onestop/devices/devicetest"
	"onestop/devices/idcard"
)

// devicectl runs the command in-process.
func devicectl(t *testing.T, ctx context.Context, args ...string) (string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err := run(ctx, args, strings.NewReader(""), &out, &errOut)
	return out.String(), err
}

// readerSim starts a simulated card reader on a pty with card on it.
func readerSim(t *testing.T, card idcard.Card) string {
	t.Helper()
	p, err := devicetest.OpenPTY()
	if err != nil {
		t.Skipf("no pty: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	sim := devicetest.NewIDCardSim(p.Master, 115200)
	sim.PlaceCard(card)
	done := make(chan struct{})
	go func() { sim.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); p.Close(); <-done })
	return p.Path
}

// TestIDCardReadJSON reads every sample card kind through a pty and
// checks the JSON keys and values a script relies on.
func TestIDCardReadJSON(t *testing.T) {
	for _, c := range devicetest.IDCardSamples() {
		t.Run(c.Kind.NameEN()+" "+c.IDNumber, func(t *testing.T) {
			out, err := devicectl(t, context.Background(), "idcard", "read", "--port", readerSim(t, c), "--json")
			if err != nil {
				t.Fatal(err)
			}
			var got map[string]any
			if err := json.Unmarshal([]byte(out), &got); err != nil {
				t.Fatalf("not one JSON object: %q", out)
			}
			for _, k := range []string{"card_type", "name", "name_en", "gender", "nation", "birth_date", "address",
				"id_number", "id_number_valid", "authority", "valid_from", "valid_to"} {
				if _, ok := got[k]; !ok {
					t.Errorf("key %q missing", k)
				}
			}
			if got["id_number"] != c.IDNumber || got["id_number_valid"] != true || got["name"] != c.Name ||
				got["birth_date"] != c.BirthDate.String() || got["card_type"] != cardTypes[c.Kind] {
				t.Errorf("read %v, card was %v", got, c)
			}
			if g := got["gender"]; g != "男" && g != "女" {
				t.Errorf("gender %q, want 男 or 女", g)
			}
			if c.ValidLongTerm && got["valid_to"] != "长期" {
				t.Errorf("valid_to %q, want 长期", got["valid_to"])
			}
			if c.Kind == idcard.KindResident && got["nation"] != c.Nation {
				t.Errorf("nation %q, want %q", got["nation"], c.Nation)
			}
		})
	}
}

func TestIDCardReadRefusesBadCheckDigit(t *testing.T) {
	bad := devicetest.IDCardSampleBadCheck()
	out, err := devicectl(t, context.Background(), "idcard", "read", "--port", readerSim(t, bad), "--json")
	if err == nil || !strings.Contains(err.Error(), "check") {
		t.Fatalf("err = %v, want the failed check reported", err)
	}
	var got cardJSON
	if json.Unmarshal([]byte(out), &got) != nil || got.IDNumberValid || got.IDNumber != bad.IDNumber {
		t.Fatalf("output %q: want the card with id_number_valid false", out)
	}
}

func TestIDCardReadAutoBaud(t *testing.T) {
	c := devicetest.IDCardSamples()[0]
	out, err := devicectl(t, context.Background(), "idcard", "read", "--port", readerSim(t, c), "--baud", "auto", "--json")
	if err != nil || !strings.Contains(out, c.IDNumber) {
		t.Fatalf("--baud auto: %v, %q", err, out)
	}
}

func TestPrinterTestAndStatus(t *testing.T) {
	p, err := devicetest.OpenPTY()
	if err != nil {
		t.Skipf("no pty: %v", err)
	}
	defer p.Close()
	sim := devicetest.NewPrinterSim(576)
	go sim.Serve(p.Master)
	if _, err := devicectl(t, context.Background(), "printer", "test", "--port", p.Path, "--width", "80"); err != nil {
		t.Fatal(err)
	}
	rs, err := sim.WaitReceipts(1, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := rs[0].Find("T000"); !ok {
		t.Fatalf("the test slip lacks its number:\n%s", rs[0].Text())
	}
	sim.SetState(devicetest.PrinterState{PaperOut: true})
	if _, err := devicectl(t, context.Background(), "printer", "status", "--port", p.Path); err == nil || !strings.Contains(err.Error(), "paper") {
		t.Fatalf("status with paper out: %v", err)
	}
	if _, err := devicectl(t, context.Background(), "printer", "test", "--port", p.Path); err == nil {
		t.Fatal("printed with paper out")
	}
}

func TestA4TestIntoFolder(t *testing.T) {
	dir := t.TempDir()
	out, err := devicectl(t, context.Background(), "a4", "test", "--dir", dir)
	if err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.pdf"))
	if len(files) != 1 || !strings.Contains(out, files[0]) {
		t.Fatalf("files %v, output %q", files, out)
	}
	if b, _ := os.ReadFile(files[0]); !bytes.HasPrefix(b, []byte("%PDF-")) {
		t.Fatal("not a PDF")
	}
}

func TestScannerListen(t *testing.T) {
	p, err := devicetest.OpenPTY()
	if err != nil {
		t.Skipf("no pty: %v", err)
	}
	defer p.Close()
	ctx, cancel := context.WithCancel(context.Background())
	type result struct {
		out string
		err error
	}
	done := make(chan result, 1)
	var out syncBuffer
	go func() {
		err := run(ctx, []string{"scanner", "listen", "--port", p.Path, "--json"}, strings.NewReader(""), &out, &bytes.Buffer{})
		done <- result{out.String(), err}
	}()
	sim := &devicetest.ScannerSim{W: p.Master, Baud: 9600}
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(out.String(), "SGB-2026") && time.Now().Before(deadline) {
		sim.Scan("SGB-2026-000123") // until the listener has opened the port and read it
		time.Sleep(100 * time.Millisecond)
	}
	cancel()
	r := <-done
	if r.err != nil || !strings.Contains(r.out, `"text":"SGB-2026-000123"`) {
		t.Fatalf("listen: %v, %q", r.err, r.out)
	}
}

func TestUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{"frob"}, {"idcard", "eat"}, {"idcard", "read"}, {"idcard", "read", "--port", "/dev/null", "--baud", "fast"},
		{"printer", "test", "--port", "/x", "--width", "70"}, {"a4", "test"}, {"a4", "test", "--dir", "/x", "--queue", "q"},
		{"scanner", "listen", "--port", "/x", "--terminator", "semicolon"}, {"ports", "extra"},
	} {
		_, err := devicectl(t, context.Background(), args...)
		var ue usageError
		if !errors.As(err, &ue) {
			t.Errorf("%v: err = %v, want a usage error", args, err)
		}
	}
}

func TestMissingPortSaysWhatToCheck(t *testing.T) {
	_, err := devicectl(t, context.Background(), "printer", "status", "--port", "/dev/ttyUSB-nonexistent")
	if err == nil || !strings.Contains(err.Error(), "devicectl ports") {
		t.Fatalf("err = %v, want a hint to run devicectl ports", err)
	}
}

// syncBuffer is a bytes.Buffer safe to read while a command writes it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
