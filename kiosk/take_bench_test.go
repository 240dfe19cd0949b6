package kiosk

import (
	"context"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"

	"onestop/devices/devicetest"
	"onestop/devices/idcard"
	"onestop/hallserver/client"
	"onestop/hallserver/halltest"
)

// The two device speed measurements of the kiosk issue, over the same
// simulators as the tests (go test -bench Take -benchtime 30x ./kiosk):
//
//   - BenchmarkCardToGreeting: an ID card placed on the simulated reader
//     (115200 baud) until the take-a-number screen greets its holder;
//     target < 300 ms.
//   - BenchmarkConfirmToSlip: the tap on an item until the simulated
//     ticket printer has cut the whole slip; target < 500 ms.
//
// BenchmarkCardEventToGreeting measures the kiosk's share of the first.
// Each reports ns/op (the mean) and p50/p90/max in ms; no assertions.

// takeBenchRig is a rig for benchmarks: newRig wants a *testing.T, so this
// builds the same kiosk (real hall server, simulators on pseudo-terminals)
// for any testing.TB, and uses only the rig's methods that need no T.
type takeBenchRig struct {
	*rig
	tb testing.TB
}

func newTakeBenchRig(tb testing.TB) *takeBenchRig {
	tb.Helper()
	a := test.NewTempApp(tb)
	hall := halltest.New(tb, halltest.Options{})
	c, err := client.New(hall.URL, client.WithToken(hall.KioskToken), client.WithTimeout(5*time.Second))
	if err != nil {
		tb.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	tb.Cleanup(cancel)
	pty := func() *devicetest.PTY {
		p, err := devicetest.OpenPTY()
		if err != nil {
			tb.Skipf("no pseudo-terminals here: %v", err)
		}
		tb.Cleanup(func() { p.Close() })
		return p
	}
	cardPTY, printerPTY := pty(), pty()
	card := devicetest.NewIDCardSim(cardPTY.Master, 115200)
	go card.Run(ctx)
	printer := devicetest.NewPrinterSim(576)
	go printer.Serve(printerPTY.Master)
	cfg := Config{Name: "K01", ServerURL: hall.URL, DeviceToken: hall.KioskToken, IdleSeconds: 3600,
		Devices: DeviceConfig{IDCardPort: cardPTY.Path, PrinterPort: printerPTY.Path, PaperMM: 80}}
	dev := OpenDevices(cfg.Devices)
	tb.Cleanup(func() { dev.Close() })
	for name, err := range dev.Problems {
		tb.Fatalf("device %s: %v", name, err)
	}
	k, err := New(a, Options{Config: cfg, Hall: c, Devices: dev, ProbeEvery: time.Hour})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(k.Stop)
	k.Window().Resize(screenSize)
	r := &takeBenchRig{rig: &rig{k: k, hall: hall, client: c, card: card, printer: printer, dev: dev}, tb: tb}
	r.until("the hall server to answer", func() bool { return k.Online() })
	return r
}

// until polls cond under the UI lock every millisecond, for up to 10 s.
func (r *takeBenchRig) until(what string, cond func() bool) {
	r.tb.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		var ok bool
		r.k.Sync(func() { ok = cond() })
		if ok {
			return
		}
		if time.Now().After(deadline) {
			r.tb.Fatalf("waited 10 s for %s on screen %q", what, r.screen())
		}
		time.Sleep(time.Millisecond)
	}
}

// press taps the enabled button whose label contains label.
func (r *takeBenchRig) press(label string) {
	r.tb.Helper()
	var ok bool
	r.k.Sync(func() {
		if b := findButton(r.k.Window().Content(), label); b != nil {
			test.Tap(b)
			ok = true
		}
	})
	if !ok {
		r.tb.Fatalf("no button %q on screen %q", label, r.screen())
	}
}

// showing reports whether some text on screen contains s; call it
// under the UI lock (in until).
func (r *takeBenchRig) showing(s string) bool {
	found := false
	walk(r.k.Window().Content(), func(o fyne.CanvasObject) {
		if t, ok := o.(*canvas.Text); ok && strings.Contains(t.Text, s) {
			found = true
		}
	})
	return found
}

// screenIs reports (under the UI lock, as until calls it) whether the
// screen is name.
func (r *takeBenchRig) screenIs(name string) func() bool {
	return func() bool { return r.k.Screen() == name }
}

// takeReportTimes adds the median, 90th percentile and maximum in ms.
func takeReportTimes(b *testing.B, d []time.Duration) {
	if len(d) == 0 {
		return
	}
	slices.Sort(d)
	ms := func(x time.Duration) float64 { return float64(x) / float64(time.Millisecond) }
	b.ReportMetric(ms(d[len(d)/2]), "p50-ms")
	b.ReportMetric(ms(d[len(d)*9/10]), "p90-ms")
	b.ReportMetric(ms(d[len(d)-1]), "max-ms")
}

// BenchmarkCardToGreeting: on the take-a-number screen, a card placed on
// the simulated reader at 115200 baud until the screen greets its holder
// by masked name. It includes the wait for the reader's next poll
// (OpenDevices polls every takeCardPoll), the frames at 115200 baud and the
// redraw. A person places a card at any moment of the poll cycle, so each
// placement waits a random part of it first (not timed); without that,
// every placement would fall just after a poll (the loop follows the
// removal, which a poll reports) and measure the worst case only.
func BenchmarkCardToGreeting(b *testing.B) {
	r := newTakeBenchRig(b)
	card := devicetest.IDCardSamples()[0]
	greeting := r.k.T("card.greeting", map[string]string{"Name": "王*红"})
	r.press(r.k.T("home.take"))
	r.until("the take screen", r.screenIs("take"))
	rnd := rand.New(rand.NewPCG(5, 300))
	var times []time.Duration
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		time.Sleep(time.Duration(rnd.Int64N(int64(takeCardPoll))))
		b.StartTimer()
		start := time.Now()
		r.card.PlaceCard(card)
		r.until("the greeting", func() bool { return r.k.Screen() == "take" && r.showing(greeting) })
		times = append(times, time.Since(start))

		b.StopTimer()
		r.card.RemoveCard()
		r.until("home after the card left", func() bool { return r.k.Screen() == "home" && r.k.Card() == nil })
		r.press(r.k.T("home.take"))
		r.until("the take screen", r.screenIs("take"))
		b.StartTimer()
	}
	b.StopTimer()
	takeReportTimes(b, times)
}

// BenchmarkCardEventToGreeting is the kiosk's own share of
// BenchmarkCardToGreeting: a card event, as the reader's watcher sends it
// once the card is read, until the screen greets its holder.
func BenchmarkCardEventToGreeting(b *testing.B) {
	r := newTakeBenchRig(b)
	card := devicetest.IDCardSamples()[0]
	greeting := r.k.T("card.greeting", map[string]string{"Name": "王*红"})
	r.press(r.k.T("home.take"))
	r.until("the take screen", r.screenIs("take"))
	var times []time.Duration
	b.ResetTimer()
	for range b.N {
		start := time.Now()
		r.k.do(func() { r.k.cardEvent(idcard.Event{Kind: idcard.EventPlaced, Card: card}) })
		r.until("the greeting", func() bool { return r.k.Screen() == "take" && r.showing(greeting) })
		times = append(times, time.Since(start))

		b.StopTimer()
		r.k.do(func() { r.k.cardEvent(idcard.Event{Kind: idcard.EventRemoved}) })
		r.until("home after the card left", func() bool { return r.k.Screen() == "home" && r.k.Card() == nil })
		r.press(r.k.T("home.take"))
		r.until("the take screen", r.screenIs("take"))
		b.StartTimer()
	}
	b.StopTimer()
	takeReportTimes(b, times)
}

// takeCardPoll is how often OpenDevices polls the card reader.
const takeCardPoll = 300 * time.Millisecond

// BenchmarkConfirmToSlip: the tap on an item (the last of the three)
// until the simulated ticket printer has cut the whole slip: the hall
// server issues the ticket, the screen shows it and the slip is sent.
func BenchmarkConfirmToSlip(b *testing.B) {
	r := newTakeBenchRig(b)
	toItems := func() {
		r.press(r.k.T("home.take"))
		r.until("the take screen", r.screenIs("take"))
		r.press("省公安厅出入境管理局")
		r.until("the items", r.screenIs("take.items"))
	}
	toItems()
	var times []time.Duration
	b.ResetTimer()
	for i := range b.N {
		start := time.Now()
		r.press("普通护照签发")
		if _, err := r.printer.WaitReceipts(i+1, 10*time.Second); err != nil {
			b.Fatal(err)
		}
		times = append(times, time.Since(start))

		b.StopTimer()
		r.until("the slip taken", func() bool { return r.showing(r.k.T("take.take_slip")) })
		r.press(r.k.T("take.done"))
		r.until("home", r.screenIs("home"))
		toItems()
		b.StartTimer()
	}
	b.StopTimer()
	takeReportTimes(b, times)
}
