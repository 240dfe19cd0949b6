package idcard_test

import (
	"context"
	"errors"
	"io"
	"os"
	"reflect"
	"sync"
	"testing"
	"time"

	"onestop/devices/devicetest"
	"onestop/devices/idcard"
)

// These tests drive the simulator over a pseudo-terminal, opened as the
// kiosk opens a real port.

func TestPTYReadEverySample(t *testing.T) {
	t.Parallel()
	rig := newSimRig(t, 115200, &idcard.Opts{HeaderTimeout: 150 * time.Millisecond, Fingerprint: true, AdditionalAddress: true}, nil)
	ctx := context.Background()
	for i, want := range devicetest.IDCardSamples() {
		t.Run(want.Kind.NameEN()+" "+want.Name, func(t *testing.T) {
			rig.sim.PlaceCard(want)
			got, err := rig.r.Read(ctx)
			if err != nil {
				t.Fatalf("sample %d: %v", i, err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("read\n%#v\nwant\n%#v", got, want)
			}
		})
	}
}

func TestPTYCardMustLeaveBeforeNextRead(t *testing.T) {
	t.Parallel()
	rig := newSimRig(t, 115200, nil, nil)
	ctx := context.Background()
	rig.sim.PlaceSample(devicetest.IDCardSampleBuyi)
	if _, err := rig.r.Read(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := rig.r.Read(ctx); !errors.Is(err, idcard.ErrNoCard) {
		t.Fatalf("second read while the card stays = %v, want ErrNoCard", err)
	}
	if _, err := rig.r.ReadManagementNumber(ctx); err != nil {
		t.Fatalf("management number while the card stays: %v", err)
	}
	rig.sim.RemoveCard()
	if _, err := rig.r.ReadManagementNumber(ctx); !errors.Is(err, idcard.StatusReadFailed) {
		t.Fatalf("management number after removal = %v", err)
	}
	rig.sim.PlaceSample(devicetest.IDCardSampleBuyi)
	if c, err := rig.r.Read(ctx); err != nil || c.Nation != "布依" {
		t.Fatalf("read after the card came back = %v, %v", c.Nation, err)
	}
}

func TestPTYSAM(t *testing.T) {
	t.Parallel()
	rig := newSimRig(t, 115200, nil, nil)
	ctx := context.Background()
	if err := rig.r.Reset(ctx); err != nil {
		t.Fatal(err)
	}
	if err := rig.r.SAMStatus(ctx); err != nil {
		t.Fatal(err)
	}
	if id, err := rig.r.SAMID(ctx); err != nil || id != devicetest.IDCardSAMIDFormatted {
		t.Fatalf("SAMID = %q, %v", id, err)
	}
	if err := rig.r.SetMaxRFFrame(ctx, 0x50); err != nil {
		t.Fatal(err)
	}
	if resp, err := rig.r.Command(ctx, 0x77, 0x00, nil); err != nil || resp.Status != idcard.StatusCommand {
		t.Fatalf("unknown command: %+v, %v", resp, err)
	}
}

func TestPTYFaults(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tests := []struct {
		name         string
		inject       func(*devicetest.IDCardSim)
		wantErr      error // nil: the read succeeds
		wantRequests int   // request frames the simulator saw
	}{
		{"garbage before the answer", func(s *devicetest.IDCardSim) { s.InjectGarbage(50) }, nil, 3},
		{"short garbage", func(s *devicetest.IDCardSim) { s.InjectGarbage(3) }, nil, 3},
		{"a corrupted frame, recovered on retry", func(s *devicetest.IDCardSim) { s.CorruptNext() }, nil, 4},
		{"one silence, recovered on retry", func(s *devicetest.IDCardSim) { s.SilenceNext(1) }, nil, 4},
		{"silence past the attempts", func(s *devicetest.IDCardSim) { s.SilenceNext(3) }, idcard.ErrTimeout, 3},
		{"corrupted past the attempts", func(s *devicetest.IDCardSim) { s.CorruptNext(); s.CorruptNext(); s.CorruptNext() }, idcard.ErrChecksum, 3},
		{"an error status", func(s *devicetest.IDCardSim) { s.FailNext(idcard.StatusSAMAuthCard) }, idcard.StatusSAMAuthCard, 1},
		{"an error status on select", func(s *devicetest.IDCardSim) { s.FailNext(idcard.StatusFound); s.FailNext(idcard.StatusSelectFailed) }, idcard.StatusSelectFailed, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rig := newSimRig(t, 115200, nil, nil)
			rig.sim.PlaceSample(devicetest.IDCardSampleTujia)
			tt.inject(rig.sim)
			c, err := rig.r.Read(ctx)
			if tt.wantErr == nil {
				if err != nil || c.Nation != "土家" {
					t.Fatalf("Read = %v, %v", c.Nation, err)
				}
			} else if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Read = %v, want %v", err, tt.wantErr)
			}
			if got := rig.sim.Stats().Requests; got != tt.wantRequests {
				t.Errorf("the simulator saw %d requests, want %d", got, tt.wantRequests)
			}
			var st idcard.Status
			if errors.As(err, &st) && st.MessageZH() == "" {
				t.Error("no Chinese message")
			}
			// Whatever happened, the next read works (the card was not
			// read yet, or the simulator forgets once it is taken away).
			rig.sim.RemoveCard()
			rig.sim.PlaceSample(devicetest.IDCardSampleTujia)
			if _, err := rig.r.Read(ctx); err != nil {
				t.Fatalf("next read: %v", err)
			}
		})
	}
}

// TestPTYCorruptedCardAnswer damages the 1295-byte answer itself: the
// read is sent again and succeeds.
func TestPTYCorruptedCardAnswer(t *testing.T) {
	t.Parallel()
	rig := newSimRig(t, 115200, nil, nil)
	ctx := context.Background()
	rig.sim.PlaceSample(devicetest.IDCardSampleForeign2023)
	if found, err := rig.r.FindCard(ctx); !found || err != nil {
		t.Fatal(found, err)
	}
	if _, err := rig.r.SelectCard(ctx); err != nil {
		t.Fatal(err)
	}
	rig.sim.CorruptNext()
	rig.sim.InjectGarbage(20)
	c, err := rig.r.ReadCard(ctx)
	if err != nil || c.NameEn != "MUELLER-SCHMIDT, ANNA KATHARINA ELISABETH" {
		t.Fatalf("ReadCard = %q, %v", c.NameEn, err)
	}
}

func TestPTYWatch(t *testing.T) {
	t.Parallel()
	rig := newSimRig(t, 115200, nil, nil)
	ctx, cancel := context.WithCancel(context.Background())
	events := make(chan idcard.Event, 32)
	done := make(chan error, 1)
	go func() { done <- idcard.Watch(ctx, rig.r, 20*time.Millisecond, events) }()

	next := func(want idcard.EventKind) idcard.Event {
		t.Helper()
		select {
		case ev := <-events:
			if ev.Kind != want {
				t.Fatalf("event %v (%v), want %v", ev.Kind, ev.Err, want)
			}
			return ev
		case <-time.After(3 * time.Second):
			t.Fatalf("no %v event", want)
		}
		return idcard.Event{}
	}
	quiet := func(d time.Duration) {
		t.Helper()
		select {
		case ev := <-events:
			t.Fatalf("unexpected event %v (%v)", ev.Kind, ev.Err)
		case <-time.After(d):
		}
	}

	quiet(150 * time.Millisecond)
	rig.sim.PlaceSample(devicetest.IDCardSampleMiao)
	if ev := next(idcard.EventPlaced); ev.Card.Name != "杨秀英" || ev.Err != nil || ev.Time.IsZero() {
		t.Fatalf("placed: %+v", ev)
	}
	quiet(300 * time.Millisecond) // the card stays: not reported again
	// One failed poll (a radio glitch) is not a removal.
	rig.sim.FailNext(idcard.StatusReadFailed)
	quiet(300 * time.Millisecond)
	rig.sim.RemoveCard()
	next(idcard.EventRemoved)
	quiet(150 * time.Millisecond)

	rig.sim.PlaceCard(devicetest.IDCardSampleBadCheck())
	if ev := next(idcard.EventPlaced); !errors.Is(ev.Err, idcard.ErrIDCheckDigit) || ev.Card.IDNumberValid {
		t.Fatalf("bad card placed: %+v", ev)
	}
	rig.sim.RemoveCard()
	next(idcard.EventRemoved)

	rig.sim.FailNext(idcard.StatusSelfTest)
	if ev := next(idcard.EventError); !errors.Is(ev.Err, idcard.StatusSelfTest) {
		t.Fatalf("error event: %v", ev.Err)
	}
	rig.sim.PlaceSample(devicetest.IDCardSampleHan) // watching went on
	next(idcard.EventPlaced)

	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("Watch returned %v", err)
	}
	for ev := range events { // closed by Watch
		t.Errorf("event after cancel: %v", ev.Kind)
	}
}

// closeCounter wraps a port to count closes.
type closeCounter struct {
	*os.File
	mu     *sync.Mutex
	closed *int
}

func (c closeCounter) Close() error {
	c.mu.Lock()
	*c.closed++
	c.mu.Unlock()
	return c.File.Close()
}

func TestPTYDetectBaud(t *testing.T) {
	t.Parallel()
	rig := newSimRig(t, 57600, nil, func(s *devicetest.IDCardSim) { s.CheckLineSpeed = true })
	if err := setLineSpeed(rig.port, 115200); err != nil {
		t.Skipf("cannot set the line speed: %v", err)
	}
	var mu sync.Mutex
	var opened []int
	closed := 0
	open := func(baud int) (io.ReadWriteCloser, error) {
		f := openPort(t, rig.pty.Path)
		if err := setLineSpeed(f, baud); err != nil {
			f.Close()
			return nil, err
		}
		mu.Lock()
		opened = append(opened, baud)
		mu.Unlock()
		return closeCounter{File: f, mu: &mu, closed: &closed}, nil
	}
	ctx := context.Background()
	baud, port, err := idcard.DetectBaud(ctx, open, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer port.Close()
	if baud != 57600 || !reflect.DeepEqual(opened, []int{115200, 57600}) || closed != 1 {
		t.Fatalf("DetectBaud = %d after opening %v and closing %d", baud, opened, closed)
	}
	if err := idcard.New(port, &fastOpts).SAMStatus(ctx); err != nil {
		t.Fatalf("the port DetectBaud kept does not work: %v", err)
	}
	if ignored := rig.sim.Stats().Ignored; ignored != 1 {
		t.Errorf("the simulator ignored %d requests, want 1 (the probe at 115200)", ignored)
	}

	// No speed works: the error says so, and every port is closed.
	opened, closed = nil, 0
	_, port2, err := idcard.DetectBaud(ctx, open, []int{115200, 19200})
	if !errors.Is(err, idcard.ErrNoReader) || !errors.Is(err, idcard.ErrTimeout) || port2 != nil || closed != 2 {
		t.Fatalf("DetectBaud at the wrong speeds = %v, port %v, closed %d", err, port2, closed)
	}
}

// TestPTYSetSAMBaud changes the reader's speed, after which the port
// must follow.
func TestPTYSetSAMBaud(t *testing.T) {
	t.Parallel()
	// A generous timeout: the answer at the new speed must come, however
	// loaded the machine (the old speed times out, which costs this wait).
	rig := newSimRig(t, 115200, &idcard.Opts{HeaderTimeout: time.Second, Attempts: 1}, func(s *devicetest.IDCardSim) { s.CheckLineSpeed = true })
	if err := setLineSpeed(rig.port, 115200); err != nil {
		t.Skipf("cannot set the line speed: %v", err)
	}
	ctx := context.Background()
	if err := rig.r.SetSAMBaud(ctx, 38400); err != nil {
		t.Fatal(err)
	}
	if b := rig.sim.Baud(); b != 38400 {
		t.Fatalf("simulator at %d baud", b)
	}
	if err := rig.r.SAMStatus(ctx); !errors.Is(err, idcard.ErrTimeout) {
		t.Fatalf("SAM status at the old speed = %v, want a timeout", err)
	}
	if err := setLineSpeed(rig.port, 38400); err != nil {
		t.Fatal(err)
	}
	if err := rig.r.SAMStatus(ctx); err != nil {
		t.Fatalf("SAM status at the new speed: %v", err)
	}
}

// TestPTYLineSpeed: answers take the time of the wire.
func TestPTYLineSpeed(t *testing.T) {
	t.Parallel()
	rig := newSimRig(t, 38400, nil, nil)
	rig.sim.PlaceSample(devicetest.IDCardSampleHan)
	ctx := context.Background()
	start := time.Now()
	if _, err := rig.r.Read(ctx); err != nil {
		t.Fatal(err)
	}
	st := rig.sim.Stats()
	wire := time.Duration(st.BytesIn+st.BytesOut) * devicetest.ByteTime(38400)
	if took := time.Since(start); took < wire*9/10 {
		t.Errorf("read took %v; %d bytes at 38400 baud take %v", took, st.BytesIn+st.BytesOut, wire)
	}
	if st.BytesIn != 30 || st.BytesOut != 15+19+1295 {
		t.Errorf("bytes in %d, out %d", st.BytesIn, st.BytesOut)
	}
}
