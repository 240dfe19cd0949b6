package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"io"
	"os"
	"os/exec"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"onestop/hallserver/client"
	"onestop/kiosk"
)

// kiosk --measure N: start-up time and resident memory of the kiosk,
// side by side with a bare Fyne window measured the same way. Each run is
// a fresh process (this program with --measure-child), so that every
// start is a cold start of the process (the files are in the page cache
// after the first). A run reports:
//
//   - start: from starting the process to the first frame on screen that
//     shows the window's content (the kiosk's home screen): the painter
//     draws an invisible probe over the content (paintProbe);
//   - RSS at start: resident memory once that frame is drawn;
//   - RSS after the round: after opening every screen the home screen
//     offers (each tile, English, elderly mode, the technician PIN
//     screen) and returning home — for the bare window, after the same
//     wait. Both are read after a garbage collection and a one-second
//     pause, from /proc/self/status (VmRSS).
//
// It needs a display (xvfb-run -a -s "-screen 0 1280x1024x24" kiosk
// --measure 5) and uses --config: point it at a hall server (scripts/demo
// writes one) so that the tiles that need the server can be opened.
// ONESTOP_MEASURE_HEAP=FILE writes the last kiosk run's heap profile
// (go tool pprof) after its round.

// runReport is what a --measure-child run prints last, as JSON.
type runReport struct {
	StartRSS int64    `json:"start_rss_kb"`
	RoundRSS int64    `json:"round_rss_kb"`
	GoHeap   int64    `json:"go_heap_kb"` // in use after the round
	Screens  []string `json:"screens,omitempty"`
}

// readyLine is what a child prints the moment its first frame is drawn.
const readyLine = "ready"

// measure runs n bare and n kiosk children alternately and prints their
// figures.
func measure(ctx context.Context, c config, stdout io.Writer) error {
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	if os.Getenv("DISPLAY") == "" && os.Getenv("WAYLAND_DISPLAY") == "" {
		return errors.New(`--measure needs a display: run it under xvfb-run -a -s "-screen 0 1280x1024x24"`)
	}
	type result struct {
		start    []time.Duration
		startRSS []int64
		roundRSS []int64
		goHeap   []int64
		screens  []string
	}
	res := map[string]*result{"bare": {}, "kiosk": {}}
	for i := 0; i < c.measure; i++ {
		for _, kind := range []string{"bare", "kiosk"} {
			start, rep, err := measureRun(ctx, exe, kind, c)
			if err != nil {
				return fmt.Errorf("--measure: %s run %d: %w", kind, i+1, err)
			}
			r := res[kind]
			r.start = append(r.start, start)
			r.startRSS = append(r.startRSS, rep.StartRSS)
			r.roundRSS = append(r.roundRSS, rep.RoundRSS)
			r.goHeap = append(r.goHeap, rep.GoHeap)
			r.screens = rep.Screens
		}
	}
	fmt.Fprintf(stdout, "kiosk %s, %s, display %s, %d fresh processes of each (medians; min–max)\n\n",
		version, runtime.Version(), os.Getenv("DISPLAY"), c.measure)
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "\tstart to first frame\tRSS at start\tRSS after a round of every screen\tratio to bare\tGo heap after it")
	bare := median(res["bare"].roundRSS)
	for _, kind := range []string{"bare", "kiosk"} {
		r := res[kind]
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%.2f×\t%s\n", map[string]string{"bare": "bare Fyne window", "kiosk": "kiosk"}[kind],
			spread(r.start, func(d time.Duration) string { return strconv.FormatInt(d.Milliseconds(), 10) }, " ms"),
			spread(r.startRSS, mb, " MB"), spread(r.roundRSS, mb, " MB"), float64(median(r.roundRSS))/float64(bare),
			spread(r.goHeap, mb, " MB"))
	}
	tw.Flush()
	fmt.Fprintf(stdout, "\nscreens visited by the kiosk: %s\n", strings.Join(res["kiosk"].screens, ", "))
	return nil
}

func mb(kb int64) string { return fmt.Sprintf("%.0f", float64(kb)/1024) }

// spread is "median (min–max)" of values.
func spread[T int64 | time.Duration](v []T, f func(T) string, unit string) string {
	s := slices.Clone(v)
	slices.Sort(s)
	if len(s) == 1 {
		return f(s[0]) + unit
	}
	return fmt.Sprintf("%s%s (%s–%s)", f(median(s)), unit, f(s[0]), f(s[len(s)-1]))
}

func median[T int64 | time.Duration](v []T) T {
	s := slices.Clone(v)
	slices.Sort(s)
	return s[len(s)/2]
}

// measureRun starts one child and times it from start to its ready line.
func measureRun(ctx context.Context, exe, kind string, c config) (time.Duration, runReport, error) {
	var rep runReport
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, exe, "--measure-child", kind, "--config", c.path, "--cache", c.cache)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return 0, rep, err
	}
	t0 := time.Now()
	if err := cmd.Start(); err != nil {
		return 0, rep, err
	}
	defer cmd.Wait()
	sc := bufio.NewScanner(out)
	var start time.Duration
	for sc.Scan() {
		line := sc.Text()
		if line == readyLine {
			start = time.Since(t0)
			continue
		}
		if err := json.Unmarshal([]byte(line), &rep); err != nil {
			return 0, rep, fmt.Errorf("child said %q", line)
		}
	}
	if err := cmd.Wait(); err != nil {
		return 0, rep, fmt.Errorf("%w: %s", err, lastLines(stderr.String(), 3))
	}
	if start == 0 || rep.RoundRSS == 0 {
		return 0, rep, errors.New("the child reported nothing")
	}
	return start, rep, nil
}

// measureChild is one run: a bare window or the kiosk, full screen; it
// prints readyLine at the first frame, then the report.
func measureChild(c config, stdout io.Writer) error {
	a := app.NewWithID(appID + ".measure")
	var w fyne.Window
	var k *kiosk.Kiosk
	switch c.measureChild {
	case "bare":
		w = a.NewWindow("bare")
		w.SetContent(widget.NewLabel("OneStop"))
	case "kiosk":
		cfg, err := kiosk.LoadConfig(c.path)
		if err != nil {
			return err
		}
		dev := kiosk.OpenDevices(cfg.Devices)
		defer dev.Close()
		var hall kiosk.Hall
		if cfg.ServerURL != "" && cfg.DeviceToken != "" {
			cl, err := client.New(cfg.ServerURL, client.WithToken(cfg.DeviceToken))
			if err != nil {
				return err
			}
			hall = cl
		}
		if k, err = kiosk.New(a, kiosk.Options{Config: cfg, Hall: hall, Devices: dev, CacheDir: c.cache, Version: version}); err != nil {
			return err
		}
		defer k.Stop()
		w = k.Window()
	default:
		return fmt.Errorf("--measure-child %q: bare or kiosk", c.measureChild)
	}
	w.SetFullScreen(true)
	painted := make(chan struct{})
	w.SetContent(container.NewStack(w.Content(), paintProbe(func() {
		fmt.Fprintln(stdout, readyLine)
		close(painted)
	})))
	var rep runReport
	var failed error
	a.Lifecycle().SetOnStarted(func() {
		go func() {
			select {
			case <-painted:
			case <-time.After(30 * time.Second):
				failed = errors.New("no frame drawn within 30 s")
				fyne.Do(a.Quit)
				return
			}
			rep.StartRSS = settledRSS()
			if k != nil {
				rep.Screens = tour(k, w)
			}
			rep.RoundRSS = settledRSS()
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			rep.GoHeap = int64(ms.HeapInuse) / 1024
			if p := os.Getenv("ONESTOP_MEASURE_HEAP"); p != "" && k != nil {
				if f, err := os.Create(p); err == nil {
					pprof.WriteHeapProfile(f)
					f.Close()
				}
			}
			fyne.Do(a.Quit)
		}()
	})
	w.ShowAndRun()
	if failed != nil {
		return failed
	}
	return json.NewEncoder(stdout).Encode(rep)
}

// paintProbe is an invisible point drawn over the window's content: the
// first time the painter draws it, painted runs. The painter draws every
// object of a frame before showing it, so that is the first frame.
func paintProbe(painted func()) fyne.CanvasObject {
	var once sync.Once
	r := canvas.NewRaster(func(w, h int) image.Image {
		once.Do(painted)
		return image.NewNRGBA(image.Rect(0, 0, 1, 1))
	})
	r.Resize(fyne.NewSize(1, 1))
	return container.NewWithoutLayout(r)
}

// settledRSS is the resident memory after a collection and a pause.
func settledRSS() int64 {
	runtime.GC()
	debug.FreeOSMemory()
	time.Sleep(time.Second)
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return -1
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb
		}
	}
	return -1
}

// tour opens every screen the home screen offers, as a person would tap
// it, gives each a moment to load, and returns home. It lists the
// screens it saw.
func tour(k *kiosk.Kiosk, w fyne.Window) []string {
	deadline := time.Now().Add(10 * time.Second)
	for !onUI(k, k.Online) && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	var seen []string
	visit := func(open func() bool, back func()) {
		var ok bool
		fyne.DoAndWait(func() { k.Sync(func() { ok = open() }) })
		if !ok {
			return
		}
		time.Sleep(700 * time.Millisecond) // answers from the hall server, images
		seen = append(seen, onUI(k, k.Screen))
		fyne.DoAndWait(func() { k.Sync(back) })
		time.Sleep(200 * time.Millisecond)
	}
	tap := func(id string) func() bool {
		return func() bool {
			b := findButton(w.Content(), k.T(id))
			if b != nil {
				b.OnTapped()
			}
			return b != nil
		}
	}
	home := func() {
		if b := findButton(w.Content(), k.T("nav.home")); b != nil {
			b.OnTapped()
		}
	}
	for _, tile := range []string{"home.take", "home.lookup", "home.certs", "home.guide", "home.rate"} {
		visit(tap(tile), home)
	}
	visit(func() bool { k.OpenTech(); return true }, home)
	visit(tap("nav.language"), func() { tap("nav.language")() })
	visit(tap("nav.elderly_on"), func() { tap("nav.elderly_off")() })
	seen[len(seen)-2] += " (English)"
	seen[len(seen)-1] += " (elderly mode)"
	return seen
}

// onUI reads a value under the kiosk's UI lock.
func onUI[T any](k *kiosk.Kiosk, f func() T) T {
	var v T
	k.Sync(func() { v = f() })
	return v
}

// findButton finds an enabled button with the text among the window's
// containers (and scrolled content).
func findButton(o fyne.CanvasObject, text string) *widget.Button {
	switch v := o.(type) {
	case *widget.Button:
		if v.Text == text && !v.Disabled() && v.Visible() {
			return v
		}
	case *fyne.Container:
		for _, c := range v.Objects {
			if b := findButton(c, text); b != nil {
				return b
			}
		}
	case *container.Scroll:
		return findButton(v.Content, text)
	case *cursorHider:
		return findButton(v.content, text)
	}
	return nil
}

// lastLines is the end of a child's log, for an error.
func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], " / ")
}
