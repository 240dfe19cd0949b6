// Command kiosk runs the self-service kiosk: the Fyne user interface of
// package kiosk, full screen, with the kiosk's devices and the hall
// server client.
//
//	kiosk [--config FILE] [--cache DIR] [--windowed] [--hide-cursor]
//	kiosk --set-pin [--config FILE]      (reads the PIN from standard input)
//	kiosk --enroll CODE [--config FILE]  (once, before the first start)
//	kiosk --measure                      (start time and memory; see measure.go)
//
// The configuration file (default $XDG_CONFIG_HOME/onestop/kiosk.json)
// names the hall server, the device token, the devices' ports and
// printers; a missing file is a new kiosk, set up in technician mode (tap
// the hall's name five times). SIGTERM or Ctrl-C stop it cleanly; SIGUSR1
// returns to the home screen and wipes the session, as the idle timeout
// does.
//
// It builds with cgo (GLFW and OpenGL): Debian needs gcc libgl1-mesa-dev
// libx11-dev libxcursor-dev libxrandr-dev libxinerama-dev libxi-dev
// libxxf86vm-dev to build it, Mesa and the X libraries to run it.
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"

	"onestop/hallserver/auth"
	"onestop/hallserver/client"
	"onestop/kiosk"
)

// version is the kiosk software's version, sent with the heartbeat; set
// with -ldflags "-X main.version=…".
var version = "dev"

// appID names the kiosk's Fyne app (its preferences and storage).
const appID = "cn.gov.onestop.kiosk"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	if errors.Is(err, errRestart) {
		restart()
	}
	if err != nil && !errors.Is(err, flag.ErrHelp) {
		fmt.Fprintln(os.Stderr, "kiosk:", err)
		os.Exit(1)
	}
}

// config is what the flags say.
type config struct {
	path, cache, enroll          string
	setPIN, windowed, hideCursor bool
	measure                      int    // --measure N: runs of each kind
	measureChild                 string // bare or kiosk: one measured run
}

func parse(args []string, stderr io.Writer) (config, error) {
	var c config
	fs := flag.NewFlagSet("kiosk", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.path, "config", defaultPath(os.UserConfigDir, "kiosk.json"), "configuration file (JSON)")
	fs.StringVar(&c.cache, "cache", defaultPath(os.UserCacheDir, "kiosk"), "cache directory (the catalogue for the service guide while the hall server is down)")
	fs.BoolVar(&c.setPIN, "set-pin", false, "read a technician PIN (6–12 digits) from standard input, store its hash in the configuration and exit")
	fs.StringVar(&c.enroll, "enroll", "", "enroll with this one-time code (hallctl kiosk enroll-code) at the configured server_url if the kiosk has no device token yet")
	fs.BoolVar(&c.windowed, "windowed", false, "a window instead of full screen (development)")
	fs.BoolVar(&c.hideCursor, "hide-cursor", false, "hide the mouse pointer (touch screens; also hide_cursor in the configuration)")
	fs.IntVar(&c.measure, "measure", 0, "measure start-up time and memory against a bare Fyne window, in N fresh processes each (needs a display; uses --config)")
	fs.StringVar(&c.measureChild, "measure-child", "", "(internal: one run of --measure)")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected argument %q (see kiosk -h)", fs.Arg(0))
	}
	return c, nil
}

// defaultPath is name in the user's onestop directory under dir.
func defaultPath(dir func() (string, error), name string) string {
	d, err := dir()
	if err != nil {
		return name
	}
	return filepath.Join(d, "onestop", name)
}

// errRestart asks main to start the kiosk program again (the technician
// saved new device settings).
var errRestart = errors.New("restart")

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	c, err := parse(args, stderr)
	if err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(stderr, nil))
	switch {
	case c.measureChild != "":
		return measureChild(c, stdout)
	case c.measure > 0:
		return measure(ctx, c, stdout)
	case c.setPIN:
		return setPIN(c.path, stdin, stderr)
	}
	cfg, err := kiosk.LoadConfig(c.path)
	if err != nil {
		return err
	}
	if c.enroll != "" {
		if cfg, err = enroll(ctx, c.path, cfg, c.enroll, log); err != nil {
			return err
		}
	}
	if err := os.MkdirAll(filepath.Dir(c.path), 0o700); err != nil {
		return fmt.Errorf("configuration directory: %w", err)
	}
	return runKiosk(ctx, c, cfg, log)
}

// runKiosk runs the kiosk's window until it is stopped.
func runKiosk(ctx context.Context, c config, cfg kiosk.Config, log *slog.Logger) error {
	dev := kiosk.OpenDevices(cfg.Devices)
	defer dev.Close()
	for name, err := range dev.Problems {
		log.Warn("device not available", "device", name, "err", err)
	}
	var hall kiosk.Hall
	if cfg.ServerURL != "" && cfg.DeviceToken != "" {
		cl, err := client.New(cfg.ServerURL, client.WithToken(cfg.DeviceToken))
		if err != nil {
			return err
		}
		hall = cl
	} else {
		log.Warn("not enrolled: tap the hall's name five times for technician mode, or use --enroll")
	}
	a := app.NewWithID(appID)
	restarting := false
	k, err := kiosk.New(a, kiosk.Options{
		Config: cfg, Hall: hall, Devices: dev, CacheDir: c.cache, ConfigPath: c.path, Version: version,
		Restart: func() { restarting = true; a.Quit() },
	})
	if err != nil {
		return err
	}
	defer k.Stop()
	w := k.Window()
	if !c.windowed {
		w.SetFullScreen(true)
	} else {
		w.Resize(fyne.NewSize(1280, 960))
	}
	if c.hideCursor || cfg.HideCursor {
		w.SetContent(hideCursor(w.Content()))
	}
	go func() {
		<-ctx.Done()
		fyne.Do(a.Quit)
	}()
	reset := make(chan os.Signal, 1)
	signal.Notify(reset, syscall.SIGUSR1)
	defer signal.Stop(reset)
	go func() {
		for range reset {
			fyne.Do(func() { k.Sync(k.IdleReset) })
		}
	}()
	log.Info("kiosk starting", "config", c.path, "server", cfg.ServerURL, "kiosk", cfg.Name, "version", version)
	w.ShowAndRun()
	if restarting {
		return errRestart
	}
	return nil
}

// restart runs this program again in this process's place.
func restart() {
	exe, err := os.Executable()
	if err == nil {
		err = syscall.Exec(exe, os.Args, os.Environ())
	}
	fmt.Fprintln(os.Stderr, "kiosk: restart:", err)
	os.Exit(1)
}

// setPIN reads a PIN from stdin and stores its hash in the configuration.
func setPIN(path string, stdin io.Reader, stderr io.Writer) error {
	cfg, err := kiosk.LoadConfig(path)
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "technician PIN (%d–%d digits): ", auth.MinPINLength, auth.MaxPINLength)
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && !(errors.Is(err, io.EOF) && line != "") {
		return fmt.Errorf("--set-pin: read the PIN from standard input: %w", err)
	}
	hash, err := auth.HashPIN(strings.TrimSpace(line))
	if err != nil {
		return fmt.Errorf("--set-pin: %w", err)
	}
	cfg.TechnicianPIN = hash
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("--set-pin: %w", err)
	}
	if err := cfg.Save(path); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "\ntechnician PIN set in %s\n", path)
	return nil
}

// enroll spends a one-time code at the configured hall server unless the
// kiosk already has a device token, and saves the token.
func enroll(ctx context.Context, path string, cfg kiosk.Config, code string, log *slog.Logger) (kiosk.Config, error) {
	if cfg.DeviceToken != "" {
		log.Info("already enrolled: --enroll ignored (empty device_token in the configuration to enroll again)", "kiosk", cfg.Name)
		return cfg, nil
	}
	if cfg.ServerURL == "" {
		return cfg, fmt.Errorf("--enroll: set server_url in %s first (e.g. http://10.0.0.2:8080)", path)
	}
	c, err := client.New(cfg.ServerURL, client.WithTimeout(10*time.Second))
	if err != nil {
		return cfg, err
	}
	e, err := c.Enroll(ctx, code)
	if err != nil {
		return cfg, fmt.Errorf("--enroll: %w", err)
	}
	cfg.DeviceToken, cfg.Name = e.Token, e.Kiosk
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return cfg, err
	}
	if err := cfg.Save(path); err != nil {
		return cfg, err
	}
	log.Info("enrolled", "kiosk", e.Kiosk, "server", cfg.ServerURL)
	return cfg, nil
}
