package client_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"onestop/hallserver/api"
	"onestop/hallserver/client"
	"onestop/hallserver/halltest"
)

// TestKioskHealthAndHelp: a kiosk's heartbeat shows in the kiosk list,
// its help call in the supervisors' list until answered.
func TestKioskHealthAndHelp(t *testing.T) {
	ctx := context.Background()
	h := halltest.New(t, halltest.Options{})
	kiosk, err := client.New(h.URL, client.WithToken(h.KioskToken), client.WithTimeout(5*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	signIn := func(user, pw string) *client.Client {
		c, err := client.New(h.URL, client.WithTimeout(5*time.Second))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.Login(ctx, user, pw); err != nil {
			t.Fatal(err)
		}
		return c
	}
	tech, super := signIn("yunwei", "demo-technician"), signIn("zhuren", "demo-supervisor")

	problem := api.DeviceHealth{Device: api.DevicePrinter, State: api.DeviceProblem, Problem: "paper out"}
	if err := kiosk.Heartbeat(ctx, api.KioskHeartbeat{AppVersion: "test", Devices: []api.DeviceHealth{problem}}); err != nil {
		t.Fatal(err)
	}
	ks, err := tech.Kiosks(ctx)
	if err != nil || len(ks) != 1 || !ks[0].Online || len(ks[0].Problems) != 1 || ks[0].Problems[0] != problem {
		t.Fatalf("kiosks after a heartbeat: %+v, %v", ks, err)
	}
	if err := kiosk.Heartbeat(ctx, api.KioskHeartbeat{}); err != nil {
		t.Fatalf("a heartbeat without devices: %v", err)
	}

	if err := kiosk.CallHelp(ctx); err != nil {
		t.Fatal(err)
	}
	calls, err := super.HelpCalls(ctx)
	if err != nil || len(calls) != 1 || calls[0].Kiosk != "K01" {
		t.Fatalf("open calls: %+v, %v", calls, err)
	}
	if c, err := super.AnswerHelpCall(ctx, calls[0].ID); err != nil || c.AnsweredBy != "zhuren" {
		t.Fatalf("answer: %+v, %v", c, err)
	}
	if _, err := super.AnswerHelpCall(ctx, calls[0].ID); !errors.Is(err, client.ErrConflict) {
		t.Errorf("answered twice: %v, want ErrConflict", err)
	}
	if err := tech.CallHelp(ctx); !errors.Is(err, client.ErrForbidden) {
		t.Errorf("a technician calling help as a kiosk: %v, want ErrForbidden", err)
	}
}
