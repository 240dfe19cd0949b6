package kiosk

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"onestop/devices/devicetest"
	"onestop/devices/escpos"
	"onestop/hallserver/api"
	"onestop/hallserver/client"
)

// hallStaff is a counter clerk at window 1 (which serves queue A) and a
// supervisor, for tests that need served visits, applications and a look
// at the ratings recorded.
type hallStaff struct {
	r       *rig
	counter *client.Client
	super   *client.Client
}

// rateStaff signs in wangfang at window 1 and zhuren.
func (r *rig) rateStaff() *hallStaff {
	r.t.Helper()
	ctx := context.Background()
	s := &hallStaff{r: r}
	var err error
	for _, who := range []struct {
		c        **client.Client
		user, pw string
	}{{&s.counter, "wangfang", "demo-counter-1"}, {&s.super, "zhuren", "demo-supervisor"}} {
		if *who.c, err = client.New(r.hall.URL, client.WithTimeout(5*time.Second)); err != nil {
			r.t.Fatal(err)
		}
		if _, err := (*who.c).Login(ctx, who.user, who.pw); err != nil {
			r.t.Fatal(err)
		}
	}
	if err := s.counter.OpenWindow(ctx, 1); err != nil {
		r.t.Fatal(err)
	}
	return s
}

// ticket issues a queue A ticket as the kiosk does, and calls it to
// window 1, then applies the actions (client.Start, client.Finish).
func (s *hallStaff) ticket(actions ...string) api.IssuedTicket {
	s.r.t.Helper()
	ctx := context.Background()
	tk, err := s.r.client.IssueTicket(ctx, api.IssueRequest{Queue: "A"})
	if err != nil {
		s.r.t.Fatal(err)
	}
	if len(actions) == 0 {
		return tk
	}
	if _, err := s.counter.CallNext(ctx, 1); err != nil {
		s.r.t.Fatal(err)
	}
	for _, a := range actions {
		if a == "call" {
			continue
		}
		if _, err := s.counter.Act(ctx, 1, a, api.ActionRequest{}); err != nil {
			s.r.t.Fatalf("%s: %v", a, err)
		}
	}
	return tk
}

// noShow marks the ticket called at window 1 a no-show, recalling it as
// often as the hall's rules want first.
func (s *hallStaff) noShow() {
	s.r.t.Helper()
	ctx := context.Background()
	for range 10 {
		_, err := s.counter.Act(ctx, 1, client.NoShow, api.ActionRequest{})
		if err == nil {
			return
		}
		if _, err := s.counter.Act(ctx, 1, client.Recall, api.ActionRequest{}); err != nil {
			s.r.t.Fatal(err)
		}
	}
	s.r.t.Fatal("the ticket could not be marked a no-show")
}

// served is a visit served at window 1.
func (s *hallStaff) served() api.IssuedTicket { return s.ticket(client.Start, client.Finish) }

// application is an application of the sample card i accepted at the
// counter.
func (s *hallStaff) application(i int, item string) api.Application {
	s.r.t.Helper()
	c := devicetest.IDCardSamples()[i]
	app, err := s.counter.AcceptApplication(context.Background(), api.AcceptApplicationRequest{Item: item, ApplicantName: c.Name, ApplicantID: c.IDNumber})
	if err != nil {
		s.r.t.Fatal(err)
	}
	return app
}

// ratings are the ratings recorded, newest first.
func (s *hallStaff) ratings() []api.Rating {
	s.r.t.Helper()
	rs, err := s.super.Ratings(context.Background(), client.RatingFilter{})
	if err != nil {
		s.r.t.Fatal(err)
	}
	return rs
}

// slipURL is what a slip's QR code says: scheme and host in capitals, as
// the take screen prints them (QR alphanumeric mode).
func (r *rig) slipURL(token string) string { return strings.ToUpper(r.hall.URL) + "/t/" + token }

// scan sends a code from the scanner.
func (r *rig) scan(code string) {
	r.t.Helper()
	if err := r.scanner.Scan(code); err != nil {
		r.t.Fatal(err)
	}
}

// waitRateBanner waits until the banner says s.
func (r *rig) waitRateBanner(s string) {
	r.t.Helper()
	r.waitFor("the banner to say "+s, func() bool { return strings.Contains(r.k.banner.Text(), s) })
}

// TestRateVisit: a slip scanned on the home screen goes straight to the
// levels; a very good rating with a reason is thanked and recorded; the
// same visit cannot be rated twice.
func TestRateVisit(t *testing.T) {
	r := newRig(t, rigOptions{})
	s := r.rateStaff()
	tk := s.served()
	r.scan(r.slipURL(tk.Token))
	r.waitScreen("rate_levels")
	for _, want := range []string{"您对这次服务满意吗？", "号票 A001（综合受理）"} {
		r.waitText(want)
	}
	for _, l := range []string{"非常满意", "满意", "基本满意", "不满意", "非常不满意"} {
		r.expectLabel(l)
	}
	r.golden("rate_levels_zh")
	r.tapUnder("非常满意")
	r.waitScreen("rate_reasons")
	if found, _ := r.hasButton("等待时间长"); found {
		t.Error("a complaint is offered with 非常满意")
	}
	r.tap("热情周到")
	r.tap("提交评价")
	r.waitScreen("rate_thanks")
	r.waitText("谢谢您的评价！")
	if r.shows("回访") {
		t.Error("a good rating is told of a call back")
	}
	rs := s.ratings()
	if len(rs) != 1 || rs[0].Level != 5 || rs[0].Channel != "kiosk" || rs[0].TicketNumber != "A001" ||
		!slices.Equal(rs[0].Reasons, []string{"warm_service"}) || rs[0].Window != "1" {
		t.Fatalf("recorded %+v", rs)
	}

	// Again, by the token alone, from the rating screen.
	r.tap("完成")
	r.waitScreen("home")
	r.tap("服务评价")
	r.waitScreen("rate")
	r.scan(tk.Token)
	r.waitScreen("rate_levels")
	r.tapUnder("满意")
	r.tap("提交评价")
	r.waitScreen("rate_refused")
	r.waitText("这次服务已经评价过了")
	if n := len(s.ratings()); n != 1 {
		t.Errorf("%d ratings after rating twice", n)
	}
}

// TestRateBadVisit: a bad rating with reasons, on a fixed day, is told
// when staff will call back (golden images of the reasons and the
// thanks).
func TestRateBadVisit(t *testing.T) {
	monday := time.Date(2026, 3, 16, 10, 0, 0, 0, escpos.Shanghai)
	r := newRig(t, rigOptions{start: monday})
	s := r.rateStaff()
	tk := s.served()
	r.tap("服务评价")
	r.waitScreen("rate")
	r.scan(r.slipURL(tk.Token))
	r.waitScreen("rate_levels")
	r.tapUnder("非常不满意")
	r.waitScreen("rate_reasons")
	r.waitText("工作人员会在1个工作日内回访")
	if found, _ := r.hasButton("热情周到"); found {
		t.Error("praise is offered with 非常不满意")
	}
	r.tap("等待时间长")
	r.tap("一次性告知不清")
	r.tap("态度不好")
	r.tap("态度不好") // changed their mind
	r.golden("rate_reasons_zh")
	r.tap("提交评价")
	r.waitScreen("rate_thanks")
	r.waitText("3月17日（周二）前")
	r.golden("rate_thanks_zh")
	rs := s.ratings()
	if len(rs) != 1 || rs[0].Level != 1 || !slices.Equal(rs[0].Reasons, []string{"long_wait", "unclear_guidance"}) ||
		rs[0].Followup == nil || rs[0].Followup.CallbackDue != "2026-03-17" {
		t.Fatalf("recorded %+v", rs)
	}
	// Back does not return into the finished rating.
	r.tap("返回")
	r.waitScreen("home")
}

// TestRateNotReady: a slip whose visit is still waiting, called, or was
// never served is not rated; the screen says how it stands.
func TestRateNotReady(t *testing.T) {
	r := newRig(t, rigOptions{})
	s := r.rateStaff()
	waiting := s.ticket()
	r.tap("服务评价")
	r.scan(r.slipURL(waiting.Token))
	r.waitRateBanner("号票 A001 还在排队，前面还有 0 人")
	if r.screen() != "rate" {
		t.Errorf("screen %q, want rate", r.screen())
	}
	if _, err := s.counter.CallNext(context.Background(), 1); err != nil {
		t.Fatal(err)
	}
	r.scan(r.slipURL(waiting.Token))
	r.waitRateBanner("号票 A001 已经叫号，请到 1 号窗口办理")
	s.noShow()
	r.scan(r.slipURL(waiting.Token))
	r.waitRateBanner("没有在窗口办理过业务")
	r.scan("https://example.com/not/ours?x=1")
	r.waitRateBanner("这个二维码不是号票或受理通知书上的")
	r.scan(r.slipURL("abcdefghijklmnopqrstuvwxyz"))
	r.waitRateBanner("没有找到要评价的号票或办件")

	// On the home screen a waiting slip says how it stands, and other
	// codes are left alone.
	r.k.Sync(r.k.goHome)
	next := s.ticket()
	r.scan(r.slipURL(next.Token))
	r.waitRateBanner("号票 A002 还在排队")
	if r.screen() != "home" {
		t.Errorf("screen %q, want home", r.screen())
	}

	// With the hall server away, a slip scanned on the home screen is
	// told that rating has to wait.
	r.hall.Stop()
	r.k.ProbeNow()
	r.waitFor("the kiosk to notice", func() bool { return !r.k.Online() })
	r.scan(r.slipURL(next.Token))
	r.waitRateBanner("暂时连不上大厅服务器，现在不能评价")
}

// TestRateRefusals: the hall server's refusals, as it words them, read
// in plain words, and final (trying again does not help).
func TestRateRefusals(t *testing.T) {
	r := newRig(t, rigOptions{noDevices: true})
	s := r.rateStaff()
	ctx := context.Background()
	rated := s.served()
	if _, err := r.client.Rate(ctx, api.RatingRequest{TicketToken: rated.Token, Level: 5}); err != nil {
		t.Fatal(err)
	}
	bad := s.served()
	if _, err := r.client.Rate(ctx, api.RatingRequest{TicketToken: bad.Token, Level: 1}); err != nil {
		t.Fatal(err)
	}
	waiting := s.ticket()
	app := s.application(0, "GA-CRJ-003")
	tests := []struct {
		name string
		req  api.RatingRequest
		want string
	}{
		{"already rated", api.RatingRequest{TicketToken: rated.Token, Level: 4}, "rate.err_already"},
		{"bad rating followed up", api.RatingRequest{TicketToken: bad.Token, Level: 4}, "rate.err_followup"},
		{"not served yet", api.RatingRequest{TicketToken: waiting.Token, Level: 4}, "rate.err_not_served"},
		{"unknown ticket", api.RatingRequest{TicketToken: "nosuchtoken", Level: 4}, "rate.err_not_found"},
		{"someone else's card", api.RatingRequest{ApplicationNumber: app.Number, Level: 4,
			ApplicantID: devicetest.IDCardSamples()[1].IDNumber}, "rate.err_not_yours"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := r.client.Rate(ctx, tt.req)
			if err == nil {
				t.Fatal("rated")
			}
			var msg string
			var final bool
			r.k.Sync(func() { msg, final = r.k.rateRefusal(err) })
			if want := r.k.T(tt.want); msg != want || !final {
				t.Errorf("%v reads %q (final %v), want %q", err, msg, final, want)
			}
		})
	}
	r.hall.Stop()
	_, err := r.client.Rate(ctx, api.RatingRequest{TicketToken: rated.Token, Level: 4})
	var msg string
	var final bool
	r.k.Sync(func() { msg, final = r.k.rateRefusal(err) })
	if msg != r.k.T("error.server") || final {
		t.Errorf("server down reads %q (final %v)", msg, final)
	}
}

// TestRateApplication: an application rated by its number typed on the
// keypad with the applicant's ID card; by tapping it in the card
// holder's list; and by the acceptance notice's QR code. Someone else's
// card is refused.
func TestRateApplication(t *testing.T) {
	r := newRig(t, rigOptions{})
	s := r.rateStaff()
	first := s.application(0, "GA-CRJ-003")
	second := s.application(0, "RS-SB-001")
	r.tap("服务评价")
	r.waitScreen("rate")
	r.tapUnder("评价办件")
	r.waitScreen("rate_app")
	r.waitText("请把身份证放在读卡区")
	for _, ch := range first.Number {
		r.tapExact(string(ch))
	}
	if _, enabled := r.hasButton("下一步"); enabled {
		t.Error("Next is enabled before the card is read")
	}
	r.placeCard(0)
	r.waitText("已读取身份证：王*红")
	r.waitText("您的办件，点一下即可评价")
	r.tap("下一步")
	r.waitScreen("rate_levels")
	r.waitText("办件 " + first.Number + "（普通护照签发）")
	r.tapUnder("满意")
	r.tap("提交评价")
	r.waitScreen("rate_thanks")
	rs := s.ratings()
	if len(rs) != 1 || rs[0].ApplicationNumber != first.Number || rs[0].Level != 4 {
		t.Fatalf("recorded %+v", rs)
	}

	// Tapping the application in the card holder's list. Done ended the
	// session: the card is read again.
	r.tap("完成")
	r.waitScreen("home")
	r.card.RemoveCard()
	r.tap("服务评价")
	r.tapUnder("评价办件")
	r.waitScreen("rate_app")
	r.placeCard(0)
	r.waitText("您的办件，点一下即可评价")
	r.tapUnder(second.Number)
	r.waitScreen("rate_levels")
	r.tapUnder("基本满意")
	r.tap("提交评价")
	r.waitScreen("rate_thanks")
	if rs := s.ratings(); len(rs) != 2 || rs[0].ApplicationNumber != second.Number {
		t.Fatalf("recorded %+v", rs)
	}
	r.card.RemoveCard()
	r.waitScreen("home")

	// Someone else's card.
	third := s.application(0, "ZR-BDC-006")
	r.tap("服务评价")
	r.tapUnder("评价办件")
	r.placeCard(1)
	r.waitText("没有查到您名下的办件")
	for _, ch := range third.Number {
		r.tapExact(string(ch))
	}
	r.tap("下一步")
	r.waitRateBanner("不是这张身份证的主人申请的")
	r.tapExact("-") // a number that does not exist
	r.tap("下一步")
	r.waitRateBanner("没有找到办件")
	r.card.RemoveCard()
	r.waitScreen("home")

	// The acceptance notice's QR code, no card needed.
	r.tap("服务评价")
	r.waitScreen("rate")
	r.scan("https://hall.example.gov.cn/a/" + third.NoticeToken)
	r.waitScreen("rate_levels")
	r.waitText("办件 " + third.Number)
	r.tapUnder("非常满意")
	r.tap("提交评价")
	r.waitScreen("rate_thanks")
	if rs := s.ratings(); len(rs) != 3 || rs[0].ApplicationNumber != third.Number {
		t.Fatalf("recorded %+v", rs)
	}
}

// TestParseRateScan: what a scanned code names.
func TestParseRateScan(t *testing.T) {
	const tok = "mfrggzdfmztwq2lknnwg23tpoa"
	tests := []struct {
		in   string
		want rateScan
		ok   bool
	}{
		{"https://hall.example/t/" + tok, rateScan{ticket: tok}, true},
		{"HTTP://10.0.0.2:8080/t/" + tok, rateScan{ticket: tok}, true},
		{" https://hall.example/t/" + tok + "/?utm=x\r\n", rateScan{ticket: tok}, true},
		{tok, rateScan{bare: tok}, true},
		{"https://hall.example/a/" + tok, rateScan{notice: "https://hall.example/a/" + tok}, true},
		{"https://hall.example/t/", rateScan{}, false},
		{"https://hall.example/t/a b", rateScan{ticket: "a b"}, false},
		{"short", rateScan{bare: "short"}, false},
		{"a/b/" + tok, rateScan{notice: "a/b/" + tok}, false},
		{"", rateScan{}, false},
		{"你好世界你好世界你好世界", rateScan{bare: "你好世界你好世界你好世界"}, false},
	}
	for _, tt := range tests {
		got, ok := parseRateScan(tt.in)
		if ok != tt.ok || (ok && got != tt.want) {
			t.Errorf("parseRateScan(%q) = %+v, %v; want %+v, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

// expectLabel fails the test unless a label reads exactly s.
func (r *rig) expectLabel(s string) {
	r.t.Helper()
	found := false
	r.k.Sync(func() {
		walk(r.k.Window().Content(), func(o fyne.CanvasObject) {
			if l, ok := o.(*widget.Label); ok && l.Text == s {
				found = true
			}
		})
	})
	if !found {
		r.t.Errorf("no %q on screen %q", s, r.screen())
	}
}
