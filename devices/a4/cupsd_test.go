//go:build linux

package a4

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// cupsd is a private CUPS scheduler for one test: its own configuration,
// spool, logs and socket in a temporary directory, so that the test needs
// no system changes (only Debian's cups and cups-client packages, which
// scripts/test installs) and leaves none.
type cupsd struct {
	dir    string
	socket string
}

// cupsTools are the programs the CUPS tests run; gziptoany is the filter
// the test queue's PPD names.
var cupsTools = []string{"cupsd", "lp", "lpstat", "lpadmin", "cupsenable", "cupsdisable", "cupsaccept", "cupsreject"}

func lookTool(name string) (string, error) {
	if p, err := exec.LookPath(name); err == nil {
		return p, nil
	}
	// A user's PATH often lacks sbin, where cupsd and lpadmin live.
	for _, dir := range []string{"/usr/sbin", "/sbin"} {
		p := filepath.Join(dir, name)
		if fi, err := os.Stat(p); err == nil && fi.Mode()&0o111 != 0 {
			return p, nil
		}
	}
	return "", fmt.Errorf("%s not found", name)
}

const cupsHowTo = "apt-get install cups cups-client (scripts/test installs them)"

// startCUPSD starts a scheduler, or skips the test when CUPS is not
// installed.
func startCUPSD(t *testing.T) *cupsd {
	t.Helper()
	for _, tool := range cupsTools {
		if _, err := lookTool(tool); err != nil {
			t.Skipf("CUPS is not installed (%v): %s", err, cupsHowTo)
		}
	}
	if _, err := os.Stat("/usr/lib/cups/filter/gziptoany"); err != nil {
		t.Skipf("CUPS's filters are not installed (%v): %s", err, cupsHowTo)
	}
	// In /tmp rather than $TMPDIR: the socket path must stay short (108
	// bytes), and when cupsd runs as root its filters run as user lp,
	// which must be able to reach the spool: the directory is 0711.
	dir, err := os.MkdirTemp("/tmp", "onestop-cups-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o711); err != nil {
		t.Fatal(err)
	}
	for _, sub := range []string{"etc", "spool", "tmp", "cache", "state", "log", "out"} {
		if err := os.Mkdir(filepath.Join(dir, sub), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	d := &cupsd{dir: dir, socket: filepath.Join(dir, "cups.sock")}
	conf := fmt.Sprintf(`Listen %s
LogLevel info
Browsing Off
WebInterface No
DefaultAuthType None
<Location />
  Order allow,deny
  Allow all
</Location>
<Location /admin>
  Order allow,deny
  Allow all
</Location>
<Policy default>
  <Limit All>
    Order deny,allow
  </Limit>
</Policy>
`, d.socket)
	files := fmt.Sprintf(`ServerRoot %[1]s/etc
RequestRoot %[1]s/spool
TempDir %[1]s/tmp
CacheDir %[1]s/cache
StateDir %[1]s/state
ErrorLog %[1]s/log/error_log
AccessLog %[1]s/log/access_log
PageLog %[1]s/log/page_log
FileDevice Yes
Sandboxing Relaxed
`, dir)
	write(t, filepath.Join(dir, "cupsd.conf"), conf)
	write(t, filepath.Join(dir, "cups-files.conf"), files)

	bin, _ := lookTool("cupsd")
	cmd := exec.Command(bin, "-f", "-c", filepath.Join(dir, "cupsd.conf"), "-s", filepath.Join(dir, "cups-files.conf"))
	var out syncBuffer
	cmd.Stdout, cmd.Stderr = &out, &out
	// If the test binary dies, the scheduler goes with it.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start cupsd: %v", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			<-exited
		}
	})
	deadline := time.Now().Add(20 * time.Second)
	for {
		select {
		case err := <-exited:
			t.Fatalf("cupsd exited (%v): %s\n%s", err, out.String(), d.log("error_log"))
		default:
		}
		if o, _ := exec.Command("lpstat", "-h", d.socket, "-r").Output(); strings.Contains(string(o), "scheduler is running") {
			return d
		}
		if time.Now().After(deadline) {
			t.Fatalf("cupsd did not answer on %s: %s\n%s", d.socket, out.String(), d.log("error_log"))
		}
		time.Sleep(20 * time.Millisecond) // polling, with the deadline above
	}
}

// addQueue adds a printer whose device is a file, and returns the file.
func (d *cupsd) addQueue(t *testing.T, name string) string {
	t.Helper()
	ppd, err := filepath.Abs("testdata/onestop-file.ppd")
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(d.dir, "out", name+".pdf")
	d.admin(t, "lpadmin", "-p", name, "-E", "-v", "file://"+out, "-P", ppd)
	return out
}

// admin runs a CUPS administration command against this scheduler.
func (d *cupsd) admin(t *testing.T, tool string, args ...string) {
	t.Helper()
	bin, err := lookTool(tool)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, append([]string{"-h", d.socket}, args...)...)
	cmd.Env = append(os.Environ(), "LC_ALL=C")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s %s: %v: %s", tool, strings.Join(args, " "), err, out)
	}
}

func (d *cupsd) log(name string) string {
	b, _ := os.ReadFile(filepath.Join(d.dir, "log", name))
	return string(b)
}

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

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
