package webtests

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"onestop/hallserver/api"
	"onestop/hallserver/client"
)

// The console tests' helpers are named cs… to keep them apart from the
// other pages' tests in this package.

// csScriptErrors fails the test on any uncaught script exception in
// the tab, and logs what the page writes to the console as errors.
func csScriptErrors(b *browser, ctx context.Context) {
	b.t.Helper()
	var mu sync.Mutex
	var thrown, logged []string
	err := chromedp.Listen(ctx, func(ev any) {
		mu.Lock()
		defer mu.Unlock()
		switch e := ev.(type) {
		case *runtime.EventExceptionThrown:
			d := e.ExceptionDetails
			msg := d.Text
			if d.Exception != nil {
				msg += " " + d.Exception.Description
			}
			thrown = append(thrown, fmt.Sprintf("%s:%d: %s", d.URL, d.LineNumber+1, msg))
		case *runtime.EventConsoleAPICalled:
			if e.Type == runtime.ConsoleAPICalledTypeError {
				var parts []string
				for _, a := range e.Args {
					parts = append(parts, a.Description+string(a.Value))
				}
				logged = append(logged, strings.Join(parts, " "))
			}
		}
	})
	if err != nil {
		b.t.Fatal(err)
	}
	b.t.Cleanup(func() {
		mu.Lock()
		defer mu.Unlock()
		for _, l := range logged {
			b.t.Logf("console error: %s", l)
		}
		for _, x := range thrown {
			b.t.Errorf("uncaught script error: %s", x)
		}
	})
}

// csWait polls the page until the JavaScript condition holds, at most
// within; what says what was awaited.
func csWait(b *browser, ctx context.Context, what, cond string, within time.Duration) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(ctx, within+5*time.Second)
	defer cancel()
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](cond, chromedp.WithPollingTimeout(within), chromedp.WithPollingInterval(20*time.Millisecond))); err != nil {
		text, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById("app").innerText`))
		b.t.Fatalf("%s: not within %v (%v); the page says:\n%s", what, within, err, text)
	}
}

// csText is a JavaScript expression: the text of the element with id.
func csText(id string) string {
	return fmt.Sprintf(`(document.getElementById(%q)?.textContent ?? "")`, id)
}

// csHas is a condition: the element with id contains s.
func csHas(id, s string) string {
	return fmt.Sprintf(`%s.includes(%q)`, csText(id), s)
}

// csStaff signs a typed client in.
func csStaff(t *testing.T, url, user, pass string) *client.Client {
	t.Helper()
	c, err := client.New(url)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Login(context.Background(), user, pass); err != nil {
		t.Fatalf("login %s: %v", user, err)
	}
	return c
}

// csKiosk is the test hall's kiosk K01.
func csKiosk(t *testing.T, b *browser) *client.Client {
	t.Helper()
	k, err := client.New(b.hall.URL, client.WithToken(b.hall.KioskToken))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func csIssue(t *testing.T, k *client.Client, q string) api.IssuedTicket {
	t.Helper()
	it, err := k.IssueTicket(context.Background(), api.IssueRequest{Queue: q})
	if err != nil {
		t.Fatalf("issue a ticket of %s: %v", q, err)
	}
	return it
}

// csTicket finds today's ticket by its number.
func csTicket(t *testing.T, c *client.Client, number string) api.StaffTicket {
	t.Helper()
	ts, err := c.Tickets(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range ts {
		if x.Number == number {
			return x
		}
	}
	t.Fatalf("no ticket %s today", number)
	return api.StaffTicket{}
}

// signInConsole opens /console and signs in as user; it waits for the
// window list.
func signInConsole(b *browser, ctx context.Context, user, pass string) {
	b.t.Helper()
	b.run(ctx, "sign in as "+user,
		chromedp.Navigate(b.hall.URL+"/console"),
		chromedp.WaitVisible("#login-username"),
		chromedp.SendKeys("#login-username", user),
		chromedp.SendKeys("#login-password", pass),
		chromedp.Click("#login-submit"),
		chromedp.WaitVisible("#window-choose"),
		chromedp.WaitVisible("#window-1"))
}

// openWindow1 opens window 1 from the window list.
func openWindow1(b *browser, ctx context.Context) {
	b.t.Helper()
	b.run(ctx, "open window 1", chromedp.Click("#window-1"), chromedp.WaitVisible("#act-next"))
	csWait(b, ctx, "the live connection", csHas("live", "实时"), 5*time.Second)
}

// TestConsoleSignIn: a wrong password is refused in words on the form;
// the right one shows the window list; a kiosk's role may not use it.
func TestConsoleSignIn(t *testing.T) {
	b := newBrowser(t)
	ctx := b.tab()
	csScriptErrors(b, ctx)
	b.run(ctx, "wrong password",
		chromedp.Navigate(b.hall.URL+"/console"),
		chromedp.WaitVisible("#login-username"),
		chromedp.SendKeys("#login-username", "wangfang"),
		chromedp.SendKeys("#login-password", "not-the-password"),
		chromedp.Click("#login-submit"))
	csWait(b, ctx, "the refusal", csHas("login-error", "wrong username or password"), 5*time.Second)
	b.screenshot(ctx, "console_login")

	signInConsole(b, ctx, "wangfang", "demo-counter-1")
	if who := get(b, ctx, "who", chromedp.Evaluate[string](csText("who"))); who == "" {
		t.Error("the console does not say who is signed in")
	}
	// The session cookie is HttpOnly: the page's scripts cannot read it.
	if ck := get(b, ctx, "cookies", chromedp.Evaluate[string](`document.cookie`)); regexp.MustCompile(`onestop_session`).MatchString(ck) {
		t.Errorf("the page's script can read the session cookie: %q", ck)
	}
	b.screenshot(ctx, "console_choose")

	// Signing out leads back to the form.
	b.run(ctx, "sign out", chromedp.Click("#sign-out"), chromedp.WaitVisible("#login-username"))

	// A technician may sign in, but not use the console.
	b.run(ctx, "technician",
		chromedp.SendKeys("#login-username", "yunwei"),
		chromedp.SendKeys("#login-password", "demo-technician"),
		chromedp.Click("#login-submit"))
	csWait(b, ctx, "the technician's refusal", csHas("login-error", "technician"), 5*time.Second)
}

// TestConsoleServe: open window 1; tickets a kiosk issues show in the
// waiting count live; call next shows A001 within a second without a
// reload; start and finish with an accepted application; the N key calls
// A002, which is transferred to queue B with return and leaves the
// window; A003 is held and shows as held; server errors are shown in
// words near the buttons.
func TestConsoleServe(t *testing.T) {
	b := newBrowser(t)
	ctx := b.tab()
	csScriptErrors(b, ctx)
	kiosk := csKiosk(t, b)
	super := csStaff(t, b.hall.URL, "zhuren", "demo-supervisor")

	signInConsole(b, ctx, "wangfang", "demo-counter-1")
	openWindow1(b, ctx)
	b.run(ctx, "mark the page", chromedp.Evaluate[chromedp.Void](`window.__noReload = 1`))

	// Nothing waits yet: the server's refusal, in words, near the buttons.
	b.run(ctx, "call with nobody waiting", chromedp.Click("#act-next"))
	csWait(b, ctx, "the nothing-waiting message", csHas("action-error", "现在没有人等候"), 5*time.Second)

	csIssue(t, kiosk, "A")
	csIssue(t, kiosk, "A")
	csWait(b, ctx, "2 waiting in A, live", csHas("waiting-A", "2"), time.Second)
	b.screenshot(ctx, "console_window")

	b.run(ctx, "call next", chromedp.Click("#act-next"))
	csWait(b, ctx, "A001 called within a second", csHas("cur-number", "A001")+` && `+csHas("cur-state", "已呼叫"), time.Second)
	csWait(b, ctx, "1 waiting in A", csHas("waiting-A", "1"), time.Second)
	if got := csTicket(t, super, "A001"); got.State != "called" || got.Window != "1" {
		t.Fatalf("A001 after call next: %+v", got)
	}

	// S starts serving; the error line is cleared by a good action.
	b.run(ctx, "start", chromedp.KeyEvent("s"))
	csWait(b, ctx, "A001 serving", csHas("cur-state", "办理中")+` && `+csText("action-error")+` === ""`, time.Second)
	b.screenshot(ctx, "console_serving")

	// F opens the finish form; the outcome: an application accepted.
	b.run(ctx, "finish with an application",
		chromedp.KeyEvent("f"),
		chromedp.WaitVisible("#finish-confirm"),
		chromedp.Click("#outcome-application"),
		chromedp.WaitVisible("#app-name"),
		chromedp.SetValue("#app-item", "WJ-HS-001"),
		chromedp.SendKeys("#app-name", "张三"),
		chromedp.SendKeys("#app-id", "520102199007140243"))
	b.screenshot(ctx, "console_finish")
	b.run(ctx, "confirm the finish", chromedp.Click("#finish-confirm"))
	csWait(b, ctx, "the application's number", `/^520000-TEST-\d{8}-\d{5}$/.test(`+csText("app-number")+`)`, 5*time.Second)
	csWait(b, ctx, "the window free again", csText("cur-number")+` === "—"`, time.Second)
	appNo := get(b, ctx, "application number", chromedp.Evaluate[string](csText("app-number")))
	a1 := csTicket(t, super, "A001")
	if a1.State != "done" {
		t.Errorf("A001 after finish: %+v", a1)
	}
	app, err := super.Application(context.Background(), appNo)
	if err != nil {
		t.Fatalf("application %s: %v", appNo, err)
	}
	if app.TicketID != a1.ID || app.Item != "WJ-HS-001" || app.ApplicantMasked == "" || app.Window != "1" {
		t.Errorf("application %+v: want ticket %d, item WJ-HS-001", app, a1.ID)
	}
	if page := get(b, ctx, "page text", chromedp.Evaluate[string](`document.body.innerText`)); regexp.MustCompile(`520102199007140243`).MatchString(page) {
		t.Error("the full ID number stays on the page after the acceptance")
	}

	// The N key calls A002; T transfers it to queue B with return.
	b.run(ctx, "N calls next", chromedp.KeyEvent("n"))
	csWait(b, ctx, "A002 called by the N key", csHas("cur-number", "A002"), time.Second)
	b.run(ctx, "transfer to B with return",
		chromedp.KeyEvent("t"),
		chromedp.WaitVisible("#transfer-confirm"),
		chromedp.SetValue("#to-queue", "B"),
		chromedp.Click("#to-return"))
	b.screenshot(ctx, "console_transfer")
	b.run(ctx, "confirm the transfer", chromedp.Click("#transfer-confirm"))
	csWait(b, ctx, "A002 leaves the window", csText("cur-number")+` === "—" && `+csHas("action-note", "A002"), time.Second)
	csWait(b, ctx, "A002 in the recent calls, sent to B", csHas("recent-A002", "已转移")+` && `+csHas("recent-A002", "B 出入境"), time.Second)
	a2 := csTicket(t, super, "A002")
	if a2.State != "transferred" || a2.Queue != "B" || a2.ReturnQueue != "A" || a2.ReturnWindow != "1" || a2.Window != "" {
		t.Errorf("A002 after the transfer: %+v; want transferred to B, returning to A at window 1", a2)
	}

	// A003: called, then held for 10 minutes; it shows as held.
	csIssue(t, kiosk, "A")
	b.run(ctx, "call A003", chromedp.Click("#act-next"))
	csWait(b, ctx, "A003 called", csHas("cur-number", "A003"), time.Second)
	b.run(ctx, "hold",
		chromedp.KeyEvent("h"),
		chromedp.WaitVisible("#hold-confirm"),
		chromedp.Click("#hold-confirm"))
	csWait(b, ctx, "A003 shows as held", csHas("aside-A003", "暂挂")+` && `+csText("cur-number")+` === "—"`, time.Second)
	b.screenshot(ctx, "console_held")
	a3 := csTicket(t, super, "A003")
	if a3.State != "held" || a3.TargetWindow != "1" || a3.HoldUntil.Sub(time.Now()) < 9*time.Minute {
		t.Errorf("A003 after the hold: %+v; want held for 10 minutes for window 1", a3)
	}

	// A change made elsewhere reaches the page live: the supervisor calls
	// A003 back at window 1.
	if _, err := super.CallNumber(context.Background(), 1, "A003", "back early"); err != nil {
		t.Fatal(err)
	}
	csWait(b, ctx, "A003 called by the supervisor, live", csHas("cur-number", "A003"), time.Second)
	if v := get(b, ctx, "no reload", chromedp.Evaluate[int](`window.__noReload || 0`)); v != 1 {
		t.Error("the page reloaded")
	}

	// Closing the window with a ticket at it is refused in words.
	b.run(ctx, "close with a ticket", chromedp.Click("#close-window"))
	csWait(b, ctx, "the refusal to close", csHas("action-error", "当前状态不允许此操作"), 5*time.Second)
}

// TestConsoleCSRF: a state change from the signed-in page without the
// X-CSRF-Token header is refused and changes nothing.
func TestConsoleCSRF(t *testing.T) {
	b := newBrowser(t)
	ctx := b.tab()
	csScriptErrors(b, ctx)
	super := csStaff(t, b.hall.URL, "zhuren", "demo-supervisor")
	signInConsole(b, ctx, "wangfang", "demo-counter-1")
	openWindow1(b, ctx)
	csIssue(t, csKiosk(t, b), "A")

	type answer struct {
		Status int    `json:"status"`
		Body   string `json:"body"`
	}
	res := get(b, ctx, "a call without the CSRF header", chromedp.Evaluate[answer](
		`fetch("/api/v1/windows/1/call-next", {method: "POST", credentials: "same-origin"}).then(async (r) => ({status: r.status, body: await r.text()}))`,
		chromedp.EvalAwaitPromise))
	if res.Status != 403 || !regexp.MustCompile(`CSRF`).MatchString(res.Body) {
		t.Errorf("without the CSRF header: %d %s; want 403 naming the header", res.Status, res.Body)
	}
	if got := csTicket(t, super, "A001"); got.State != "issued" {
		t.Errorf("A001 after the refused call: %s, want issued", got.State)
	}
	// The page's own call, with the header, goes through.
	b.run(ctx, "call next", chromedp.Click("#act-next"))
	csWait(b, ctx, "A001 called", csHas("cur-number", "A001"), time.Second)
}

// TestConsolePhone: at a phone's width the console is one column of big
// buttons, without sideways scrolling.
func TestConsolePhone(t *testing.T) {
	b := newBrowser(t)
	ctx := b.tab()
	csScriptErrors(b, ctx)
	b.run(ctx, "phone screen", chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2), chromedp.EmulateMobile))
	signInConsole(b, ctx, "zhangwei", "demo-counter-2")
	openWindow1(b, ctx)
	csIssue(t, csKiosk(t, b), "A")
	csIssue(t, csKiosk(t, b), "A")
	b.run(ctx, "call next", chromedp.Click("#act-next"))
	csWait(b, ctx, "A001 called", csHas("cur-number", "A001"), time.Second)
	b.screenshot(ctx, "console_phone")

	if wide := get(b, ctx, "page width", chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth`)); wide {
		t.Error("the console scrolls sideways on a phone")
	}
	type box struct{ W, H, Left float64 }
	boxes := get(b, ctx, "buttons", chromedp.Evaluate[[]box](`[...document.querySelectorAll(".c-act")].map((e) => {
		const r = e.getBoundingClientRect(); return {W: r.width, H: r.height, Left: r.left}; })`))
	if len(boxes) != 7 {
		t.Fatalf("%d action buttons, want 7", len(boxes))
	}
	for i, bx := range boxes {
		if bx.H < 56 || bx.W < 140 {
			t.Errorf("action button %d is %.0f×%.0f px on a phone: want big buttons (at least 140×56)", i, bx.W, bx.H)
		}
	}
	// The finish form fits too.
	b.run(ctx, "start and open finish", chromedp.Click("#act-start"), chromedp.WaitEnabled("#act-finish"), chromedp.Click("#act-finish"), chromedp.WaitVisible("#finish-confirm"))
	if wide := get(b, ctx, "page width", chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth`)); wide {
		t.Error("the finish form scrolls sideways on a phone")
	}
	b.screenshot(ctx, "console_phone_finish")
}

// TestConsoleNoShowAndLink: a no-show before the hall's recalls is
// refused in words; after a recall (R) it is recorded (X). A finish can
// link an application on file: its number is recorded with the finish.
func TestConsoleNoShowAndLink(t *testing.T) {
	b := newBrowser(t)
	ctx := b.tab()
	csScriptErrors(b, ctx)
	kiosk := csKiosk(t, b)
	counter := csStaff(t, b.hall.URL, "zhangwei", "demo-counter-2")
	app, err := counter.AcceptApplication(context.Background(), api.AcceptApplicationRequest{
		Item: "WJ-HS-001", ApplicantName: "李四", ApplicantID: "520102199007140243"})
	if err != nil {
		t.Fatal(err)
	}
	signInConsole(b, ctx, "wangfang", "demo-counter-1")
	openWindow1(b, ctx)
	csIssue(t, kiosk, "A")
	csIssue(t, kiosk, "A")

	b.run(ctx, "call A001", chromedp.Click("#act-next"))
	csWait(b, ctx, "A001 called", csHas("cur-number", "A001"), time.Second)
	b.run(ctx, "no-show before a recall", chromedp.KeyEvent("x"))
	csWait(b, ctx, "the refusal", csHas("action-error", "当前状态不允许此操作")+` && `+csHas("action-error", "recall"), time.Second)
	b.run(ctx, "recall", chromedp.KeyEvent("r"))
	csWait(b, ctx, "A001 recalled", csHas("cur-state", "已重呼")+` && `+csHas("cur-meta", "已重呼 1 次"), time.Second)
	b.run(ctx, "no-show", chromedp.KeyEvent("x"))
	csWait(b, ctx, "A001 a no-show", csHas("action-note", "A001 记为未到")+` && `+csText("cur-number")+` === "—"`, time.Second)
	if got := csTicket(t, counter, "A001"); got.State != "no_show" {
		t.Errorf("A001: %s, want no_show", got.State)
	}

	b.run(ctx, "call, start and finish A002 linking the application",
		chromedp.KeyEvent("n"), chromedp.WaitEnabled("#act-start"),
		chromedp.KeyEvent("s"), chromedp.WaitEnabled("#act-finish"),
		chromedp.KeyEvent("f"), chromedp.WaitVisible("#finish-confirm"),
		chromedp.Click("#outcome-application"), chromedp.Click("#appmode-link"),
		chromedp.WaitVisible("#app-link"), chromedp.SendKeys("#app-link", app.Number),
		chromedp.Click("#finish-confirm"))
	csWait(b, ctx, "A002 finished", csHas("action-note", "A002 已办结"), 2*time.Second)
	a2 := csTicket(t, counter, "A002")
	full, err := counter.Ticket(context.Background(), a2.ID)
	if err != nil {
		t.Fatal(err)
	}
	last := full.History[len(full.History)-1]
	if full.State != "done" || last.Action != "finish" || !strings.Contains(last.Reason, app.Number) {
		t.Errorf("A002 %s, last step %+v: want finished with the application %s recorded", full.State, last, app.Number)
	}
}
