package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"regexp"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"onestop/hallserver/api"
	"onestop/hallserver/client"
	"onestop/hallserver/store"
)

// The test binary doubles as the hall server: with HALLSERVER_CHILD=1 it
// runs main, so the crash test kills a real server process without
// building one.
func TestMain(m *testing.M) {
	if os.Getenv("HALLSERVER_CHILD") == "1" {
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// child is a hall server process under test.
type child struct {
	cmd  *exec.Cmd
	base string
	out  *strings.Builder
	mu   *sync.Mutex
}

var listenLine = regexp.MustCompile(`listening on (http://\S+)`)

func startChild(t *testing.T, dir string, extra ...string) *child {
	t.Helper()
	cmd := exec.Command(os.Args[0], append([]string{"--data", dir, "--addr", "127.0.0.1:0", "--demo"}, extra...)...)
	cmd.Env = append(os.Environ(), "HALLSERVER_CHILD=1")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	c := &child{cmd: cmd, out: &strings.Builder{}, mu: &sync.Mutex{}}
	cmd.Stderr = &lockedWriter{c.mu, c.out}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if m := listenLine.FindStringSubmatch(sc.Text()); m != nil {
				found <- m[1]
			}
		}
	}()
	select {
	case c.base = <-found:
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("hall server did not start; its log:\n%s", c.log())
	}
	return c
}

func (c *child) log() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.out.String()
}

type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func login(t *testing.T, base string) *client.Client {
	t.Helper()
	c, err := client.New(base, client.WithTimeout(10*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Login(context.Background(), "zhuren", "demo-supervisor"); err != nil {
		t.Fatalf("login: %v", err)
	}
	return c
}

// TestCrashLosesNoAcknowledgedTicket kills a real hall server with
// SIGKILL while 16 clients issue tickets, restarts it, and checks that
// every ticket acknowledged to a client is there, that no number was
// issued twice (before or after the crash), and that the database and the
// audit chain are sound. It does this three times on the same data.
func TestCrashLosesNoAcknowledgedTicket(t *testing.T) {
	if testing.Short() {
		t.Skip("starts and kills real processes")
	}
	dir := t.TempDir()
	acked := map[string]string{} // day/number -> queue, as acknowledged
	var mu sync.Mutex
	queues := []string{"A", "B", "C", "D"}
	for round := 1; round <= 3; round++ {
		srv := startChild(t, dir)
		c := login(t, srv.base)
		ctx, stop := context.WithCancel(context.Background())
		var wg sync.WaitGroup
		var n sync.WaitGroup
		n.Add(1)
		var once sync.Once
		count := 0
		for i := 0; i < 16; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				for k := 0; ctx.Err() == nil; k++ {
					tk, err := c.IssueTicket(ctx, api.IssueRequest{Queue: queues[(i+k)%len(queues)]})
					if err != nil {
						continue // not acknowledged: may or may not exist, either is fine
					}
					mu.Lock()
					key := tk.Status.Day + "/" + tk.Number
					if _, dup := acked[key]; dup {
						t.Errorf("round %d: number %s acknowledged twice", round, key)
					}
					acked[key] = tk.Status.Queue
					count++
					if count == 300 {
						once.Do(n.Done)
					}
					mu.Unlock()
				}
			}(i)
		}
		select {
		case <-waitGroupDone(&n):
		case <-time.After(60 * time.Second):
			t.Fatalf("round %d: fewer than 300 tickets in 60 s; server log:\n%s", round, srv.log())
		}
		// Kill while issues are in flight.
		if err := srv.cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		srv.cmd.Wait()
		stop()
		wg.Wait()

		srv = startChild(t, dir)
		c = login(t, srv.base)
		stored, err := c.Tickets(context.Background(), "")
		if err != nil {
			t.Fatal(err)
		}
		byKey := map[string]int{}
		for _, tk := range stored {
			byKey[tk.Day+"/"+tk.Number]++
		}
		mu.Lock()
		missing := []string{}
		for key := range acked {
			day := strings.SplitN(key, "/", 2)[0]
			if day != stored0Day(stored) {
				continue // acknowledged on another service day (a run across midnight)
			}
			if byKey[key] == 0 {
				missing = append(missing, key)
			}
		}
		mu.Unlock()
		sort.Strings(missing)
		if len(missing) > 0 {
			t.Errorf("round %d: %d acknowledged tickets missing after the crash, e.g. %v", round, len(missing), missing[:min(5, len(missing))])
		}
		for key, k := range byKey {
			if k > 1 {
				t.Errorf("round %d: number %s stored %d times", round, key, k)
			}
		}
		t.Logf("round %d: %d acknowledged so far, %d stored today", round, len(acked), len(stored))
		// Graceful stop before the next round / the offline checks.
		srv.cmd.Process.Signal(syscall.SIGTERM)
		if err := srv.cmd.Wait(); err != nil {
			t.Fatalf("round %d: graceful stop: %v; log:\n%s", round, err, srv.log())
		}
	}
	st, err := store.Open(context.Background(), dir, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if res, err := st.IntegrityCheck(context.Background()); err != nil || res != "ok" {
		t.Errorf("integrity_check = %q, %v", res, err)
	}
	v, err := st.VerifyAudit(context.Background())
	if err != nil || !v.OK {
		t.Errorf("audit chain after crashes: %+v, %v", v, err)
	}
}

func stored0Day(ts []api.StaffTicket) string {
	if len(ts) == 0 {
		return ""
	}
	return ts[0].Day
}

func waitGroupDone(wg *sync.WaitGroup) <-chan struct{} {
	ch := make(chan struct{})
	go func() { wg.Wait(); close(ch) }()
	return ch
}

// TestFlagsAndEnvironment checks the configuration rules.
func TestFlagsAndEnvironment(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	tests := []struct {
		name    string
		args    []string
		env     map[string]string
		wantErr string
		check   func(config) error
	}{
		{name: "no data directory", wantErr: "no data directory"},
		{name: "data from flag", args: []string{"--data", "/x"}, check: func(c config) error {
			if c.data != "/x" || c.addr != ":8080" {
				return fmt.Errorf("got %+v", c)
			}
			return nil
		}},
		{name: "environment", env: map[string]string{"ONESTOP_DATA": "/d", "ONESTOP_ADDR": "127.0.0.1:9", "ONESTOP_HALL_CODE": "X-1"}, check: func(c config) error {
			if c.data != "/d" || c.addr != "127.0.0.1:9" || c.hallCode != "X-1" {
				return fmt.Errorf("got %+v", c)
			}
			return nil
		}},
		{name: "flag beats environment", args: []string{"--addr", ":1"}, env: map[string]string{"ONESTOP_DATA": "/d", "ONESTOP_ADDR": ":2"}, check: func(c config) error {
			if c.addr != ":1" {
				return fmt.Errorf("addr %q", c.addr)
			}
			return nil
		}},
		{name: "bad log format", args: []string{"--data", "/d", "--log-format", "xml"}, wantErr: "--log-format"},
		{name: "stray argument", args: []string{"--data", "/d", "extra"}, wantErr: "unexpected argument"},
		{name: "province without its secret", args: []string{"--data", "/d", "--province", "http://p"}, wantErr: "--province-secret-file"},
		{name: "province from the environment", env: map[string]string{"ONESTOP_DATA": "/d", "ONESTOP_PROVINCE": "http://p",
			"ONESTOP_PROVINCE_SECRET_FILE": "/s", "ONESTOP_PROVINCE_KEY_FILE": "/k"}, check: func(c config) error {
			if c.province != "http://p" || c.provinceSecretFile != "/s" || c.provinceKeyFile != "/k" {
				return fmt.Errorf("got %+v", c)
			}
			return nil
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := parse(tt.args, env(tt.env), io.Discard)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want it to mention %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if err := tt.check(c); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestGracefulShutdown sends SIGTERM while clients issue tickets and a live
// event stream is open: the server must exit with status 0 without waiting
// out its grace period for the stream, and no request may fail with a
// server error (each either completes or finds the server gone).
func TestGracefulShutdown(t *testing.T) {
	if testing.Short() {
		t.Skip("starts real processes")
	}
	dir := t.TempDir()
	srv := startChild(t, dir)
	c := login(t, srv.base)
	stream, err := c.Events(context.Background(), 0)
	if err != nil {
		t.Fatal(err)
	}
	defer stream.Close()
	streamDone := make(chan error, 1)
	go func() {
		for {
			if _, err := stream.Next(); err != nil {
				streamDone <- err
				return
			}
		}
	}()
	var mu sync.Mutex
	var serverErrors []string
	acked := 0
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				_, err := c.IssueTicket(context.Background(), api.IssueRequest{Queue: "A"})
				var ce *client.Error
				mu.Lock()
				switch {
				case err == nil:
					acked++
				case errors.As(err, &ce):
					serverErrors = append(serverErrors, ce.Error())
				}
				mu.Unlock()
				if err != nil && !errors.As(err, &ce) {
					return // connection refused or reset: the server has gone
				}
			}
		}()
	}
	waitUntil(t, func() bool { mu.Lock(); defer mu.Unlock(); return acked >= 100 })
	start := time.Now()
	if err := srv.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	werr := srv.cmd.Wait()
	took := time.Since(start)
	close(stop)
	wg.Wait()
	if werr != nil {
		t.Fatalf("exit after SIGTERM: %v; log:\n%s", werr, srv.log())
	}
	if took >= 10*time.Second { // the default --shutdown-grace
		t.Errorf("shutdown took %s: the event stream held it for the whole grace period", took)
	}
	select {
	case <-streamDone:
	case <-time.After(5 * time.Second):
		t.Error("the event stream is still open after the server exited")
	}
	if len(serverErrors) > 0 {
		t.Errorf("%d requests failed with a server error during shutdown, e.g. %s", len(serverErrors), serverErrors[0])
	}
}

func waitUntil(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not reached in 30 s")
		}
		time.Sleep(10 * time.Millisecond)
	}
}
