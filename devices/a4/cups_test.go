package a4

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// waitFor polls cond until it holds, failing the test after a deadline.
func waitFor(t *testing.T, what string, cond func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		ok, state := cond()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("waited in vain for %s: %s", what, state)
		}
		time.Sleep(20 * time.Millisecond) // polling, with the deadline above
	}
}

func TestCUPS(t *testing.T) {
	start := time.Now()
	d := startCUPSD(t)
	up := time.Since(start)
	out := d.addQueue(t, "onestop-test")
	p := CUPS{Queue: "onestop-test", Server: d.socket}
	ctx := context.Background()
	t.Logf("private cupsd up in %v, queue added in %v", up, time.Since(start)-up)

	status := func() Status {
		t.Helper()
		st, err := p.Status(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return st
	}
	printed := func(want []byte) {
		t.Helper()
		waitFor(t, "the job to complete", func() (bool, string) {
			st := status()
			got, _ := os.ReadFile(out)
			return st.State == Idle && st.Pending == 0 && bytes.Equal(got, want),
				fmt.Sprintf("status %+v, output %d bytes\n%s", st, len(got), d.log("error_log"))
		})
	}

	t.Run("print", func(t *testing.T) {
		if st := status(); st.State != Idle || st.Pending != 0 || !st.Ready() {
			t.Fatalf("new queue: %+v", st)
		}
		pdf := samplePDF("第一份")
		job, err := p.Print(ctx, pdf, "不动产登记证明")
		if err != nil {
			t.Fatal(err)
		}
		if job.Queue != "onestop-test" || job.Number <= 0 || job.ID != fmt.Sprintf("onestop-test-%d", job.Number) {
			t.Fatalf("job %+v", job)
		}
		printed(pdf)
		// The title reached CUPS as the job's name.
		waitFor(t, "the page log", func() (bool, string) {
			log := d.log("page_log")
			return strings.Contains(log, fmt.Sprintf(" %d [", job.Number)) && strings.Contains(log, "不动产登记证明"), log
		})
	})

	t.Run("disabled printer", func(t *testing.T) {
		d.admin(t, "cupsdisable", "-r", "paper jam", "onestop-test")
		st := status()
		if st.State != Disabled || st.Reason != "paper jam" || st.Ready() {
			t.Fatalf("disabled queue: %+v", st)
		}
		// CUPS still takes jobs for a stopped printer, and keeps them.
		pdf := samplePDF("第二份")
		if _, err := p.Print(ctx, pdf, "second"); err != nil {
			t.Fatal(err)
		}
		if st := status(); st.Pending != 1 {
			t.Fatalf("one job sent to a stopped printer: %+v", st)
		}
		d.admin(t, "cupsenable", "onestop-test")
		printed(pdf)
	})

	t.Run("queue rejecting jobs", func(t *testing.T) {
		d.admin(t, "cupsreject", "-r", "maintenance", "onestop-test")
		defer d.admin(t, "cupsaccept", "onestop-test")
		_, err := p.Print(ctx, samplePDF("x"), "x")
		var e *Error
		if !errors.As(err, &e) || e.Kind != Other || !strings.Contains(err.Error(), "not accepting") || !strings.Contains(err.Error(), "cupsaccept onestop-test") {
			t.Fatalf("Print to a rejecting queue: %v", err)
		}
	})

	t.Run("no such queue", func(t *testing.T) {
		q := CUPS{Queue: "no-such-printer", Server: d.socket}
		_, perr := q.Print(ctx, samplePDF("x"), "x")
		_, serr := q.Status(ctx)
		for _, err := range []error{perr, serr} {
			var e *Error
			if !errors.As(err, &e) || e.Kind != NoQueue {
				t.Fatalf("got %v; want Kind NoQueue", err)
			}
			if msg := err.Error(); !strings.Contains(msg, `no CUPS printer named "no-such-printer"`) || !strings.Contains(msg, "`lpstat -p` lists them") {
				t.Errorf("message %q", msg)
			}
		}
	})

	t.Run("not a PDF", func(t *testing.T) {
		if _, err := p.Print(ctx, []byte("hello"), "x"); !errors.Is(err, ErrNotPDF) {
			t.Fatalf("Print of text: %v", err)
		}
	})
	t.Logf("TestCUPS took %v in all", time.Since(start))
}

func TestCUPSSchedulerDown(t *testing.T) {
	for _, tool := range []string{"lp", "lpstat"} {
		if _, err := lookTool(tool); err != nil {
			t.Skipf("CUPS clients not installed (%v): %s", err, cupsHowTo)
		}
	}
	p := CUPS{Queue: "hall-a4", Server: filepath.Join(t.TempDir(), "cups.sock")}
	_, perr := p.Print(context.Background(), samplePDF("x"), "x")
	_, serr := p.Status(context.Background())
	for _, err := range []error{perr, serr} {
		var e *Error
		if !errors.As(err, &e) || e.Kind != SchedulerDown {
			t.Fatalf("got %v; want Kind SchedulerDown", err)
		}
		if msg := err.Error(); !strings.Contains(msg, "scheduler at "+p.Server+" is not running") || !strings.Contains(msg, "systemctl start cups") {
			t.Errorf("message %q", msg)
		}
	}
}

func TestCUPSNotInstalled(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	p := CUPS{Queue: "hall-a4"}
	_, perr := p.Print(context.Background(), samplePDF("x"), "x")
	_, serr := p.Status(context.Background())
	for _, err := range []error{perr, serr} {
		var e *Error
		if !errors.As(err, &e) || e.Kind != NotInstalled {
			t.Fatalf("got %v; want Kind NotInstalled", err)
		}
		if !strings.Contains(err.Error(), "install cups-client (apt-get install cups-client)") {
			t.Errorf("message %q", err)
		}
	}
}

func TestCUPSNoQueueSet(t *testing.T) {
	if _, err := (CUPS{}).Print(context.Background(), samplePDF("x"), "x"); err == nil || !strings.Contains(err.Error(), "no CUPS queue set") {
		t.Fatalf("Print without a queue: %v", err)
	}
}

func TestParsePrinter(t *testing.T) {
	tests := []struct {
		name string
		out  string
		want Status
		bad  bool
	}{
		{"idle", "printer hall-a4 is idle.  enabled since Mon 02 Mar 2026 09:30:05 CST\n", Status{State: Idle}, false},
		{"idle with a message", "printer hall-a4 is idle.  enabled since Mon 02 Mar 2026 09:30:05 CST\n\tMedia empty\n",
			Status{State: Idle, Reason: "Media empty"}, false},
		{"printing", "printer hall-a4 now printing hall-a4-42.  enabled since Mon 02 Mar 2026 09:30:05 CST\n\tPrinting page 1, 4% complete.\n",
			Status{State: Printing, Job: "hall-a4-42", Reason: "Printing page 1, 4% complete."}, false},
		{"disabled", "printer hall-a4 disabled since Mon 02 Mar 2026 09:30:05 CST -\n\tpaper jam\n\ttray 2\n",
			Status{State: Disabled, Reason: "paper jam; tray 2"}, false},
		{"disabled without a reason", "printer hall-a4 disabled since Mon 02 Mar 2026 09:30:05 CST -\n",
			Status{State: Disabled, Reason: "disabled (`cupsenable` enables it)"}, false},
		{"translated (LC_ALL=C missing)", "打印机 hall-a4 从 Mon 02 Mar 2026 开始被禁用 -\n", Status{}, true},
		{"empty", "", Status{}, true},
		{"unknown state", "printer hall-a4 is on fire.\n", Status{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parsePrinter(tt.out)
			if (err != nil) != tt.bad {
				t.Fatalf("parsePrinter error %v, want error %v", err, tt.bad)
			}
			if !tt.bad && got != tt.want {
				t.Fatalf("parsePrinter = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestCountJobs(t *testing.T) {
	tests := []struct {
		out  string
		want int
	}{
		{"", 0},
		{"hall-a4-41              kiosk              1024   Mon 02 Mar 2026 09:30:05 CST\n", 1},
		{"hall-a4-41  kiosk  1024  Mon 02 Mar 2026\nhall-a4-42  kiosk  2048  Mon 02 Mar 2026\n", 2},
		{"hall-a4-41  kiosk  1024  Mon 02 Mar 2026\n\tStatus: \n\tAlerts: job-printing\n", 1},
	}
	for _, tt := range tests {
		if got := countJobs(tt.out); got != tt.want {
			t.Errorf("countJobs(%q) = %d, want %d", tt.out, got, tt.want)
		}
	}
}

func TestRequestID(t *testing.T) {
	tests := []struct {
		out, queue string
		number     int
	}{
		{"request id is hall-a4-42 (1 file(s))\n", "hall-a4", 42},
		{"request id is onestop-test-7 (0 file(s))\n", "onestop-test", 7},
		{"request id is A4-1234 (1 file(s))\n", "A4", 1234},
	}
	for _, tt := range tests {
		m := requestID.FindStringSubmatch(tt.out)
		if m == nil || m[1] != tt.queue || m[2] != fmt.Sprint(tt.number) {
			t.Errorf("%q: matched %q", tt.out, m)
		}
	}
	if requestID.MatchString("lp: Error - The printer or class does not exist.") {
		t.Error("an error matched as a request id")
	}
}
