package webtests

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"onestop/hallserver/api"
	"onestop/hallserver/client"
	"onestop/hallserver/halltest"
	"onestop/hallserver/queue"
)

// The supervisor pages' tests. Their helpers are named sv… to keep them
// apart from the other pages' tests in this package; they use the console
// tests' cs… helpers where those fit. The hall runs on a clock of its own
// from Monday 2 March 2026, 09:00, so that working days, warnings and
// follow-up dates are the same on every run.

var svStart = time.Date(2026, 3, 2, 9, 0, 0, 0, queue.Location)

// svBrowser starts a hall at svStart and a browser.
func svBrowser(t *testing.T) *browser {
	return newBrowser(t, halltest.Options{Start: svStart})
}

// svText is a JavaScript expression: the text of the element css selects.
func svText(css string) string {
	return fmt.Sprintf(`(document.querySelector(%q)?.textContent ?? "")`, css)
}

// svHas is a condition: the element css selects contains every one of words.
func svHas(css string, words ...string) string {
	var conds []string
	for _, w := range words {
		conds = append(conds, fmt.Sprintf(`%s.includes(%q)`, svText(css), w))
	}
	return strings.Join(conds, " && ")
}

// svEval evaluates a JavaScript expression (awaiting a promise) in the tab.
func svEval[T any](b *browser, ctx context.Context, what, expr string) T {
	b.t.Helper()
	return get(b, ctx, what, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
}

// svSignIn opens path and signs in; it waits for the live connection.
func svSignIn(b *browser, ctx context.Context, path, user, pass string) {
	b.t.Helper()
	b.run(ctx, "sign in as "+user,
		chromedp.Navigate(b.hall.URL+path),
		chromedp.WaitVisible("#login-username"),
		chromedp.SendKeys("#login-username", user),
		chromedp.SendKeys("#login-password", pass),
		chromedp.Click("#login-submit"),
		chromedp.WaitVisible("#section"))
	csWait(b, ctx, "the live connection", svHas("#live-state", "实时"), 5*time.Second)
}

// svGo follows a menu link (no reload) and waits for the section's title.
func svGo(b *browser, ctx context.Context, section, title string) {
	b.t.Helper()
	b.run(ctx, "open "+section, chromedp.Click(`a[data-section="`+section+`"]`))
	csWait(b, ctx, section+" shown", svHas("#section h1", title)+` && location.pathname === "/supervisor/`+section+`"`, 5*time.Second)
}

// svTab opens a tab that fails the test on any uncaught script error.
func svTab(b *browser) context.Context {
	ctx := b.tab()
	csScriptErrors(b, ctx)
	return ctx
}

// svStaff signs a typed client in as user.
func svStaff(t *testing.T, b *browser, user, pass string) *client.Client {
	t.Helper()
	return csStaff(t, b.hall.URL, user, pass)
}

// svWindow1 is 王芳 (wangfang) signed in with window 1 open.
func svWindow1(t *testing.T, b *browser) *client.Client {
	t.Helper()
	wang := svStaff(t, b, "wangfang", "demo-counter-1")
	if err := wang.OpenWindow(context.Background(), 1); err != nil {
		t.Fatal(err)
	}
	return wang
}

// svServe calls the next ticket at the window, starts and finishes it.
func svServe(t *testing.T, c *client.Client, window int) api.StaffTicket {
	t.Helper()
	ctx := context.Background()
	tk, err := c.CallNext(ctx, window)
	if err != nil {
		t.Fatalf("call next at %d: %v", window, err)
	}
	for _, a := range []string{"start", "finish"} {
		if _, err := c.Act(ctx, window, a, api.ActionRequest{}); err != nil {
			t.Fatalf("%s at %d: %v", a, window, err)
		}
	}
	return tk
}

// TestSupervisorOverviewLive: the supervisor signs in; a ticket issued at
// the kiosk shows in its queue's waiting count within a second, without a
// reload; a window that calls shows as busy with its number.
func TestSupervisorOverviewLive(t *testing.T) {
	b := svBrowser(t)
	ctx := svTab(b)
	k := csKiosk(t, b)
	csIssue(t, k, "B")
	svSignIn(b, ctx, "/supervisor", "zhuren", "demo-supervisor")
	csWait(b, ctx, "the overview", svText("#waiting-A")+` === "0" && `+svText("#waiting-B")+` === "1"`, 5*time.Second)
	if p := svEval[string](b, ctx, "path", `location.pathname`); p != "/supervisor" {
		t.Errorf("path %q", p)
	}
	svEval[bool](b, ctx, "mark the page", `window.svNoReload = true`)

	csIssue(t, k, "A")
	csWait(b, ctx, "queue A's waiting count after a kiosk issued a ticket", svText("#waiting-A")+` === "1"`, time.Second)
	csIssue(t, k, "A")
	csWait(b, ctx, "queue A's second ticket", svText("#waiting-A")+` === "2" && `+svText("#total-waiting")+` === "3"`, time.Second)

	wang := svStaff(t, b, "wangfang", "demo-counter-1")
	if err := wang.OpenWindow(context.Background(), 1); err != nil {
		t.Fatal(err)
	}
	called, err := wang.CallNext(context.Background(), 1)
	if err != nil {
		t.Fatal(err)
	}
	csWait(b, ctx, "window 1 calling "+called.Number, svHas("#window-1", "叫号中", called.Number, "王芳")+` && `+svText("#waiting-A")+` === "1"`, 2*time.Second)
	if !svEval[bool](b, ctx, "no reload", `window.svNoReload === true`) {
		t.Error("the page reloaded")
	}
	if got := svEval[string](b, ctx, "window 2", svText("#window-2")); !strings.Contains(got, "关闭") {
		t.Errorf("window 2 (never opened) shows %q, want 关闭 (closed)", got)
	}
	b.run(ctx, "a tall window", chromedp.EmulateViewport(1280, 1500))
	b.screenshot(ctx, "supervisor_overview")
	b.run(ctx, "phone width", chromedp.EmulateViewport(390, 844))
	csWait(b, ctx, "the menu as a strip", `getComputedStyle(document.querySelector(".sv-nav ul")).display === "flex"`, 2*time.Second)
	b.screenshot(ctx, "supervisor_overview_phone")
}

// TestSupervisorWarnings: an application accepted at the counter, the
// hall's clock moved past its promised limit, shows as a red warning in
// colour and words with the days over; one nearly due as yellow; the
// details link opens the application.
func TestSupervisorWarnings(t *testing.T) {
	b := svBrowser(t)
	ctx := svTab(b)
	bg := context.Background()
	wang := svStaff(t, b, "wangfang", "demo-counter-1")
	late, err := wang.AcceptApplication(bg, api.AcceptApplicationRequest{Item: "GA-CRJ-001", ApplicantName: "张三", ApplicantID: "520102199007140243"})
	if err != nil {
		t.Fatal(err)
	}
	if late.Clock.PromisedDeadline != "2026-03-11" {
		t.Fatalf("promised deadline %s, want 2026-03-11 (7 working days)", late.Clock.PromisedDeadline)
	}
	// Thursday 12 March: a day past the promised limit.
	b.hall.Clock().Advance(10*24*time.Hour + time.Hour)
	wang = svStaff(t, b, "wangfang", "demo-counter-1") // the session idled out over the days
	soon, err := wang.AcceptApplication(bg, api.AcceptApplicationRequest{Item: "SJ-DJ-002", ApplicantName: "李四", ApplicantID: "11010519491231002X"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := wang.AcceptApplication(bg, api.AcceptApplicationRequest{Item: "GA-CRJ-003", ApplicantName: "王五", ApplicantID: "520102199007140243"}); err != nil {
		t.Fatal(err)
	}

	svSignIn(b, ctx, "/supervisor/warnings", "zhuren", "demo-supervisor")
	red := fmt.Sprintf(`tr[data-number=%q]`, late.Number)
	yellow := fmt.Sprintf(`tr[data-number=%q]`, soon.Number)
	csWait(b, ctx, "the red warning", svHas(red, "红牌", "超期", "超期 1 个工作日", "内地居民往来港澳通行证签发", "张三", "5201**********0243"), 5*time.Second)
	if cls := svEval[string](b, ctx, "red row", fmt.Sprintf(`document.querySelector(%q).className + " " + getComputedStyle(document.querySelector(%q + " .sv-warn")).backgroundColor`, red, red)); !strings.Contains(cls, "w-red") || !strings.Contains(cls, "rgb(164, 22, 26)") {
		t.Errorf("red row: %q, want class w-red and a red badge", cls)
	}
	csWait(b, ctx, "the yellow warning", svHas(yellow, "黄牌", "剩 1 个工作日")+` && `+svHas("#warning-counts", "红牌 1", "黄牌 1"), time.Second)
	if n := svEval[int](b, ctx, "rows", `document.querySelectorAll("table.sv-warnings tbody tr").length`); n != 2 {
		t.Errorf("%d rows, want 2 (the application within its limit is left out)", n)
	}
	if first := svEval[string](b, ctx, "order", `document.querySelector("table.sv-warnings tbody tr").dataset.number`); first != late.Number {
		t.Errorf("first row %s, want the red one %s", first, late.Number)
	}
	if body := svEval[string](b, ctx, "page", `document.body.innerText`); strings.Contains(body, "520102199007140243") {
		t.Error("the page shows a full ID number")
	}
	b.screenshot(ctx, "supervisor_warnings")

	b.run(ctx, "filter yellow", chromedp.Click(`button[data-kind="yellow"]`))
	csWait(b, ctx, "yellow only", `document.querySelectorAll("table.sv-warnings tbody tr").length === 1 && !!document.querySelector(`+fmt.Sprintf("%q", yellow)+`)`, time.Second)
	b.run(ctx, "all again", chromedp.Click(`button[data-kind="all"]`))
	b.run(ctx, "open the details", chromedp.Click(red+" a.sv-detail-link"))
	csWait(b, ctx, "the application's details", svHas("#section", late.Number, "红牌", "受理 Accepted", "wangfang", "个工作日，至 2026-03-11")+
		` && location.pathname === "/supervisor/application"`, 5*time.Second)
	b.screenshot(ctx, "supervisor_application")
	b.run(ctx, "back", chromedp.NavigateBack())
	csWait(b, ctx, "the warnings again", svHas("#section h1", "时限预警"), 5*time.Second)
}

// TestSupervisorRatingFollowup: a bad rating's follow-up, overdue for its
// call back, is called back and resolved through the page, and the hall
// records both.
func TestSupervisorRatingFollowup(t *testing.T) {
	b := svBrowser(t)
	ctx := svTab(b)
	bg := context.Background()
	k := csKiosk(t, b)
	wang := svWindow1(t, b)
	first := csIssue(t, k, "A")
	svServe(t, wang, 1)
	second := csIssue(t, k, "A")
	svServe(t, wang, 1)
	third := csIssue(t, k, "A")
	svServe(t, wang, 1)
	reasons, err := k.RatingReasons(bg)
	if err != nil {
		t.Fatal(err)
	}
	var bad string
	for _, r := range reasons.Reasons {
		if len(r.Levels) > 0 && r.Levels[0] <= 2 {
			bad = r.Code
			break
		}
	}
	old, err := k.Rate(bg, api.RatingRequest{TicketToken: first.Token, Level: 2, Reasons: []string{bad}, Comment: "等了太久"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := k.Rate(bg, api.RatingRequest{TicketToken: third.Token, Level: 5}); err != nil {
		t.Fatal(err)
	}
	// Two days on, the first call back is overdue; a new bad rating comes.
	b.hall.Clock().Advance(2 * 24 * time.Hour)
	if _, err := k.Rate(bg, api.RatingRequest{TicketToken: second.Token, Level: 1, Comment: "态度不好"}); err != nil {
		t.Fatal(err)
	}
	zhuren := svStaff(t, b, "zhuren", "demo-supervisor")
	fus, err := zhuren.RatingFollowups(bg, true)
	if err != nil || len(fus) != 2 {
		t.Fatalf("follow-ups %v, %v", fus, err)
	}
	oldID := fus[0].ID
	if fus[0].Followup == nil || !fus[0].Followup.CallbackOverdue || fus[0].TicketNumber != old.TicketNumber {
		t.Fatalf("first follow-up %+v, want the older, overdue", fus[0])
	}
	newID := fus[1].ID

	svSignIn(b, ctx, "/supervisor/ratings", "zhuren", "demo-supervisor")
	oldCard, newCard := fmt.Sprintf("#followup-%d", oldID), fmt.Sprintf("#followup-%d", newID)
	csWait(b, ctx, "the follow-ups", svHas(oldCard, "不满意", "已逾期", "回访期限", "2026-03-03", "等了太久", first.Number)+" && "+
		svHas(newCard, "非常不满意", "态度不好", "先记录回访"), 5*time.Second)
	b.run(ctx, "record the call back",
		chromedp.SendKeys(fmt.Sprintf("#callback-note-%d", newID), "已电话联系，群众反映窗口人员态度生硬"),
		chromedp.Click(fmt.Sprintf("#callback-%d", newID)))
	csWait(b, ctx, "the call back recorded", svHas(newCard, "已回访", "态度生硬", "已记录回访", "zhuren"), 5*time.Second)
	if text := svEval[string](b, ctx, "the section", `document.getElementById("section").innerText`); strings.Contains(text, "null") || strings.Contains(text, "undefined") {
		t.Errorf("the section shows null or undefined:\n%s", text)
	}
	svEval[bool](b, ctx, "scroll to the top", `(window.scrollTo(0, 0), true)`)
	b.screenshot(ctx, "supervisor_ratings")
	b.run(ctx, "record the resolution",
		chromedp.SendKeys(fmt.Sprintf("#resolution-%d", newID), "已对窗口人员批评教育并培训"),
		chromedp.Click(fmt.Sprintf("#resolve-%d", newID)))
	csWait(b, ctx, "the resolution recorded", svHas(newCard, "已整改", "批评教育"), 5*time.Second)

	all, err := zhuren.RatingFollowups(bg, false)
	if err != nil {
		t.Fatal(err)
	}
	var got *api.RatingFollowup
	for _, r := range all {
		if r.ID == newID {
			got = r.Followup
		}
	}
	if got == nil || got.Open || got.CalledBackBy != "zhuren" || !strings.Contains(got.CallbackNote, "态度生硬") || !strings.Contains(got.Resolution, "批评教育") {
		t.Errorf("the hall recorded %+v", got)
	}

	// An empty call back note is refused in words, not sent.
	b.run(ctx, "an empty note", chromedp.Click(fmt.Sprintf("#callback-%d", oldID)))
	if v := svEval[bool](b, ctx, "validity", fmt.Sprintf(`document.getElementById("callback-note-%d").validity.valueMissing`, oldID)); !v {
		t.Error("an empty note was not held back")
	}

	b.run(ctx, "all ratings", chromedp.Click("#tab-all"))
	csWait(b, ctx, "every rating", svHas("#section", "3 ratings", "非常满意", "已整改 Resolved", "整改逾期 Overdue"), 5*time.Second)
}

// TestSupervisorHelpCall: a kiosk's help call shows at once on any
// section (alert and menu count), is answered from the help section, and
// the hall records who answered.
func TestSupervisorHelpCall(t *testing.T) {
	b := svBrowser(t)
	ctx := svTab(b)
	bg := context.Background()
	k := csKiosk(t, b)
	svSignIn(b, ctx, "/supervisor/overview", "zhuren", "demo-supervisor")
	csWait(b, ctx, "the overview", svText("#waiting-A")+` === "0"`, 5*time.Second)

	if err := k.CallHelp(bg); err != nil {
		t.Fatal(err)
	}
	csWait(b, ctx, "the help alert", `!document.getElementById("help-alert").classList.contains("hidden") && `+
		svHas("#help-alert", "K01", "呼叫工作人员")+` && `+svText("#help-count")+` === "1"`, time.Second)
	csWait(b, ctx, "the chime", `document.getElementById("help-alert").dataset.sound === "played"`, 2*time.Second)

	b.run(ctx, "go to help calls", chromedp.Click("#help-alert a"))
	csWait(b, ctx, "the call", svHas("#help-1", "K01", "09:00")+` && location.pathname === "/supervisor/help"`, 5*time.Second)
	b.hall.Clock().Advance(time.Minute)
	if err := k.CallHelp(bg); err != nil { // pressed again
		t.Fatal(err)
	}
	csWait(b, ctx, "the second press", svHas("#help-1", "已按 2 次"), time.Second)
	b.screenshot(ctx, "supervisor_help")

	b.run(ctx, "answer", chromedp.Click("#answer-1"))
	csWait(b, ctx, "answered", `!!document.getElementById("no-help") && `+svHas(".sv-answered", "K01", "zhuren")+` && `+
		`document.getElementById("help-count").classList.contains("hidden")`, 5*time.Second)
	zhuren := svStaff(t, b, "zhuren", "demo-supervisor")
	if open, err := zhuren.HelpCalls(bg); err != nil || len(open) != 0 {
		t.Errorf("open help calls after answering: %v, %v", open, err)
	}

	// A call answered elsewhere leaves this page too.
	if err := k.CallHelp(bg); err != nil {
		t.Fatal(err)
	}
	csWait(b, ctx, "a new call", `!!document.getElementById("help-2")`, time.Second)
	if _, err := zhuren.AnswerHelpCall(bg, 2); err != nil {
		t.Fatal(err)
	}
	csWait(b, ctx, "answered elsewhere", `!document.getElementById("help-2") && !!document.getElementById("no-help")`, time.Second)
}

// TestSupervisorRefusesCounterStaff: counter staff signing in to the
// supervisor pages is told they may not, and the server refuses a
// supervisor's call from that session with 403.
func TestSupervisorRefusesCounterStaff(t *testing.T) {
	b := svBrowser(t)
	ctx := svTab(b)
	b.run(ctx, "sign in as counter staff",
		chromedp.Navigate(b.hall.URL+"/supervisor"),
		chromedp.WaitVisible("#login-username"),
		chromedp.SendKeys("#login-username", "wangfang"),
		chromedp.SendKeys("#login-password", "demo-counter-1"),
		chromedp.Click("#login-submit"))
	csWait(b, ctx, "the refusal", svHas("#login-error", "无权使用本页面", "counter"), 5*time.Second)
	if n := svEval[int](b, ctx, "sections", `document.querySelectorAll("#section, .sv-nav").length`); n != 0 {
		t.Errorf("the supervisor's page shows for counter staff (%d parts)", n)
	}
	const call = `(async () => {
		const m = document.cookie.match(/onestop_csrf=([^;]+)/);
		const csrf = m ? decodeURIComponent(m[1]) : "";
		const me = await (await fetch("/api/v1/me")).json();
		const get = await fetch("/api/v1/supervision/warnings");
		const put = await fetch("/api/v1/settings", {method: "PUT", headers: {"Content-Type": "application/json", "X-CSRF-Token": csrf},
			body: JSON.stringify({policy: "interleave:2", no_show_after_recalls: 1, default_service_seconds: 300})});
		return [me.role, String(get.status), String(put.status), (await put.json()).code, csrf ? "csrf" : "no csrf"].join(" ");
	})()`
	if got := svEval[string](b, ctx, "supervisor calls from the counter's session", call); got != "counter 403 403 forbidden csrf" {
		t.Errorf("the counter's session: %q, want role counter and 403 for both calls", got)
	}
	s, err := svStaff(t, b, "zhuren", "demo-supervisor").Settings(context.Background())
	if err != nil || s.Policy != "strict" {
		t.Errorf("settings after the refused change: %+v, %v", s, err)
	}
}

// TestSupervisorKiosksAndStats: kiosk health in words; statistics drawn
// as SVG charts (tickets per hour among them); the CSV download is the
// CSV with its byte order mark and bilingual header.
func TestSupervisorKiosksAndStats(t *testing.T) {
	b := svBrowser(t)
	ctx := svTab(b)
	bg := context.Background()
	k := csKiosk(t, b)
	wang := svWindow1(t, b)
	// A morning: tickets at 09, 10 and 11, served after 5 to 15 minutes.
	for h, n := range []int{3, 5, 2} {
		for i := range n {
			it := csIssue(t, k, "A")
			b.hall.Clock().Advance(time.Duration(5+i) * time.Minute)
			svServe(t, wang, 1)
			if i%2 == 0 {
				if _, err := k.Rate(bg, api.RatingRequest{TicketToken: it.Token, Level: 5 - i%3}); err != nil {
					t.Fatal(err)
				}
			}
		}
		clk := b.hall.Clock()
		clk.Advance(svStart.Add(time.Duration(h+1) * time.Hour).Sub(clk.Now())) // the next hour
	}
	if err := k.Heartbeat(bg, api.KioskHeartbeat{AppVersion: "1.4.2", Devices: []api.DeviceHealth{
		{Device: api.DeviceIDCard, State: api.DeviceOK},
		{Device: api.DevicePrinter, State: api.DeviceProblem, Problem: "paper out: load a new roll"},
		{Device: api.DeviceA4, State: api.DeviceWarning, Problem: "toner low"},
	}}); err != nil {
		t.Fatal(err)
	}

	svSignIn(b, ctx, "/supervisor/kiosks", "zhuren", "demo-supervisor")
	csWait(b, ctx, "kiosk K01", svHas("#kiosk-K01", "在线", "1.4.2", "故障", "小票打印机", "paper out", "注意", "A4")+` && `+svHas("#section", "2026/03/02"), 5*time.Second)
	b.screenshot(ctx, "supervisor_kiosks")

	svGo(b, ctx, "stats", "统计")
	csWait(b, ctx, "the charts", `["chart-hours", "chart-tickets", "chart-waits", "chart-satisfaction"].every((id) => document.getElementById(id)?.tagName === "svg")`, 5*time.Second)
	bars := svEval[[]int](b, ctx, "bars per hour", `[...document.querySelectorAll("#chart-hours rect.bar title")].map((t) => parseInt(t.textContent.split(": ")[1]))`)
	if fmt.Sprint(bars) != "[0 3 5 2 0 0 0 0 0 0]" {
		t.Errorf("tickets per hour 08–17: %v, want 3 at 09, 5 at 10, 2 at 11", bars)
	}
	csWait(b, ctx, "the totals", svHas("#stats-totals", "10", "满意率"), time.Second)
	b.run(ctx, "a tall window", chromedp.EmulateViewport(1280, 2300))
	b.screenshot(ctx, "supervisor_stats")
	b.run(ctx, "phone width", chromedp.EmulateViewport(390, 2400))
	b.screenshot(ctx, "supervisor_stats_phone")
	b.run(ctx, "desktop again", chromedp.EmulateViewport(1280, 900))

	svEval[bool](b, ctx, "by staff", `(() => { const s = document.getElementById("s-by"); s.value = "staff"; s.dispatchEvent(new Event("change")); return true; })()`)
	href := svEval[string](b, ctx, "the CSV link", `document.getElementById("stats-csv").href`)
	if !strings.Contains(href, "/api/v1/stats.csv?") || !strings.Contains(href, "by=staff") || !strings.Contains(href, "to=2026-03-02") {
		t.Errorf("CSV link %q", href)
	}
	const download = `(async () => {
		const res = await fetch(document.getElementById("stats-csv").href);
		const bytes = new Uint8Array(await res.arrayBuffer());
		const text = new TextDecoder("utf-8", {ignoreBOM: true}).decode(bytes);
		return [String(res.status), res.headers.get("Content-Type"), res.headers.get("Content-Disposition"),
			Array.from(bytes.slice(0, 3)).join(","), text.split("\r\n")[0], text.includes("wangfang") ? "wangfang" : "-"].join("|");
	})()`
	got := strings.Split(svEval[string](b, ctx, "download the CSV", download), "|")
	if len(got) != 6 || got[0] != "200" || got[1] != "text/csv; charset=utf-8" || !strings.HasPrefix(got[2], "attachment; filename=") ||
		got[3] != "239,187,191" || !strings.HasPrefix(got[4], "\ufeff周期 period,起 start,止 end,工作人员 staff,姓名 name,受理 accepted") || got[5] != "wangfang" {
		t.Errorf("the CSV download: %q", got)
	}
}

// TestSupervisorSettings: the server's refusal of a bad policy shows in
// its words; a good one is saved and in force.
func TestSupervisorSettings(t *testing.T) {
	b := svBrowser(t)
	ctx := svTab(b)
	svSignIn(b, ctx, "/supervisor/settings", "zhuren", "demo-supervisor")
	csWait(b, ctx, "the form", `document.getElementById("policy-kind")?.value === "strict" && document.getElementById("elderly-age").value === "65"`, 5*time.Second)
	choose := `(() => { const s = document.getElementById("policy-kind"); s.value = "interleave"; s.dispatchEvent(new Event("change", {bubbles: true})); return true; })()`
	svEval[bool](b, ctx, "choose interleave", choose)
	b.run(ctx, "an interleave of 0",
		chromedp.SetValue("#policy-n", "0"),
		chromedp.Click("#settings-save"))
	csWait(b, ctx, "the server's refusal", svHas("#settings-form .sv-status.error", "填写有误", "at least 1"), 5*time.Second)
	b.run(ctx, "a tall window", chromedp.EmulateViewport(1280, 1500))
	b.screenshot(ctx, "supervisor_settings_refused")
	b.run(ctx, "an interleave of 3", chromedp.SetValue("#policy-n", "3"), chromedp.SetValue("#yellow-days", "2"), chromedp.Click("#settings-save"))
	csWait(b, ctx, "saved", svHas("#settings-form .sv-status.ok", "已保存", "interleave:3"), 5*time.Second)
	b.screenshot(ctx, "supervisor_settings")
	s, err := svStaff(t, b, "wangfang", "demo-counter-1").Settings(context.Background())
	if err != nil || s.Policy != "interleave:3" || s.YellowDays == nil || *s.YellowDays != 2 {
		t.Errorf("settings in force: %+v, %v", s, err)
	}

	// A change made elsewhere shows without a reload.
	admin := svStaff(t, b, "admin", "demo-admin-2026")
	s.Policy = "ageing:20m"
	if _, err := admin.UpdateSettings(context.Background(), s); err != nil {
		t.Fatal(err)
	}
	csWait(b, ctx, "the change from elsewhere", `document.getElementById("policy-kind").value === "ageing" && document.getElementById("policy-bonus").value === "20"`, 2*time.Second)
}

// TestSupervisorUsersAndCatalogue: a supervisor is told accounts are the
// admin's; an admin adds an account and disables it through the page;
// the catalogue is shown read-only.
func TestSupervisorUsersAndCatalogue(t *testing.T) {
	b := svBrowser(t)
	ctx := svTab(b)
	svSignIn(b, ctx, "/supervisor/users", "zhuren", "demo-supervisor")
	csWait(b, ctx, "admin only", svHas("#users-admin-only", "管理员", "hallctl"), 5*time.Second)
	b.screenshot(ctx, "supervisor_users_supervisor")
	svGo(b, ctx, "catalogue", "事项目录")
	csWait(b, ctx, "the catalogue", svHas("#section", "只读", "省公安厅出入境管理局", "GA-CRJ-001", "1号窗口"), 5*time.Second)
	b.run(ctx, "search", chromedp.SendKeys("#cat-search", "护照"))
	csWait(b, ctx, "the search", svHas("#section", "普通护照签发")+` && !`+svHas("#section", "抵押权首次登记")+
		` && document.activeElement.id === "cat-search"`, 2*time.Second)
	b.screenshot(ctx, "supervisor_catalogue")

	b.run(ctx, "sign out", chromedp.Click("#sign-out"), chromedp.WaitVisible("#login-username"))
	svSignIn(b, ctx, "/supervisor/users", "admin", "demo-admin-2026")
	csWait(b, ctx, "the accounts", svHas("#user-wangfang", "王芳", "窗口人员", "正常"), 5*time.Second)
	b.run(ctx, "add an account",
		chromedp.SendKeys("#u-username", "zhaolei"),
		chromedp.SendKeys("#u-name", "赵磊"),
		chromedp.SendKeys("#u-password", "zhaolei-password-1"),
		chromedp.Click("#user-create button[type=submit]"))
	csWait(b, ctx, "the new account", svHas("#user-zhaolei", "赵磊", "窗口人员", "正常"), 5*time.Second)
	b.run(ctx, "disable it", chromedp.Click("#disable-zhaolei"))
	csWait(b, ctx, "disabled", svHas("#user-zhaolei", "已停用")+` && !!document.getElementById("enable-zhaolei")`, 5*time.Second)
	b.run(ctx, "a tall window", chromedp.EmulateViewport(1280, 1700))
	svEval[bool](b, ctx, "scroll to the top", `(window.scrollTo(0, 0), true)`)
	b.screenshot(ctx, "supervisor_users")
	c, err := client.New(b.hall.URL)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Login(context.Background(), "zhaolei", "zhaolei-password-1"); err == nil {
		t.Error("a disabled account signed in")
	}
}
