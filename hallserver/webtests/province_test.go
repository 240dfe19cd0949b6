package webtests

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"onestop/hallserver/api"
	"onestop/hallserver/client"
	"onestop/hallserver/store"
)

// The province link's tests. The test hall runs without a province, so
// the link itself is not_configured; pvLink stands in for the relay's part
// of the status in the page, as the hall server's own tests stand in a
// fake ProvinceLink. The outbox, the dead letters and the replays are the
// hall's own.

// pvDead makes the outbox row of kind for aggregate a dead letter, with why.
func pvDead(t *testing.T, b *browser, kind, aggregate, why string) int64 {
	t.Helper()
	ctx := context.Background()
	rows, err := b.hall.Store.OutboxRows(ctx, 0, 10000)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if r.Kind == kind && r.Aggregate == aggregate && r.State == store.OutboxPending {
			if err := b.hall.Store.DeadLetterOutbox(ctx, r.ID, why); err != nil {
				t.Fatal(err)
			}
			return r.ID
		}
	}
	t.Fatalf("no pending %s row for %s in the outbox", kind, aggregate)
	return 0
}

// pvLink makes the page see the link's part of GET /api/v1/province as
// link says (state, url, last_success, last_error, …): the relay's status
// without a relay. The section on screen reads it at its next load.
func pvLink(b *browser, ctx context.Context, link map[string]any) {
	b.t.Helper()
	j, err := json.Marshal(link)
	if err != nil {
		b.t.Fatal(err)
	}
	svEval[bool](b, ctx, "the link's status", `(() => {
		window.pvLink = `+string(j)+`;
		if (!window.pvFetch) {
			window.pvFetch = window.fetch;
			window.fetch = async (url, opts) => {
				const res = await window.pvFetch(url, opts);
				if (!String(url).endsWith("/api/v1/province") || !res.ok) return res;
				const body = Object.assign(await res.json(), window.pvLink);
				return new Response(JSON.stringify(body), { status: res.status, headers: res.headers });
			};
		}
		return true;
	})()`)
}

// pvStatus is the province status the hall reports (through the API).
func pvStatus(t *testing.T, b *browser) api.ProvinceStatus {
	t.Helper()
	st, err := svStaff(t, b, "zhuren", "demo-supervisor").Province(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// TestSupervisorProvince: the overview's line shows the link and the
// backlog; the province section lists a dead letter with the province's
// reason; Replay sends it again (the row goes, the backlog grows by one);
// Replay all asks first. The link's states show in words and colour.
func TestSupervisorProvince(t *testing.T) {
	b := svBrowser(t)
	ctx := svTab(b)
	bg := context.Background()
	k := csKiosk(t, b)
	wang := svWindow1(t, b)
	served := csIssue(t, k, "A")
	svServe(t, wang, 1)
	cancelled := csIssue(t, k, "A")
	if _, err := wang.CancelTicket(bg, cancelled.ID, "left"); err != nil {
		t.Fatal(err)
	}
	app, err := wang.AcceptApplication(bg, api.AcceptApplicationRequest{Item: "GA-CRJ-001", ApplicantName: "张三", ApplicantID: "520102199007140243"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := wang.ApplicationEvent(bg, app.Number, api.ApplicationEventRequest{Kind: "advance", Step: "review"}); err != nil {
		t.Fatal(err)
	}
	b.hall.Clock().Advance(25 * time.Minute)
	const why = "rejected: application.event: item GA-CRJ-001 is not in the province's catalogue (version 3)"
	dead := pvDead(t, b, "application.event", "application:"+app.Number, why)
	before := pvStatus(t, b)
	if before.Dead != 1 || before.Held != 1 || before.Backlog < 3 {
		t.Fatalf("the hall's outbox: %+v, want a dead letter holding one row back, and a backlog", before)
	}
	backlog := strconv.FormatInt(before.Backlog, 10)

	svSignIn(b, ctx, "/supervisor", "zhuren", "demo-supervisor")
	csWait(b, ctx, "the overview's province line", svHas("#province-line", "省平台：未配置 · 待上报 "+backlog, "Province: not configured · backlog "+backlog, "被拒 1 条", "1 dead letter")+
		` && `+svText("#province-backlog")+` === "`+backlog+`"`, 5*time.Second)
	b.screenshot(ctx, "supervisor_province_line_not_configured")

	b.run(ctx, "follow the line", chromedp.Click("#province-line a"))
	row := fmt.Sprintf("#dead-%d", dead)
	csWait(b, ctx, "the province section with the dead letter", `location.pathname === "/supervisor/province" && `+
		svHas("#province-state", "未配置", "Not configured", "--province", "从未")+` && `+
		svText("#province-backlog-count")+` === "`+backlog+`" && `+svText("#province-dead-count")+` === "1" && `+
		svHas(row, "办件环节", app.Number, "2026/03/02 09:", "not in the province's catalogue", "重新发送"), 5*time.Second)
	if got := svEval[string](b, ctx, "oldest waiting", svText("#section .sv-cards")); !strings.Contains(got, "25 分钟") || !strings.Contains(got, "25 min") {
		t.Errorf("the cards %q do not say the oldest row waited 25 minutes", got)
	}
	if body := svEval[string](b, ctx, "page", `document.getElementById("section").innerText`); strings.Contains(body, "undefined") || strings.Contains(body, "null") ||
		strings.Contains(body, "NaN") || strings.Contains(body, "520102199007140243") {
		t.Errorf("the section shows undefined, null, NaN or a full ID number:\n%s", body)
	}
	b.run(ctx, "a tall window", chromedp.EmulateViewport(1280, 1400))
	b.screenshot(ctx, "supervisor_province_dead_letter")
	b.run(ctx, "desktop again", chromedp.EmulateViewport(1280, 900))

	b.run(ctx, "replay it", chromedp.Click(fmt.Sprintf("#replay-%d", dead)))
	more := strconv.FormatInt(before.Backlog+1, 10)
	csWait(b, ctx, "the dead letter gone, the backlog one more", `!document.querySelector(`+strconv.Quote(row)+`) && !!document.getElementById("no-dead-letters") && `+
		svText("#province-backlog-count")+` === "`+more+`" && `+svText("#province-dead-count")+` === "0" && `+svHas("#section .sv-status.ok", "已重新发送 1"), 5*time.Second)
	if after := pvStatus(t, b); after.Dead != 0 || after.Held != 0 || after.Backlog != before.Backlog+1 {
		t.Errorf("the hall after the replay: %+v, want no dead letter and a backlog of %d", after, before.Backlog+1)
	}

	// Replay all asks first; Cancel leaves the dead letters as they are.
	d1 := pvDead(t, b, "ticket.summary", "ticket:"+strconv.FormatInt(served.ID, 10), "rejected: ticket.summary: window is missing")
	d2 := pvDead(t, b, "ticket.summary", "ticket:"+strconv.FormatInt(cancelled.ID, 10), "rejected: ticket.summary: window is missing")
	svGo(b, ctx, "overview", "大厅概况")
	csWait(b, ctx, "the line with two dead letters", svHas("#province-line", "被拒 2 条", "2 dead letters"), 5*time.Second)
	svGo(b, ctx, "province", "省平台")
	csWait(b, ctx, "two dead letters", fmt.Sprintf(`!!document.getElementById("dead-%d") && !!document.getElementById("dead-%d")`, d1, d2), 5*time.Second)
	b.run(ctx, "replay all", chromedp.Click("#replay-all"))
	csWait(b, ctx, "the question", `!document.getElementById("replay-all-ask").classList.contains("hidden") && `+svHas("#replay-all-ask", "全部 2 条", "all 2 dead letters"), time.Second)
	b.screenshot(ctx, "supervisor_province_replay_all")
	b.run(ctx, "cancel", chromedp.Click("#replay-all-cancel"))
	csWait(b, ctx, "the question gone", `document.getElementById("replay-all-ask").classList.contains("hidden")`, time.Second)
	if st := pvStatus(t, b); st.Dead != 2 {
		t.Fatalf("cancelling replayed: %+v", st)
	}
	b.run(ctx, "replay all, confirmed", chromedp.Click("#replay-all"), chromedp.Click("#replay-all-confirm"))
	csWait(b, ctx, "every dead letter gone", `!!document.getElementById("no-dead-letters") && `+svHas("#section .sv-status.ok", "已重新发送 2"), 5*time.Second)
	if st := pvStatus(t, b); st.Dead != 0 || st.Backlog != before.Backlog+1 {
		t.Errorf("after replaying all: %+v", st)
	}

	// The link's states, as the relay would report them.
	for _, tc := range []struct {
		link        map[string]any
		words, en   string
		colour      string // the state badge's background
		words2, en2 string // what the section says besides
	}{
		{map[string]any{"state": "connected", "url": "https://exchange.gzzwfw.gov.cn", "last_success": "2026-03-02T01:24:00Z"},
			"已连接", "connected", "rgb(11, 110, 46)", "2026/03/02 09:24", "exchange.gzzwfw.gov.cn"},
		{map[string]any{"state": "retrying", "url": "https://exchange.gzzwfw.gov.cn", "last_success": "2026-03-02T01:20:00Z",
			"last_error": "the province did not answer within 10s: retrying in 8s", "last_error_at": "2026-03-02T01:25:00Z",
			"catalogue_waiting": "catalogue version 7: 2 waiting in queue F, which no window would call; it is applied once they are served"},
			"重试中", "retrying", "rgb(245, 196, 0)", "did not answer within 10s", "新版事项目录等待生效"},
		{map[string]any{"state": "refused", "url": "https://exchange.gzzwfw.gov.cn", "last_error": "signature_invalid: the signature does not match: check the hall's secret",
			"last_error_at": "2026-03-02T01:25:00Z"},
			"需处理", "needs a technician", "rgb(164, 22, 26)", "NTP", "check the hall's secret"},
	} {
		state := tc.link["state"].(string)
		pvLink(b, ctx, tc.link)
		svGo(b, ctx, "overview", "大厅概况")
		csWait(b, ctx, state+" on the overview", svHas("#province-line", "省平台："+tc.words+" · 待上报 "+more, "Province: "+tc.en+" · backlog "+more), 5*time.Second)
		if line := svEval[string](b, ctx, "the line", svText("#province-line")); strings.Contains(line, "null") || strings.Contains(line, "undefined") {
			t.Errorf("%s: the line says %q", state, line)
		}
		if state == "connected" {
			b.screenshot(ctx, "supervisor_province_line")
		}
		svGo(b, ctx, "province", "省平台")
		csWait(b, ctx, state+" in the section", svHas("#province-state", tc.words, tc.words2)+` && `+svHas("#section", tc.en2), 5*time.Second)
		if bg := svEval[string](b, ctx, "the badge's colour", `getComputedStyle(document.querySelector("#province-state .sv-prov-badge")).backgroundColor`); bg != tc.colour {
			t.Errorf("%s: badge %s, want %s", state, bg, tc.colour)
		}
		b.run(ctx, "a tall window", chromedp.EmulateViewport(1280, 1300))
		b.screenshot(ctx, "supervisor_province_"+state)
		if state == "retrying" {
			b.run(ctx, "phone width", chromedp.EmulateViewport(390, 1600))
			b.screenshot(ctx, "supervisor_province_phone")
		}
		b.run(ctx, "desktop again", chromedp.EmulateViewport(1280, 900))
	}
}

// TestSupervisorProvinceDiscard: a dead letter's quiet Discard button asks
// on the page what giving up means and for a reason, which it will not go
// without; Cancel leaves the row; with a reason the row goes, the record
// held behind it is pending again, the counts say 已放弃 1 条, and the
// audit trail keeps the reason.
func TestSupervisorProvinceDiscard(t *testing.T) {
	b := svBrowser(t)
	ctx := svTab(b)
	bg := context.Background()
	wang := svWindow1(t, b)
	app, err := wang.AcceptApplication(bg, api.AcceptApplicationRequest{Item: "GA-CRJ-001", ApplicantName: "张三", ApplicantID: "520102199007140243"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := wang.ApplicationEvent(bg, app.Number, api.ApplicationEventRequest{Kind: "advance", Step: "review"}); err != nil {
		t.Fatal(err)
	}
	dead := pvDead(t, b, "application.event", "application:"+app.Number, "rejected: application.event: item GA-CRJ-001 was withdrawn by the province")
	before := pvStatus(t, b)
	if before.Dead != 1 || before.Held != 1 || before.Discarded != 0 {
		t.Fatalf("the hall's outbox: %+v, want a dead letter holding one row back", before)
	}

	svSignIn(b, ctx, "/supervisor/province", "zhuren", "demo-supervisor")
	row := fmt.Sprintf("#dead-%d", dead)
	ask := fmt.Sprintf("#discard-ask-%d", dead)
	reason := fmt.Sprintf("#discard-reason-%d", dead)
	confirm := fmt.Sprintf("#discard-confirm-%d", dead)
	csWait(b, ctx, "the dead letter", svHas(row, app.Number, "重新发送", "放弃 Discard")+` && !document.getElementById("province-discarded")`, 5*time.Second)
	// The quiet button is not the primary one.
	if cls := svEval[string](b, ctx, "the discard button's class", fmt.Sprintf(`document.getElementById("discard-%d").className`, dead)); strings.Contains(cls, "primary") || strings.Contains(cls, "danger") {
		t.Errorf("the discard button is styled %q: it must be the quiet one", cls)
	}

	// Cancel leaves everything as it was.
	b.run(ctx, "discard", chromedp.Click(fmt.Sprintf("#discard-%d", dead)))
	csWait(b, ctx, "the question", svHas(ask, "不再上报省平台", "其后同一办件的记录继续上报", "仅在省平台确认无法接收时使用",
		"will never be sent", "later records of the same item go on", "Only when the province confirms it cannot take it", "原因")+
		` && document.activeElement === document.querySelector(`+strconv.Quote(reason)+`)`, time.Second)
	b.run(ctx, "cancel", chromedp.Click(fmt.Sprintf("#discard-cancel-%d", dead)))
	csWait(b, ctx, "the question gone", `!document.querySelector(`+strconv.Quote(ask)+`) && !!document.querySelector(`+strconv.Quote(row)+`)`, time.Second)

	// No reason, no discard.
	b.run(ctx, "discard again", chromedp.Click(fmt.Sprintf("#discard-%d", dead)))
	csWait(b, ctx, "the question again", `!!document.querySelector(`+strconv.Quote(ask)+`)`, time.Second)
	b.run(ctx, "a blank reason", chromedp.SendKeys(reason, "   "), chromedp.Click(confirm))
	csWait(b, ctx, "a reason asked for", svHas(ask, "请填写放弃的原因")+
		` && document.querySelector(`+strconv.Quote(reason)+`).getAttribute("aria-invalid") === "true"`, time.Second)
	b.screenshot(ctx, "supervisor_province_discard_no_reason")
	if st := pvStatus(t, b); st.Dead != 1 || st.Discarded != 0 {
		t.Fatalf("a blank reason or a cancel discarded: %+v", st)
	}
	const why = "省平台回复该事项已撤销 The province says the item was withdrawn"
	svEval[bool](b, ctx, "clear the reason", `(() => { const r = document.querySelector(`+strconv.Quote(reason)+`); r.value = ""; return true; })()`)
	b.run(ctx, "the reason", chromedp.SendKeys(reason, why))
	b.run(ctx, "a tall window", chromedp.EmulateViewport(1280, 1300))
	b.screenshot(ctx, "supervisor_province_discard_ask")
	b.run(ctx, "phone width", chromedp.EmulateViewport(390, 900), chromedp.ScrollIntoView(ask))
	b.screenshot(ctx, "supervisor_province_discard_ask_phone")
	b.run(ctx, "a tall window", chromedp.EmulateViewport(1280, 1300))

	b.run(ctx, "discard, confirmed", chromedp.Click(confirm))
	csWait(b, ctx, "the dead letter gone, the count shown", `!document.querySelector(`+strconv.Quote(row)+`) && !document.querySelector(`+strconv.Quote(ask)+`) && `+
		`!!document.getElementById("no-dead-letters") && `+svText("#province-dead-count")+` === "0" && `+
		svHas("#province-discarded", "已放弃 1 条", "discarded 1")+` && `+svHas("#section .sv-status.ok", "已放弃 1"), 5*time.Second)
	b.screenshot(ctx, "supervisor_province_discarded")
	b.run(ctx, "desktop again", chromedp.EmulateViewport(1280, 900))

	st := pvStatus(t, b)
	if st.Dead != 0 || st.Held != 0 || st.Discarded != 1 || st.Backlog != before.Backlog {
		t.Errorf("the hall after the discard: %+v, want the held row pending and one discarded", st)
	}
	recs, err := b.hall.Store.AuditTrail(bg, "outbox", fmt.Sprintf("[%d]", dead))
	if err != nil || len(recs) != 1 || recs[0].Action != "province.discard" || recs[0].Actor != "zhuren" || !strings.Contains(recs[0].After, why) {
		t.Errorf("the audit of the discard: %+v, %v; want province.discard by zhuren with the reason", recs, err)
	}

	// Through the typed client: a blank reason is refused, and a row
	// given up on cannot be given up again.
	zhuren := svStaff(t, b, "zhuren", "demo-supervisor")
	if _, err := zhuren.DiscardDeadLetters(bg, " ", dead); !errors.Is(err, client.ErrInvalid) {
		t.Errorf("a blank reason: %v, want ErrInvalid", err)
	}
	if _, err := zhuren.DiscardDeadLetters(bg, "again", dead); !errors.Is(err, client.ErrConflict) {
		t.Errorf("discarding twice: %v, want ErrConflict", err)
	}
}
