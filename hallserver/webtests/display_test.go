package webtests

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"onestop/hallserver/api"
	"onestop/hallserver/client"
	"onestop/hallserver/halltest"
)

// The call display (/display) and the phone ticket page (/t/<token>),
// driven by a kiosk and counter staff through the typed client.

// announcement is one entry of window.onestopDisplay.spoken.
type announcement struct {
	Kind       string  `json:"kind"`
	Number     string  `json:"number"`
	Window     string  `json:"window"`
	Text       string  `json:"text"`
	ChimeStart float64 `json:"chimeStart"`
	ChimeEnd   float64 `json:"chimeEnd"`
	Start      float64 `json:"start"`
	End        float64 `json:"end"`
	Parts      []struct {
		Text  string  `json:"text"`
		Via   string  `json:"via"`
		Start float64 `json:"start"`
		End   float64 `json:"end"`
	} `json:"parts"`
}

// fakeSpeech replaces the browser's speech synthesis (headless Chromium
// has no voices) with one that has a Chinese voice and speaks each
// utterance for 900 ms (longer than the board's pauses) — or, in "silent" mode, never says when it is done.
// It counts what a board must never do: cancel, or start an utterance
// while another is being spoken.
const fakeSpeech = `(() => {
  const mode = %q;
  const voice = { name: "Test 中文", lang: "zh-CN", voiceURI: "test-zh", localService: true, default: true };
  class Utterance extends EventTarget {
    constructor(text) { super(); this.text = text || ""; this.lang = ""; this.voice = null; this.rate = 1; this.pitch = 1; this.volume = 1; }
  }
  let current = null;
  const fake = {
    log: [], cancels: 0, overlaps: 0, paused: false, pending: false,
    get speaking() { return current !== null; },
    getVoices() { return [voice]; },
    speak(u) {
      if (current) fake.overlaps++;
      const entry = { text: u.text, lang: u.lang, voice: u.voice ? u.voice.name : "", start: performance.timeOrigin + performance.now() };
      fake.log.push(entry);
      if (mode === "silent") return;
      current = u;
      setTimeout(() => u.dispatchEvent(new Event("start")), 10);
      setTimeout(() => {
        entry.end = performance.timeOrigin + performance.now();
        current = null;
        u.dispatchEvent(new Event("end"));
      }, 900);
    },
    cancel() { fake.cancels++; }, pause() {}, resume() {},
    addEventListener() {}, removeEventListener() {},
  };
  Object.defineProperty(window, "speechSynthesis", { value: fake, configurable: true });
  Object.defineProperty(window, "SpeechSynthesisUtterance", { value: Utterance, configurable: true });
})();`

// withFakeSpeech installs fakeSpeech in the tab's next documents.
func withFakeSpeech(mode string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, page.AddScriptToEvaluateOnNewDocument,
			page.AddScriptToEvaluateOnNewDocumentParams{Source: fmt.Sprintf(fakeSpeech, mode)})
		return err
	})
}

// withLanguage makes navigator.language (and Accept-Language) lang in the
// tab: headless Chromium says en-US whatever its --lang flag.
func withLanguage(lang string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		ua, err := chromedp.Evaluate[string](`navigator.userAgent`)(ctx, t)
		if err != nil {
			return err
		}
		_, err = cdp.Call(ctx, t, emulation.SetUserAgentOverride,
			emulation.SetUserAgentOverrideParams{UserAgent: ua, AcceptLanguage: lang})
		return err
	})
}

// phone sizes the tab like a phone (390×844, touch).
func phone() chromedp.Action[chromedp.Void] {
	return chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile, chromedp.EmulateTouch, chromedp.EmulatePortrait)
}

// tv sizes the tab like a 1080p TV.
func tv() chromedp.Action[chromedp.Void] {
	return chromedp.EmulateViewport(1920, 1080, chromedp.EmulateLandscape)
}

// poll waits until expr is true in the tab, or until deadline.
func poll(ctx context.Context, expr string, deadline time.Time) error {
	d := time.Until(deadline)
	if d <= 0 {
		d = time.Millisecond
	}
	ctx, cancel := context.WithTimeout(ctx, d+5*time.Second)
	defer cancel()
	_, err := chromedp.Run(ctx, chromedp.Poll[bool]("!!("+expr+")",
		chromedp.WithPollingInterval(20*time.Millisecond), chromedp.WithPollingTimeout(d)))
	return err
}

// waitFor fails the test unless expr becomes true within d.
func waitFor(b *browser, ctx context.Context, what, expr string, d time.Duration) {
	b.t.Helper()
	if err := poll(ctx, expr, time.Now().Add(d)); err != nil {
		b.t.Logf("the page's state: %s", get(b, ctx, "the page's state", chromedp.Evaluate[string](`JSON.stringify(window.onestopDisplay || window.onestopTicket || null)`)))
		b.t.Fatalf("%s: not within %s (%s): %v", what, d, expr, err)
	}
}

// text returns the text content of the element selected by css, or "".
func text(b *browser, ctx context.Context, css string) string {
	b.t.Helper()
	return get(b, ctx, "text of "+css, chromedp.Evaluate[string](
		fmt.Sprintf(`(document.querySelector(%q) || {}).textContent || ""`, css)))
}

func spokenLog(b *browser, ctx context.Context) []announcement {
	b.t.Helper()
	return get(b, ctx, "read onestopDisplay.spoken", chromedp.Evaluate[[]announcement](`window.onestopDisplay.spoken`))
}

// printedURL is the address the kiosk prints in the slip's QR code:
// scheme and host in capitals, the path as it is.
func printedURL(base, token string) string {
	u, _ := url.Parse(base)
	return strings.ToUpper(u.Scheme) + "://" + strings.ToUpper(u.Host) + "/t/" + token
}

type hallClients struct {
	kiosk, wangfang, zhangwei *client.Client
}

// clients are the kiosk (its device token) and two counter staff.
func clients(t *testing.T, h *halltest.Hall) hallClients {
	t.Helper()
	k, err := client.New(h.URL, client.WithToken(h.KioskToken))
	if err != nil {
		t.Fatal(err)
	}
	return hallClients{kiosk: k, wangfang: login(t, h, "wangfang", "demo-counter-1"), zhangwei: login(t, h, "zhangwei", "demo-counter-2")}
}

// login signs a staff member in through the typed client.
func login(t *testing.T, h *halltest.Hall, user, pass string) *client.Client {
	t.Helper()
	c, err := client.New(h.URL)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Login(context.Background(), user, pass); err != nil {
		t.Fatalf("login %s: %v", user, err)
	}
	return c
}

func issue(t *testing.T, k *client.Client, q string) api.IssuedTicket {
	t.Helper()
	tk, err := k.IssueTicket(context.Background(), api.IssueRequest{Queue: q})
	if err != nil {
		t.Fatalf("issue a ticket in %s: %v", q, err)
	}
	return tk
}

func ok(t *testing.T, what string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

func must[T any](t *testing.T, what string) func(T, error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		return v
	}
}

// checkQueued checks that announcements never overlap: each chime starts
// after the announcement before ended, each utterance after the one
// before it, and each announcement's chime comes before its words.
func checkQueued(t *testing.T, log []announcement) {
	t.Helper()
	var prevEnd float64
	for i, a := range log {
		if a.End == 0 {
			continue // still being said
		}
		if a.ChimeStart < prevEnd {
			t.Errorf("announcement %d (%s at %s) chimed %.0f ms before the one before it ended", i, a.Number, a.Window, prevEnd-a.ChimeStart)
		}
		if a.ChimeEnd-a.ChimeStart < 500 || a.ChimeEnd > a.Start {
			t.Errorf("announcement %d (%s): chime %.0f–%.0f, words from %.0f: no chime before the words", i, a.Number, a.ChimeStart, a.ChimeEnd, a.Start)
		}
		last := a.ChimeEnd
		for j, p := range a.Parts {
			if p.Start < last {
				t.Errorf("announcement %d (%s) part %d started %.0f ms before the part before it ended", i, a.Number, j, last-p.Start)
			}
			if p.End < p.Start || p.End > a.End {
				t.Errorf("announcement %d (%s) part %d: %.0f–%.0f, outside the announcement (ended %.0f)", i, a.Number, j, p.Start, p.End, a.End)
			}
			last = p.End
		}
		prevEnd = a.End
	}
}

// TestDisplayAndPhone: a call from a counter reaches the call display and
// the ticket's phone page within a second, without reload; calls are
// announced one after another after a chime, a recall again; a board whose
// speech never reports an end still moves on.
func TestDisplayAndPhone(t *testing.T) {
	b := newBrowser(t)
	h := b.hall
	c := clients(t, h)
	ctx := context.Background()

	a1 := issue(t, c.kiosk, "A")
	issue(t, c.kiosk, "A")
	a3 := issue(t, c.kiosk, "A")
	issue(t, c.kiosk, "B")
	issue(t, c.kiosk, "C")
	issue(t, c.kiosk, "C")

	// The board, sized as a 1080p TV, with a speech engine that has voices.
	board := b.tab()
	b.run(board, "open the display", withFakeSpeech("speak"), tv(), chromedp.Navigate(h.URL+"/display"))
	waitFor(b, board, "the board loads with the waiting counts", `document.querySelector("#queues li") &&
		[...document.querySelectorAll("#queues li")].some(li => li.textContent.startsWith("A") && li.querySelector("b").textContent === "3")`, 5*time.Second)
	if get(b, board, "unlock overlay", chromedp.Evaluate[bool](`document.getElementById("unlock").classList.contains("hidden")`)) == false {
		t.Errorf("the sound overlay shows though the browser allows sound (autoplay allowed)")
	}
	if got := text(b, board, "#windows"); !strings.Contains(got, "窗口尚未开放") {
		t.Errorf("no window open: board says %q", got)
	}
	b.screenshot(board, "display_idle")

	// A second board whose speech engine never fires end or error.
	silent := b.tab()
	b.run(silent, "open a silent-engine display", withFakeSpeech("silent"), chromedp.Navigate(h.URL+"/display?repeat=1"))
	waitFor(b, silent, "the silent board loads", `document.querySelector("#queues li")`, 5*time.Second)

	// The phone of the third ticket in line, then of the first.
	ph := b.tab()
	b.run(ph, "open the phone page of A003", withLanguage("zh-CN"), phone(), chromedp.Navigate(printedURL(h.URL, a3.Token)))
	waitFor(b, ph, "A003 waits with 2 ahead", `document.querySelector("#tk-state[data-state=issued]") &&
		document.getElementById("tk-ahead").textContent === "2 人"`, 5*time.Second)
	if got := text(b, ph, "#app"); !strings.Contains(got, "A003") || !strings.Contains(got, "综合受理") || !strings.Contains(got, "预计等候") {
		t.Errorf("waiting page says %q", got)
	}
	b.screenshot(ph, "ticket_waiting_zh")
	b.run(ph, "open the phone page of A001", chromedp.Navigate(printedURL(h.URL, a1.Token)))
	waitFor(b, ph, "A001 is next", `document.getElementById("tk-ahead") && document.getElementById("tk-ahead").textContent === "下一位就是您"`, 5*time.Second)

	ok(t, "open window 1", c.wangfang.OpenWindow(ctx, 1))
	waitFor(b, board, "window 1 appears on the board", `document.getElementById("window-1")`, 2*time.Second)

	// The call: board and phone within a second of it.
	call := must[api.StaffTicket](t, "call next at window 1")(c.wangfang.CallNext(ctx, 1))
	deadline := time.Now().Add(time.Second)
	if call.Number != "A001" {
		t.Fatalf("called %s, want A001", call.Number)
	}
	var wg sync.WaitGroup
	var boardErr, phoneErr error
	wg.Add(2)
	go func() {
		defer wg.Done()
		boardErr = poll(board, `document.querySelector("#window-1 .tile-number").textContent === "A001" &&
			document.getElementById("now-number").textContent === "A001"`, deadline)
	}()
	go func() {
		defer wg.Done()
		phoneErr = poll(ph, `document.querySelector("#tk-state[data-state=called]") &&
			document.getElementById("tk-go").textContent === "请到 1 号窗口办理"`, deadline)
	}()
	wg.Wait()
	if boardErr != nil {
		t.Errorf("the board did not show A001 at window 1 within a second of the call: %v (shows %q)", boardErr, text(b, board, "#window-1"))
	}
	if phoneErr != nil {
		t.Errorf("the phone did not say go to window 1 within a second of the call: %v (says %q)", phoneErr, text(b, ph, "#app"))
	}
	if got := text(b, board, "#now-window"); got != "1号窗口 办理" {
		t.Errorf("now calling says %q", got)
	}
	if got := text(b, board, "#recent li"); !strings.Contains(got, "A001") || !strings.Contains(got, "1号窗口") {
		t.Errorf("recent calls: %q", got)
	}
	if n := get(b, ph, "vibrations", chromedp.Evaluate[int](`window.onestopTicket.vibrated`)); n != 1 {
		t.Errorf("the phone noticed the call %d times, want 1", n)
	}
	b.screenshot(ph, "ticket_called_zh")

	// The call is announced: chime, then the sentence twice (the default).
	waitFor(b, board, "A001 announced", `window.onestopDisplay.spoken.some(a => a.number === "A001" && a.end)`, 6*time.Second)
	first := spokenLog(b, board)[0]
	if first.Text != "请A零零一号，到一号窗口办理" || len(first.Parts) != 2 || first.Parts[0].Via != "end" {
		t.Errorf("first announcement: %+v", first)
	}
	b.screenshot(board, "display_tv")

	// Two quick calls, from window 1 and window 2.
	must[api.StaffTicket](t, "start")(c.wangfang.Act(ctx, 1, "start", api.ActionRequest{}))
	must[api.StaffTicket](t, "finish")(c.wangfang.Act(ctx, 1, "finish", api.ActionRequest{}))
	ok(t, "open window 2", c.zhangwei.OpenWindow(ctx, 2))
	if n := must[api.StaffTicket](t, "call at 1")(c.wangfang.CallNext(ctx, 1)).Number; n != "A002" {
		t.Fatalf("window 1 called %s, want A002", n)
	}
	if n := must[api.StaffTicket](t, "call at 2")(c.zhangwei.CallNext(ctx, 2)).Number; n != "A003" {
		t.Fatalf("window 2 called %s, want A003", n)
	}
	waitFor(b, board, "both shown", `document.querySelector("#window-1 .tile-number").textContent === "A002" &&
		document.querySelector("#window-2 .tile-number").textContent === "A003"`, time.Second)
	waitFor(b, board, "both announced", `window.onestopDisplay.spoken.filter(a => a.end).length >= 3`, 12*time.Second)

	// A recall is announced again.
	must[api.StaffTicket](t, "recall")(c.wangfang.Act(ctx, 1, "recall", api.ActionRequest{}))
	waitFor(b, board, "the recall announced", `window.onestopDisplay.spoken.some(a => a.kind === "recall" && a.number === "A002" && a.end)`, 8*time.Second)
	waitFor(b, board, "window 1 says called again", `document.querySelector("#window-1 .tile-state").textContent.startsWith("再次呼叫")`, time.Second)

	log := spokenLog(b, board)
	var order []string
	for _, a := range log {
		order = append(order, a.Kind+" "+a.Number+"@"+a.Window)
	}
	if want := []string{"call A001@1", "call A002@1", "call A003@2", "recall A002@1"}; strings.Join(order, ", ") != strings.Join(want, ", ") {
		t.Errorf("announced %v, want %v", order, want)
	}
	checkQueued(t, log)
	engine := get(b, board, "the speech engine's record", chromedp.Evaluate[struct {
		Cancels  int `json:"cancels"`
		Overlaps int `json:"overlaps"`
		Log      []struct {
			Text  string  `json:"text"`
			Voice string  `json:"voice"`
			Start float64 `json:"start"`
			End   float64 `json:"end"`
		} `json:"log"`
	}](`speechSynthesis`))
	if engine.Cancels != 0 || engine.Overlaps != 0 {
		t.Errorf("the board cancelled speech %d times and spoke over itself %d times", engine.Cancels, engine.Overlaps)
	}
	if len(engine.Log) != 8 {
		t.Errorf("the engine was asked to say %d sentences, want 8 (4 announcements × 2)", len(engine.Log))
	}
	for i, u := range engine.Log {
		if u.Voice != "Test 中文" {
			t.Errorf("utterance %d in voice %q, want the Chinese one", i, u.Voice)
		}
		if i > 0 && u.Start < engine.Log[i-1].End {
			t.Errorf("utterance %d (%s) started before the one before it ended", i, u.Text)
		}
	}

	// The silent engine: each utterance ends by the timeout, and the next
	// announcement still waits for it.
	waitFor(b, silent, "the silent board moves on", `window.onestopDisplay.spoken.length >= 2`, 15*time.Second)
	slog := spokenLog(b, silent)
	if slog[0].End == 0 || len(slog[0].Parts) != 1 || slog[0].Parts[0].Via != "timeout" {
		t.Errorf("silent engine, first announcement: %+v", slog[0])
	}
	checkQueued(t, slog)
}

// TestDisplayReconnects: the board loses its connection (the network
// drops; then the hall server's proxy answers 503, which ends an
// EventSource for good), marks it, and when back shows and announces the
// calls made meanwhile.
func TestDisplayReconnects(t *testing.T) {
	b := newBrowser(t)
	h := b.hall
	c := clients(t, h)
	ctx := context.Background()
	for range 3 {
		issue(t, c.kiosk, "A")
	}
	ok(t, "open window 1", c.wangfang.OpenWindow(ctx, 1))
	ok(t, "open window 2", c.zhangwei.OpenWindow(ctx, 2))

	px := newCutProxy(t, h.URL)
	board := b.tab()
	b.run(board, "open the display", tv(), chromedp.Navigate(px.URL()+"/display"))
	waitFor(b, board, "connected", `window.onestopDisplay.connected && document.getElementById("window-2")`, 5*time.Second)

	for _, mode := range []string{"drop", "503"} {
		px.cut(mode)
		waitFor(b, board, mode+": the board marks the loss", `!document.getElementById("conn").classList.contains("hidden")`, 6*time.Second)
		var called api.StaffTicket
		switch mode {
		case "drop":
			called = must[api.StaffTicket](t, "call at 1")(c.wangfang.CallNext(ctx, 1))
		case "503":
			called = must[api.StaffTicket](t, "call at 2")(c.zhangwei.CallNext(ctx, 2))
		}
		if mode == "503" {
			waitFor(b, board, "the browser gives the stream up", `window.onestopDisplay.restarts >= 1`, 6*time.Second)
		}
		time.Sleep(300 * time.Millisecond) // the call happens while the board is away
		if got := text(b, board, "#window-"+called.Window+" .tile-number"); got == called.Number {
			t.Fatalf("%s: the board shows %s though cut off", mode, got)
		}
		px.restore()
		waitFor(b, board, mode+": back, with the call made meanwhile",
			fmt.Sprintf(`document.getElementById("conn").classList.contains("hidden") &&
				document.querySelector("#window-%s .tile-number").textContent === %q`, called.Window, called.Number), 10*time.Second)
		waitFor(b, board, mode+": the missed call announced",
			fmt.Sprintf(`window.onestopDisplay.spoken.some(a => a.number === %q)`, called.Number), 3*time.Second)
	}
	b.screenshot(board, "display_reconnected")
	waitFor(b, board, "announcements done", `window.onestopDisplay.spoken.every(a => a.end)`, 15*time.Second)
	log := spokenLog(b, board)
	if len(log) != 2 {
		t.Errorf("announced %d calls, want 2 (each missed call once): %+v", len(log), log)
	}
	checkQueued(t, log)
	if n := get(b, board, "reconnects", chromedp.Evaluate[int](`window.onestopDisplay.reconnects`)); n < 2 {
		t.Errorf("reconnected %d times, want 2", n)
	}

	// And live again: a call now shows within a second.
	must[api.StaffTicket](t, "finish at 1")(c.wangfang.Act(ctx, 1, "start", api.ActionRequest{}))
	must[api.StaffTicket](t, "finish at 1")(c.wangfang.Act(ctx, 1, "finish", api.ActionRequest{}))
	next := must[api.StaffTicket](t, "call at 1")(c.wangfang.CallNext(ctx, 1))
	if err := poll(board, fmt.Sprintf(`document.querySelector("#window-1 .tile-number").textContent === %q`, next.Number), time.Now().Add(time.Second)); err != nil {
		t.Errorf("after reconnecting, a call did not show within a second: %v", err)
	}

	// A busy hall: every window open, most of them calling.
	sup := login(t, h, "zhuren", "demo-supervisor")
	for _, q := range []string{"B", "B", "C", "C", "D", "D", "E", "F", "F", "F"} {
		issue(t, c.kiosk, q)
	}
	for w := 3; w <= 14; w++ {
		ok(t, fmt.Sprintf("open window %d", w), sup.OpenWindow(ctx, w))
		if w%4 != 0 {
			must[api.StaffTicket](t, fmt.Sprintf("call at %d", w))(sup.CallNext(ctx, w))
		}
	}
	waitFor(b, board, "14 windows", `document.querySelectorAll(".tile").length === 14 && document.querySelector("#window-14 .tile-number").textContent !== "—"`, 2*time.Second)
	b.screenshot(board, "display_busy")
}

// TestTicketPageEnglish: the phone page in English (the phone's language,
// or the button), through called, serving and done, rating the visit; and
// an unknown token.
func TestTicketPageEnglish(t *testing.T) {
	b := newBrowser(t)
	h := b.hall
	c := clients(t, h)
	ctx := context.Background()
	a1 := issue(t, c.kiosk, "A")
	a2 := issue(t, c.kiosk, "A")

	ph := b.tab()
	b.run(ph, "open the phone page in English", withLanguage("en-US"), phone(), chromedp.Navigate(printedURL(h.URL, a2.Token)))
	waitFor(b, ph, "English, one ahead", `document.getElementById("tk-ahead") && document.getElementById("tk-ahead").textContent === "1"`, 5*time.Second)
	got := text(b, ph, "body")
	for _, want := range []string{"Your number", "A002", "General services (queue A)", "People ahead of you", "Estimated wait", "中文"} {
		if !strings.Contains(got, want) {
			t.Errorf("English waiting page lacks %q: %q", want, got)
		}
	}
	if get(b, ph, "lang", chromedp.Evaluate[string](`document.documentElement.lang`)) != "en" {
		t.Errorf("html lang is not en")
	}
	b.screenshot(ph, "ticket_waiting_en")

	// The button switches, and the choice stays over a reload.
	b.run(ph, "switch to Chinese", chromedp.Click(chromedp.ID("lang")))
	waitFor(b, ph, "Chinese", `document.body.textContent.includes("前面还有")`, time.Second)
	b.run(ph, "reload", chromedp.Reload())
	waitFor(b, ph, "still Chinese", `document.getElementById("tk-ahead") && document.body.textContent.includes("前面还有")`, 5*time.Second)
	b.run(ph, "switch to English", chromedp.Click(chromedp.ID("lang")))
	waitFor(b, ph, "English again", `document.body.textContent.includes("People ahead of you")`, time.Second)

	// The one ahead is called and served: one fewer ahead, live.
	ok(t, "open window 1", c.wangfang.OpenWindow(ctx, 1))
	if n := must[api.StaffTicket](t, "call")(c.wangfang.CallNext(ctx, 1)).Number; n != a1.Number {
		t.Fatalf("called %s, want %s", n, a1.Number)
	}
	waitFor(b, ph, "you are next", `document.getElementById("tk-ahead").textContent === "You are next"`, 2*time.Second)
	must[api.StaffTicket](t, "start")(c.wangfang.Act(ctx, 1, "start", api.ActionRequest{}))
	must[api.StaffTicket](t, "finish")(c.wangfang.Act(ctx, 1, "finish", api.ActionRequest{}))

	must[api.StaffTicket](t, "call A002")(c.wangfang.CallNext(ctx, 1))
	deadline := time.Now().Add(time.Second)
	if err := poll(ph, `document.getElementById("tk-go") && document.getElementById("tk-go").textContent === "Please go to window 1 now"`, deadline); err != nil {
		t.Errorf("English phone: no call within a second: %v (%q)", err, text(b, ph, "#app"))
	}
	b.screenshot(ph, "ticket_called_en")
	must[api.StaffTicket](t, "recall")(c.wangfang.Act(ctx, 1, "recall", api.ActionRequest{}))
	waitFor(b, ph, "called again", `document.body.textContent.includes("You are being called again")`, 2*time.Second)
	must[api.StaffTicket](t, "start")(c.wangfang.Act(ctx, 1, "start", api.ActionRequest{}))
	waitFor(b, ph, "being served", `document.getElementById("tk-state").dataset.state === "serving" &&
		document.body.textContent.includes("Being served at window 1")`, 2*time.Second)
	must[api.StaffTicket](t, "finish")(c.wangfang.Act(ctx, 1, "finish", api.ActionRequest{}))
	waitFor(b, ph, "done", `document.body.textContent.includes("Your visit is complete")`, 2*time.Second)

	waitFor(b, ph, "the rating form", `document.querySelector("#tk-rate [data-level]")`, 2*time.Second)
	b.screenshot(ph, "ticket_done_en")

	// Rating the visit from the phone: a level, a reason, a comment.
	b.run(ph, "choose satisfied", chromedp.Click(chromedp.CSS(`#tk-rate [data-level="4"]`)))
	b.run(ph, "choose a reason", chromedp.Click(chromedp.CSS(`#tk-rate [data-reason="quick"]`)))
	b.run(ph, "write a comment", chromedp.SendKeys(chromedp.ID("tk-comment"), "Fast, thanks"))
	b.screenshot(ph, "ticket_rate_en")
	b.run(ph, "send", chromedp.Click(chromedp.ID("tk-send")))
	waitFor(b, ph, "thanked", `document.getElementById("tk-rate").textContent === "Thank you for your rating"`, 2*time.Second)
	sup := login(t, h, "zhuren", "demo-supervisor")
	ratings := must[[]api.Rating](t, "ratings")(sup.Ratings(ctx, client.RatingFilter{}))
	if len(ratings) != 1 || ratings[0].TicketNumber != a2.Number || ratings[0].Level != 4 || ratings[0].Channel != "phone" ||
		strings.Join(ratings[0].Reasons, ",") != "quick" || ratings[0].Comment != "Fast, thanks" || ratings[0].Window != "1" {
		t.Errorf("recorded ratings: %+v", ratings)
	}
	b.run(ph, "reload", chromedp.Reload())
	waitFor(b, ph, "still thanked", `document.getElementById("tk-rate") && document.getElementById("tk-rate").textContent === "Thank you for your rating"`, 5*time.Second)
	b.run(ph, "forget the rating and reload", chromedp.Evaluate[chromedp.Void](`localStorage.clear()`), chromedp.Reload())
	b.run(ph, "rate again", chromedp.Click(chromedp.CSS(`#tk-rate [data-level="5"]`)), chromedp.Click(chromedp.ID("tk-send")))
	waitFor(b, ph, "rated already", `document.getElementById("tk-rate").textContent === "This visit has already been rated. Thank you!"`, 2*time.Second)

	// A token that is no ticket.
	b.run(ph, "open an unknown ticket", chromedp.Navigate(h.URL+"/t/nosuchticket"))
	waitFor(b, ph, "not found", `document.body.textContent.includes("We could not find this number")`, 5*time.Second)
}

// TestDisplaySoundUnlock: where the browser blocks sound until a tap (no
// autoplay flag), the board asks once, and a tap enables the sound.
func TestDisplaySoundUnlock(t *testing.T) {
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium(t)), chromedp.NoSandbox, chromedp.WindowSize(1920, 1080))
	alloc, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancel)
	b := &browser{t: t, alloc: alloc, hall: halltest.New(t, halltest.Options{})}
	board := b.tab()
	b.run(board, "open the display", withFakeSpeech("speak"), tv(), chromedp.Navigate(b.hall.URL+"/display"))
	b.run(board, "the overlay asks for a tap", chromedp.WaitVisible(chromedp.ID("unlock-button")))
	if got := text(b, board, "#unlock-button"); !strings.Contains(got, "点击开启语音播报") || !strings.Contains(got, "Tap to enable sound") {
		t.Errorf("overlay says %q", got)
	}
	b.screenshot(board, "display_unlock")
	b.run(board, "tap", chromedp.Click(chromedp.ID("unlock-button")))
	waitFor(b, board, "sound on, overlay gone", `window.onestopDisplay.unlocked && document.getElementById("unlock").classList.contains("hidden")`, 2*time.Second)
	if v := get(b, board, "remembered", chromedp.Evaluate[string](`localStorage.getItem("onestop.display.sound")`)); v != "on" {
		t.Errorf("the tap was not remembered: %q", v)
	}
	// A call is announced now.
	c := clients(t, b.hall)
	issue(t, c.kiosk, "A")
	ok(t, "open window 1", c.wangfang.OpenWindow(context.Background(), 1))
	must[api.StaffTicket](t, "call")(c.wangfang.CallNext(context.Background(), 1))
	waitFor(b, board, "announced after the tap", `window.onestopDisplay.spoken.some(a => a.number === "A001" && a.parts.length)`, 4*time.Second)
}

// cutProxy stands between the browser and the hall server and can cut
// the connection: "drop" closes every connection and refuses new ones (a
// network loss); "503" closes them and answers every request with 503.
type cutProxy struct {
	ln     net.Listener
	target string
	mu     sync.Mutex
	mode   string
	conns  map[net.Conn]bool
}

func newCutProxy(t *testing.T, target string) *cutProxy {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &cutProxy{ln: ln, target: u.Host, conns: map[net.Conn]bool{}}
	t.Cleanup(func() {
		ln.Close()
		p.cut("drop")
	})
	go p.serve()
	return p
}

func (p *cutProxy) URL() string { return "http://" + p.ln.Addr().String() }

func (p *cutProxy) serve() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		go p.handle(c)
	}
}

func (p *cutProxy) handle(c net.Conn) {
	p.mu.Lock()
	mode := p.mode
	p.mu.Unlock()
	switch mode {
	case "drop":
		c.Close()
		return
	case "503":
		defer c.Close()
		req, err := http.ReadRequest(bufio.NewReader(c))
		if err != nil {
			return
		}
		io.Copy(io.Discard, req.Body)
		io.WriteString(c, "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain\r\nContent-Length: 5\r\nConnection: close\r\n\r\naway\n")
		return
	}
	up, err := net.Dial("tcp", p.target)
	if err != nil {
		c.Close()
		return
	}
	if !p.track(c, up) {
		return
	}
	go func() {
		io.Copy(up, c)
		up.Close()
	}()
	io.Copy(c, up)
	c.Close()
	p.untrack(c, up)
}

// track records a connection pair, unless a cut came in between.
func (p *cutProxy) track(c, up net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.mode != "" {
		c.Close()
		up.Close()
		return false
	}
	p.conns[c], p.conns[up] = true, true
	return true
}

func (p *cutProxy) untrack(c, up net.Conn) {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.conns, c)
	delete(p.conns, up)
}

func (p *cutProxy) cut(mode string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.mode = mode
	for c := range p.conns {
		c.Close()
	}
	clear(p.conns)
}

func (p *cutProxy) restore() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.mode = ""
}
