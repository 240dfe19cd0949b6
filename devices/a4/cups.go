package a4

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
)

// CUPS is a Printer that prints to a CUPS queue with lp.
type CUPS struct {
	// Queue is the CUPS printer name, as `lpstat -p` lists it.
	Queue string
	// Server is the CUPS scheduler to use: "host[:port]", or the path of
	// its socket. Empty means the system's (CUPS_SERVER, client.conf,
	// else the local scheduler).
	Server string
}

var _ Printer = CUPS{}

// Kind says what went wrong with CUPS, so that a caller can branch on it
// and a screen can say it in the technician's language.
type Kind int

const (
	// Other is any failure not below; Error.Output has what CUPS said.
	Other Kind = iota
	// NotInstalled: lp or lpstat is not on this machine.
	NotInstalled
	// SchedulerDown: the CUPS scheduler (cupsd) does not answer.
	SchedulerDown
	// NoQueue: the scheduler has no printer of that name.
	NoQueue
)

// Error is a failure to print through CUPS or to ask it a printer's
// status, with what a technician should do about it.
type Error struct {
	Kind Kind
	// Queue is the printer name; Server the scheduler, if not the default.
	Queue, Server string
	// Output is what lp or lpstat wrote to its standard error.
	Output string
	// Err is the underlying error: exec's, or the command's exit status.
	Err error
}

func (e *Error) Error() string {
	switch e.Kind {
	case NotInstalled:
		return fmt.Sprintf("a4: CUPS is not installed (%v): install cups-client (apt-get install cups-client), and cups for a local printer", e.Err)
	case SchedulerDown:
		where := ""
		if e.Server != "" {
			where = " at " + e.Server
		}
		return "a4: the CUPS scheduler" + where + " is not running: start it (sudo systemctl start cups) or check the server setting"
	case NoQueue:
		return fmt.Sprintf("a4: no CUPS printer named %q: `lpstat -p` lists them (add one with lpadmin or at http://localhost:631)", e.Queue)
	}
	msg := fmt.Sprintf("a4: CUPS printer %q: %v", e.Queue, e.Err)
	if e.Output != "" {
		msg += ": " + e.Output
	}
	if strings.Contains(e.Output, "not accepting jobs") {
		msg += fmt.Sprintf(" (`cupsaccept %s` lets it take jobs again)", e.Queue)
	}
	return msg
}

func (e *Error) Unwrap() error { return e.Err }

// requestID matches lp's "request id is hall-a4-42 (1 file(s))".
var requestID = regexp.MustCompile(`request id is (\S+)-(\d+) `)

// Print sends pdf to the queue. The returned Job's ID is the CUPS request
// id. A disabled printer still queues the job: Status tells.
func (c CUPS) Print(ctx context.Context, pdf []byte, title string) (Job, error) {
	if err := checkPDF(pdf); err != nil {
		return Job{}, err
	}
	if err := c.checkQueue(); err != nil {
		return Job{}, err
	}
	if title == "" {
		title = "OneStop"
	}
	out, err := c.run(ctx, pdf, "lp", "-d", c.Queue, "-t", title, "-")
	if err != nil {
		return Job{}, err
	}
	m := requestID.FindStringSubmatch(out)
	if m == nil {
		return Job{}, &Error{Kind: Other, Queue: c.Queue, Server: c.Server, Output: strings.TrimSpace(out),
			Err: errors.New("lp gave no request id")}
	}
	n, _ := strconv.Atoi(m[2])
	return Job{ID: m[1] + "-" + m[2], Queue: m[1], Number: n}, nil
}

// Status asks the scheduler for the printer's state and pending jobs.
func (c CUPS) Status(ctx context.Context) (Status, error) {
	if err := c.checkQueue(); err != nil {
		return Status{}, err
	}
	out, err := c.run(ctx, nil, "lpstat", "-p", c.Queue)
	if err != nil {
		return Status{}, err
	}
	st, err := parsePrinter(out)
	if err != nil {
		return Status{}, &Error{Kind: Other, Queue: c.Queue, Server: c.Server, Output: strings.TrimSpace(out), Err: err}
	}
	out, err = c.run(ctx, nil, "lpstat", "-o", c.Queue)
	if err != nil {
		return Status{}, err
	}
	st.Pending = countJobs(out)
	return st, nil
}

func (c CUPS) checkQueue() error {
	if c.Queue == "" {
		return errors.New("a4: no CUPS queue set: `lpstat -p` lists the printers")
	}
	return nil
}

// run runs a CUPS client in the C locale and returns its standard output;
// a failure becomes an *Error of the right Kind.
func (c CUPS) run(ctx context.Context, stdin []byte, name string, args ...string) (string, error) {
	path, err := exec.LookPath(name)
	if err != nil {
		return "", &Error{Kind: NotInstalled, Queue: c.Queue, Server: c.Server, Err: err}
	}
	if c.Server != "" {
		args = append([]string{"-h", c.Server}, args...)
	}
	cmd := exec.CommandContext(ctx, path, args...)
	cmd.Env = append(os.Environ(), "LC_ALL=C", "LANG=C")
	cmd.Stdin = bytes.NewReader(stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return "", fmt.Errorf("a4: %s: %w", name, ctx.Err())
		}
		return "", c.classify(ctx, name, strings.TrimSpace(stderr.String()), err)
	}
	return stdout.String(), nil
}

// classify tells a missing queue from a scheduler that is not running:
// with no scheduler, lp and lpstat too say that the printer does not
// exist, so the scheduler is asked first.
func (c CUPS) classify(ctx context.Context, name, output string, err error) error {
	e := &Error{Kind: Other, Queue: c.Queue, Server: c.Server, Output: output, Err: fmt.Errorf("%s: %w", name, err)}
	if !c.schedulerRunning(ctx) {
		e.Kind = SchedulerDown
		return e
	}
	for _, s := range []string{"does not exist", "Invalid destination", "Unknown destination", "not found"} {
		if strings.Contains(output, s) {
			e.Kind = NoQueue
		}
	}
	return e
}

func (c CUPS) schedulerRunning(ctx context.Context) bool {
	args := []string{"-r"}
	if c.Server != "" {
		args = []string{"-h", c.Server, "-r"}
	}
	cmd := exec.CommandContext(ctx, "lpstat", args...)
	cmd.Env = append(os.Environ(), "LC_ALL=C", "LANG=C")
	out, _ := cmd.Output()
	return strings.Contains(string(out), "scheduler is running")
}

// parsePrinter reads `lpstat -p QUEUE`:
//
//	printer hall-a4 is idle.  enabled since Mon 02 Mar 2026 09:30:05 CST
//	printer hall-a4 now printing hall-a4-42.  enabled since ...
//	printer hall-a4 disabled since Mon 02 Mar 2026 09:30:05 CST -
//		Paper jam
//
// The indented lines are the printer's message (the reason, when
// disabled).
func parsePrinter(out string) (Status, error) {
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	fields := strings.Fields(lines[0])
	if len(fields) < 4 || fields[0] != "printer" {
		return Status{}, fmt.Errorf("unexpected lpstat -p output %q", lines[0])
	}
	var st Status
	switch rest := fields[2:]; {
	case rest[0] == "is" && strings.TrimSuffix(rest[1], ".") == "idle":
		st.State = Idle
	case rest[0] == "now" && rest[1] == "printing" && len(rest) > 2:
		st.State = Printing
		st.Job = strings.TrimSuffix(rest[2], ".")
	case rest[0] == "disabled":
		st.State = Disabled
	default:
		return Status{}, fmt.Errorf("unexpected lpstat -p output %q", lines[0])
	}
	var reason []string
	for _, l := range lines[1:] {
		if !strings.HasPrefix(l, "\t") && !strings.HasPrefix(l, " ") {
			break
		}
		if l = strings.TrimSpace(l); l != "" {
			reason = append(reason, l)
		}
	}
	st.Reason = strings.Join(reason, "; ")
	if st.State == Disabled && st.Reason == "" {
		st.Reason = "disabled (`cupsenable` enables it)"
	}
	return st, nil
}

// countJobs counts the jobs `lpstat -o QUEUE` lists, one a line.
func countJobs(out string) int {
	n := 0
	for _, l := range strings.Split(out, "\n") {
		if l != "" && !strings.HasPrefix(l, "\t") && !strings.HasPrefix(l, " ") {
			n++
		}
	}
	return n
}
