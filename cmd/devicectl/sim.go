package main

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"onestop/devices/devicetest"
	"onestop/devices/idcard"
)

// simulator is a device simulator on a pseudo-terminal: it prints the
// pty's path (and makes --link point at it) and serves until Ctrl-C,
// taking commands from standard input.
type simulator struct {
	e    env
	pty  *devicetest.PTY
	link string
}

func (e env) startSim(kind, link string) (*simulator, error) {
	p, err := devicetest.OpenPTY()
	if err != nil {
		return nil, fmt.Errorf("simulated %s: %w (is /dev/ptmx available?)", kind, err)
	}
	s := &simulator{e: e, pty: p, link: link}
	if link != "" {
		os.Remove(link)
		if err := os.MkdirAll(filepath.Dir(link), 0o755); err != nil {
			p.Close()
			return nil, fmt.Errorf("--link %s: %w", link, err)
		}
		if err := os.Symlink(p.Path, link); err != nil {
			p.Close()
			return nil, fmt.Errorf("--link %s: %w", link, err)
		}
	}
	fmt.Fprintf(e.stdout, "simulated %s on %s\n", kind, p.Path)
	if link != "" {
		fmt.Fprintf(e.stdout, "link: %s -> %s\n", link, p.Path)
	}
	return s, nil
}

func (s *simulator) close() {
	if s.link != "" {
		os.Remove(s.link)
	}
	s.pty.Close()
}

// commands reads lines from standard input and hands each to do, until
// Ctrl-C; without a terminal on stdin (a demo in the background) it just
// serves until Ctrl-C.
func (s *simulator) commands(help string, do func(cmd string, args []string) error) error {
	lines := make(chan string)
	go func() {
		sc := bufio.NewScanner(s.e.stdin)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	fmt.Fprintln(s.e.stderr, help)
	for {
		select {
		case <-s.e.ctx.Done():
			return nil
		case line, ok := <-lines:
			if !ok {
				<-s.e.ctx.Done()
				return nil
			}
			f := strings.Fields(line)
			if len(f) == 0 {
				continue
			}
			if f[0] == "help" {
				fmt.Fprintln(s.e.stderr, help)
				continue
			}
			if err := do(f[0], f[1:]); err != nil {
				fmt.Fprintln(s.e.stderr, "  ", err)
			}
		}
	}
}

// simPrinter runs a simulated ticket printer and writes every slip it
// prints as PNG and text into --out.
func (e env) simPrinter(args []string) error {
	fs := flags("sim printer")
	width := fs.Int("width", 80, "")
	out := fs.String("out", filepath.Join(os.TempDir(), "onestop-slips"), "")
	link := fs.String("link", "", "")
	baud := fs.Int("baud", 0, "")
	if err := parse(fs, args); err != nil {
		return err
	}
	dots := map[int]int{58: 384, 80: 576}[*width]
	if dots == 0 {
		return usageError{"--width must be 58 or 80 (mm of paper)"}
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return fmt.Errorf("--out %s: %w", *out, err)
	}
	s, err := e.startSim("ticket printer", *link)
	if err != nil {
		return err
	}
	defer s.close()
	sim := devicetest.NewPrinterSim(dots)
	sim.Baud = *baud
	go sim.Serve(s.pty.Master)
	fmt.Fprintf(e.stdout, "slips: %s\n", *out)
	go func() {
		saved := 0
		for e.ctx.Err() == nil {
			rs := sim.Receipts()
			for ; saved < len(rs); saved++ {
				name := filepath.Join(*out, fmt.Sprintf("slip-%s-%03d", time.Now().Format("20060102-150405"), saved+1))
				png, err := rs[saved].PNG()
				if err != nil {
					fmt.Fprintln(e.stderr, "render slip:", err)
				}
				os.WriteFile(name+".png", png, 0o644)
				os.WriteFile(name+".txt", []byte(rs[saved].Text()), 0o644)
				fmt.Fprintf(e.stdout, "printed: %s.png\n", name)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}()
	return s.commands("commands: paper out|near-end|ok, cover open|closed, offline|online, silent|awake, state", func(cmd string, a []string) error {
		st := sim.State()
		arg := strings.Join(a, " ")
		switch cmd + " " + arg {
		case "paper out":
			st.PaperOut = true
		case "paper near-end":
			st.PaperNearEnd, st.PaperOut = true, false
		case "paper ok":
			st.PaperNearEnd, st.PaperOut = false, false
		case "cover open":
			st.CoverOpen = true
		case "cover closed":
			st.CoverOpen = false
		case "offline ":
			st.Offline = true
		case "online ":
			st.Offline = false
		case "silent ":
			st.Silent = true
		case "awake ":
			st.Silent = false
		case "state ":
		default:
			return fmt.Errorf("unknown command %q (type help)", strings.TrimSpace(cmd+" "+arg))
		}
		sim.SetState(st)
		fmt.Fprintf(e.stderr, "   printer: %+v\n", st)
		return nil
	})
}

// simScanner runs a simulated QR scanner: every line typed on standard
// input is scanned.
func (e env) simScanner(args []string) error {
	fs := flags("sim scanner")
	baud := fs.Int("baud", 9600, "")
	link := fs.String("link", "", "")
	term := fs.String("terminator", "cr", "")
	if err := parse(fs, args); err != nil {
		return err
	}
	t, ok := terminators[*term]
	if !ok {
		return usageError{"--terminator must be cr, lf, crlf or tab"}
	}
	s, err := e.startSim("QR scanner", *link)
	if err != nil {
		return err
	}
	defer s.close()
	sim := &devicetest.ScannerSim{W: s.pty.Master, Baud: *baud, Terminator: t}
	// Drain what the reader side might write (scanners ignore it).
	go func() {
		buf := make([]byte, 256)
		for {
			if _, err := s.pty.Master.Read(buf); err != nil {
				return
			}
		}
	}()
	return s.commands("type a code and Enter to scan it (e.g. an application number or a slip URL)", func(cmd string, a []string) error {
		code := strings.TrimSpace(strings.Join(append([]string{cmd}, a...), " "))
		return sim.Scan(code)
	})
}

// simIDCard runs a simulated ID card reader loaded with sample cards of
// the four kinds; standard input places and removes them and injects faults.
func (e env) simIDCard(args []string) error {
	fs := flags("sim idcard")
	baud := fs.Int("baud", 115200, "")
	link := fs.String("link", "", "")
	place := fs.Int("place", 0, "")
	if err := parse(fs, args); err != nil {
		return err
	}
	samples := devicetest.IDCardSamples()
	s, err := e.startSim("ID card reader", *link)
	if err != nil {
		return err
	}
	defer s.close()
	sim := devicetest.NewIDCardSim(s.pty.Master, *baud)
	go sim.Run(e.ctx)
	fmt.Fprintf(e.stdout, "speed: %d baud; sample cards:\n", *baud)
	for i, c := range samples {
		fmt.Fprintf(e.stdout, "  %d  %s %s %s\n", i+1, c.Kind, c.Name+c.NameEn, c.IDNumber)
	}
	if *place > 0 {
		if *place > len(samples) {
			return usageError{fmt.Sprintf("--place %d: there are %d sample cards", *place, len(samples))}
		}
		sim.PlaceSample(*place - 1)
		fmt.Fprintf(e.stdout, "card %d is on the reader\n", *place)
	}
	return s.commands("commands: place N, remove, garbage N, corrupt, silence N, fail HEX (an SW3 status, e.g. fail 41)",
		func(cmd string, a []string) error {
			n := 1
			if len(a) > 0 {
				v, err := strconv.ParseInt(a[0], 0, 16)
				if err != nil {
					return fmt.Errorf("%s %s: not a number", cmd, a[0])
				}
				n = int(v)
			}
			switch cmd {
			case "place":
				if n < 1 || n > len(samples) {
					return fmt.Errorf("place N: N is 1 to %d", len(samples))
				}
				sim.PlaceSample(n - 1)
			case "remove":
				sim.RemoveCard()
			case "garbage":
				sim.InjectGarbage(n)
			case "corrupt":
				sim.CorruptNext()
			case "silence":
				sim.SilenceNext(n)
			case "fail":
				if len(a) == 0 {
					return fmt.Errorf("fail HEX: give a status such as 41")
				}
				v, err := strconv.ParseUint(a[0], 16, 8)
				if err != nil {
					return fmt.Errorf("fail %s: give the status in hex, e.g. 41", a[0])
				}
				sim.FailNext(idcard.Status(v))
			default:
				return fmt.Errorf("unknown command %q (type help)", cmd)
			}
			fmt.Fprintln(e.stderr, "   ok")
			return nil
		})
}
