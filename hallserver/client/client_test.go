package client_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"onestop/hallserver"
	"onestop/hallserver/api"
	"onestop/hallserver/client"
	"onestop/hallserver/store"
)

// newHall starts a real hall server over a temporary SQLite file.
func newHall(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	hub := hallserver.NewHub()
	st, err := store.Open(ctx, t.TempDir(), store.Options{Notify: hub.Notify})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if _, err := hallserver.EnsureHall(ctx, st, store.Hall{Code: "TEST-HALL", Name: "测试大厅"}, store.System); err != nil {
		t.Fatal(err)
	}
	if err := hallserver.CreateDemoAccounts(ctx, st, store.System); err != nil {
		t.Fatal(err)
	}
	srv := hallserver.New(st, hub, hallserver.Config{})
	t.Cleanup(srv.Close)
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	return ts.URL
}

func mustClient(t *testing.T, base string) *client.Client {
	t.Helper()
	c, err := client.New(base, client.WithTimeout(5*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestNewRejectsBadURL(t *testing.T) {
	for _, u := range []string{"", "localhost:8080", "ftp://x", "http://"} {
		if _, err := client.New(u); err == nil {
			t.Errorf("New(%q) accepted", u)
		}
	}
}

func TestFlowAndErrors(t *testing.T) {
	ctx := context.Background()
	base := newHall(t)
	staff := mustClient(t, base)

	if _, err := staff.IssueTicket(ctx, api.IssueRequest{Queue: "A"}); !errors.Is(err, client.ErrUnauthenticated) {
		t.Fatalf("anonymous issue: %v, want ErrUnauthenticated", err)
	}
	if _, err := staff.Login(ctx, "wangfang", "wrong-password!"); !errors.Is(err, client.ErrUnauthenticated) {
		t.Fatalf("wrong password: %v", err)
	}
	if _, err := staff.Login(ctx, "wangfang", "demo-counter-1"); err != nil {
		t.Fatal(err)
	}
	me, err := staff.Me(ctx)
	if err != nil || me.Username != "wangfang" || me.Role != "counter" {
		t.Fatalf("me = %+v, %v", me, err)
	}
	if _, err := staff.Users(ctx); !errors.Is(err, client.ErrForbidden) {
		t.Fatalf("counter listing users: %v, want ErrForbidden", err)
	}

	// A kiosk enrolls and issues.
	admin := mustClient(t, base)
	if _, err := admin.Login(ctx, "admin", "demo-admin-2026"); err != nil {
		t.Fatal(err)
	}
	code, err := admin.CreateEnrollmentCode(ctx, "K07")
	if err != nil {
		t.Fatal(err)
	}
	kiosk := mustClient(t, base)
	if _, err := kiosk.Enroll(ctx, code.Code); err != nil {
		t.Fatal(err)
	}
	if _, err := mustClient(t, base).Enroll(ctx, code.Code); !errors.Is(err, client.ErrConflict) {
		t.Fatalf("second use of a code: %v, want ErrConflict", err)
	}
	tk, err := kiosk.IssueTicket(ctx, api.IssueRequest{Queue: "A", Priority: "elderly"})
	if err != nil {
		t.Fatal(err)
	}
	if tk.Number != "A001" || tk.Token == "" || tk.Status.QueueName == "" || tk.Hall.Code != "TEST-HALL" {
		t.Fatalf("issued %+v", tk)
	}
	if _, err := kiosk.IssueTicket(ctx, api.IssueRequest{Queue: "Z"}); !errors.Is(err, client.ErrInvalid) {
		t.Fatalf("unknown queue: %v, want ErrInvalid", err)
	}
	st, err := mustClient(t, base).TicketStatus(ctx, tk.Token)
	if err != nil || st.Number != "A001" || st.State != "issued" {
		t.Fatalf("status = %+v, %v", st, err)
	}
	if _, err := mustClient(t, base).TicketStatus(ctx, "no-such-token"); !errors.Is(err, client.ErrNotFound) {
		t.Fatalf("unknown token: %v", err)
	}

	// The counter serves it while a stream watches.
	sctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stream, err := mustClient(t, base).Events(sctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer stream.Close()
	if err := staff.OpenWindow(ctx, 1); err != nil {
		t.Fatal(err)
	}
	called, err := staff.CallNext(ctx, 1)
	if err != nil || called.Number != "A001" || called.Window != "1" {
		t.Fatalf("call next = %+v, %v", called, err)
	}
	if _, err := staff.CallNext(ctx, 1); !errors.Is(err, client.ErrConflict) {
		t.Fatalf("call while busy: %v, want ErrConflict", err)
	}
	for {
		ev, err := stream.Next()
		if err != nil {
			t.Fatal(err)
		}
		if ev.Type == "ticket.called" {
			if ev.Number != "A001" || ev.Window != "1" || ev.ID == 0 || stream.LastID != ev.ID {
				t.Fatalf("event %+v (last id %d)", ev, stream.LastID)
			}
			break
		}
	}
	for _, act := range []string{client.Start, client.Finish} {
		if _, err := staff.Act(ctx, 1, act, api.ActionRequest{}); err != nil {
			t.Fatalf("%s: %v", act, err)
		}
	}
	if _, err := staff.CallNext(ctx, 1); !errors.Is(err, client.ErrNothingWaiting) || !errors.Is(err, client.ErrNotFound) {
		t.Fatalf("empty queue: %v, want ErrNothingWaiting", err)
	}
	var ce *client.Error
	if _, err := staff.Act(ctx, 1, client.Recall, api.ActionRequest{}); !errors.As(err, &ce) || ce.Status != http.StatusConflict || ce.Message == "" {
		t.Fatalf("recall with nothing called: %v", err)
	}
	if err := staff.Logout(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := staff.Me(ctx); !errors.Is(err, client.ErrUnauthenticated) {
		t.Fatalf("after logout: %v", err)
	}
}

func TestUnavailableServer(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now
	c := mustClient(t, "http://"+addr)
	if _, err := c.Hall(context.Background()); !errors.Is(err, client.ErrUnavailable) {
		t.Fatalf("closed port: %v, want ErrUnavailable", err)
	}
}

func TestTimeout(t *testing.T) {
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done()
	}))
	defer slow.Close()
	c, _ := client.New(slow.URL, client.WithTimeout(50*time.Millisecond))
	if _, err := c.Hall(context.Background()); !errors.Is(err, client.ErrUnavailable) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("slow server: %v, want ErrUnavailable wrapping DeadlineExceeded", err)
	}
}

func TestNonJSONErrorBody(t *testing.T) {
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "bad gateway", http.StatusBadGateway)
	}))
	defer proxy.Close()
	_, err := mustClient(t, proxy.URL).Hall(context.Background())
	var ce *client.Error
	if !errors.As(err, &ce) || ce.Status != http.StatusBadGateway || !errors.Is(err, client.ErrUnavailable) {
		t.Fatalf("proxy error: %v", err)
	}
}
