package kiosk

import (
	"context"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"onestop/devices/devicetest"
	"onestop/hallserver/api"
	"onestop/hallserver/client"
	"onestop/hallserver/workday"
)

// lookupStart is the hall clock's start in the lookup and certificate
// tests: Thursday 26 November 2026, 09:00 in the hall (so application
// numbers are 520000-TEST-20261126-NNNNN and the screens are the same on
// every run).
var lookupStart = time.Date(2026, 11, 26, 9, 0, 0, 0, workday.Location)

// staff signs in the hall's counter clerk, who accepts and advances
// applications as a window would. Sign in again after moving the clock.
func (r *rig) staff() *client.Client {
	r.t.Helper()
	c, err := client.New(r.hall.URL, client.WithTimeout(5*time.Second))
	if err != nil {
		r.t.Fatal(err)
	}
	if _, err := c.Login(context.Background(), "wangfang", "demo-counter-1"); err != nil {
		r.t.Fatalf("staff login: %v", err)
	}
	return c
}

// certFields fill in ZR-BDC-005's certificate (不动产登记证明) at 制证.
var certFields = map[string]string{"证明权利或事项": "预告登记", "坐落": "贵阳市南明区花果园大街18号3栋1502", "不动产单元号": "520102001001GB00018F00031502"}

// sampleCard is devicetest's sample ID card i.
func sampleCard(i int) (name, id string) {
	c := devicetest.IDCardSamples()[i]
	return c.Name, c.IDNumber
}

// accept accepts an application for ZR-BDC-005 (预告登记: legal 30,
// promised 3 working days) for sample card i's holder, then records
// events: "review", "decide", "make" (with the certificate's fields),
// "deliver" advance; other words are event kinds as the hall server
// names them, with a note.
func accept(t *testing.T, staff *client.Client, card int, events ...string) api.Application {
	t.Helper()
	ctx := context.Background()
	name, id := sampleCard(card)
	app, err := staff.AcceptApplication(ctx, api.AcceptApplicationRequest{Item: "ZR-BDC-005", ApplicantName: name, ApplicantID: id})
	if err != nil {
		t.Fatalf("accept: %v", err)
	}
	for _, ev := range events {
		var req api.ApplicationEventRequest
		switch ev {
		case "review", "decide", "deliver":
			req = api.ApplicationEventRequest{Kind: "advance", Step: ev}
		case "make":
			req = api.ApplicationEventRequest{Kind: "advance", Step: ev, CertificateFields: certFields}
		case "request_materials":
			req = api.ApplicationEventRequest{Kind: ev, Note: "已备案的商品房预售合同原件"}
		case "suspend":
			req = api.ApplicationEventRequest{Kind: ev, Suspend: "expert_review"}
		case "approved":
			req = api.ApplicationEventRequest{Kind: "complete", Outcome: ev}
		case "rejected":
			req = api.ApplicationEventRequest{Kind: "complete", Outcome: ev, Note: "预售合同未备案"}
		default:
			t.Fatalf("accept: unknown event %q", ev)
		}
		if app, err = staff.ApplicationEvent(ctx, app.Number, req); err != nil {
			t.Fatalf("%s %s: %v", app.Number, ev, err)
		}
	}
	return app
}

// openLookup goes from home to the lookup's entry screen.
func (r *rig) openLookup() {
	r.t.Helper()
	r.tap("办件查询")
	r.waitScreen("lookup")
}

// tapIn taps the button labelled label (any button when label is "")
// inside the smallest container that also shows text: a tile's button,
// or the print button of one certificate among several.
func (r *rig) tapIn(text, label string) {
	r.t.Helper()
	var best *widget.Button
	bestSize := -1
	r.k.Sync(func() {
		walk(r.k.Window().Content(), func(o fyne.CanvasObject) {
			c, ok := o.(*fyne.Container)
			if !ok {
				return
			}
			var b *widget.Button
			found, size := false, 0
			walk(c, func(x fyne.CanvasObject) {
				size++
				switch v := x.(type) {
				case *widget.Button:
					if b == nil && !v.Disabled() && strings.Contains(v.Text, label) {
						b = v
					}
				case *canvas.Text:
					found = found || strings.Contains(v.Text, text)
				}
			})
			if found && b != nil && (bestSize < 0 || size < bestSize) {
				best, bestSize = b, size
			}
		})
	})
	if best == nil {
		r.t.Fatalf("no button %q beside %q on screen %q; texts: %s", label, text, r.screen(), strings.Join(r.texts(), " | "))
	}
	r.k.Sync(func() { test.Tap(best) })
}

// tile is the texts, joined by spaces, of the smallest container holding
// a text exactly label: a limit tile reads "已用 4 个工作日".
func (r *rig) tile(label string) string {
	var best []string
	r.k.Sync(func() {
		walk(r.k.Window().Content(), func(o fyne.CanvasObject) {
			c, ok := o.(*fyne.Container)
			if !ok {
				return
			}
			var texts []string
			found := false
			walk(c, func(x fyne.CanvasObject) {
				if t, ok := x.(*canvas.Text); ok && strings.TrimSpace(t.Text) != "" {
					texts = append(texts, t.Text)
					found = found || t.Text == label
				}
			})
			if found && (best == nil || len(texts) < len(best)) {
				best = texts
			}
		})
	})
	return strings.Join(best, " ")
}

// noneShown fails for every text of the screen that contains one of
// what: after the session ended, nothing personal may remain.
func (r *rig) noneShown(what ...string) {
	r.t.Helper()
	for _, s := range r.texts() {
		for _, w := range what {
			if strings.Contains(s, w) {
				r.t.Errorf("screen %q still shows %q (in %q)", r.screen(), w, s)
			}
		}
	}
	if b := r.bannerText(); b != "" {
		for _, w := range what {
			if strings.Contains(b, w) {
				r.t.Errorf("the banner still shows %q", w)
			}
		}
	}
}

// TestLookupByKeypad: the number typed on the kiosk's keypad, only the
// date and sequence after the hall code (a short sequence padded), then
// the whole number on the letter keypad; incomplete and unknown numbers
// are told what to do. By number the name comes masked.
func TestLookupByKeypad(t *testing.T) {
	r := newRig(t, rigOptions{start: lookupStart})
	staff := r.staff()
	app := accept(t, staff, devicetest.IDCardSampleHan, "review")
	if app.Number != "520000-TEST-20261126-00001" {
		t.Fatalf("number %q: the test expects the hall's first number of the day", app.Number)
	}
	r.openLookup()
	if !r.shows("520000-TEST-________-_____") {
		t.Errorf("the display does not show the hall code with blanks: %q", r.texts())
	}
	r.typeKeys("2026")
	r.tap("查询")
	r.waitBanner("8 位日期")
	r.typeKeys("11261")
	r.waitText("520000-TEST-20261126-1____")
	r.golden("lookup_keypad_zh")
	r.tap("查询")
	r.waitScreen("lookup_result")
	for _, want := range []string{"预告登记（预购商品房）", app.Number, "王*红", "正在办理：审核", "进度正常", "11月26日 09:00"} {
		if !r.shows(want) {
			t.Errorf("the result lacks %q", want)
		}
	}
	for label, want := range map[string]string{"法定时限": "法定时限 30 个工作日", "承诺时限": "承诺时限 3 个工作日",
		"已用": "已用 0 个工作日", "还剩": "还剩 3 个工作日 最晚 2026年12月1日 办结"} {
		if got := r.tile(label); got != want {
			t.Errorf("tile %s reads %q, want %q", label, got, want)
		}
	}
	if r.shows("王晓红") {
		t.Error("by number the applicant's full name is shown")
	}
	r.golden("lookup_result_zh")
	r.tap("English")
	r.waitText("In progress: Review")
	if !r.shows("On track") {
		t.Error("the English result lacks \"On track\"")
	}
	if got := r.tile("Used"); got != "Used 0 working days" {
		t.Errorf("the English tile Used reads %q", got)
	}
	if got := r.tile("Left"); !strings.Contains(got, "Left 3 working days") || !strings.Contains(got, "1 Dec 2026") {
		t.Errorf("the English tile Left reads %q", got)
	}
	r.golden("lookup_result_en")
	r.tap("中文")

	// Back keeps what was typed; the whole number can be typed too.
	r.tap("返回")
	r.waitScreen("lookup")
	r.waitText("520000-TEST-20261126-1____")
	r.tap("输入完整编号")
	r.waitText("完整编号")
	r.typeKeys("520000-TEST-20261126-00009")
	r.tap("查询")
	r.waitBanner("没有找到编号为 520000-TEST-20261126-00009 的办件")
	if r.screen() != "lookup" {
		t.Errorf("an unknown number left the entry screen for %q", r.screen())
	}
	r.tap("只输入日期和序号") // switching clears what was typed
	r.tap("输入完整编号")
	r.typeKeys(app.Number)
	r.tap("查询")
	r.waitScreen("lookup_result")
	r.waitText("正在办理：审核")
}

// TestLookupByNotice: scanning the acceptance notice's QR code (its URL,
// or the bare token) shows the application; a code that is no notice of
// this hall is told so.
func TestLookupByNotice(t *testing.T) {
	r := newRig(t, rigOptions{start: lookupStart})
	staff := r.staff()
	first := accept(t, staff, devicetest.IDCardSampleHan)
	second := accept(t, staff, devicetest.IDCardSampleMiao, "request_materials")
	if first.NoticeToken == "" || second.NoticeToken == "" {
		t.Fatal("the staff view has no notice token")
	}
	r.openLookup()
	r.scanner.Scan(r.hall.URL + "/A/" + first.NoticeToken)
	r.waitScreen("lookup_result")
	r.waitText(first.Number)
	// Another notice, scanned on the result screen.
	r.scanner.Scan(second.NoticeToken)
	r.waitText(second.Number)
	for _, want := range []string{"等待您补交材料", "需要补交：已备案的商品房预售合同原件", "计时已暂停"} {
		if !r.shows(want) {
			t.Errorf("a notice waiting for materials lacks %q", want)
		}
	}
	r.scanner.Scan("https://example.org/A/notanotice")
	r.waitBanner("没有找到这张受理通知书对应的办件")
	if !r.shows(second.Number) {
		t.Error("an unknown notice took away the application shown")
	}
}

// TestLookupByCard: a card placed on the lookup lists its holder's
// applications newest first, one is picked; a card placed before opening
// the lookup goes straight there; its certificate leads to printing; and
// taking the card away wipes it all.
func TestLookupByCard(t *testing.T) {
	r := newRig(t, rigOptions{start: lookupStart})
	staff := r.staff()
	older := accept(t, staff, devicetest.IDCardSampleHan, "review", "decide", "make")
	newer := accept(t, staff, devicetest.IDCardSampleHan)
	accept(t, staff, devicetest.IDCardSampleMiao) // someone else's: not listed
	r.openLookup()
	r.placeCard(devicetest.IDCardSampleHan)
	r.waitScreen("lookup_list")
	r.waitText("王*红的办件（共 2 件）")
	var order []string
	for _, s := range r.texts() {
		if strings.Contains(s, "办件编号：") {
			order = append(order, s)
		}
	}
	if len(order) != 2 || !strings.Contains(order[0], newer.Number) || !strings.Contains(order[1], older.Number) {
		t.Errorf("the list is not newest first: %q", order)
	}
	r.tapIn(older.Number, "")
	r.waitScreen("lookup_result")
	if r.shows("王晓红") {
		t.Error("the applicant's full name is on screen (names are shown masked)")
	}
	for _, want := range []string{"王*红", "正在办理：制证", "不动产登记证明", "打印证照"} {
		if !r.shows(want) {
			if found, _ := r.hasButton(want); !found {
				t.Errorf("the card's application lacks %q", want)
			}
		}
	}
	r.tap("打印证照")
	r.waitScreen("certs")
	r.waitText("王*红的证照（共 1 份）")
	r.tap("返回")
	r.waitScreen("lookup_result")
	r.tap("返回")
	r.waitScreen("lookup_list")

	// Taking the card away ends the session: home, and nothing of it left.
	r.card.RemoveCard()
	r.waitScreen("home")
	r.noneShown("王", older.Number, newer.Number, "预告登记", "不动产登记证明")
	r.k.Sync(func() {
		if r.k.session.Card != nil || len(r.k.history) != 0 {
			t.Errorf("after the card was taken away: card %v, %d screens to go back to", r.k.session.Card, len(r.k.history))
		}
	})

	// A card placed at home: the lookup opens on its applications.
	r.placeCard(devicetest.IDCardSampleMiao)
	r.tap("办件查询")
	r.waitScreen("lookup_result") // one application: shown at once
	r.waitText("杨*英")
	r.tap("返回")
	r.waitScreen("lookup")
	if found, _ := r.hasButton("查看杨*英的办件"); !found {
		t.Error("the entry screen does not offer the placed card's applications")
	}
	// A card with no applications is told so.
	r.card.RemoveCard()
	r.waitScreen("home")
	r.openLookup()
	r.placeCard(devicetest.IDCardSampleTujia)
	r.waitBanner("没有查到田*林名下的办件")
}

// TestLookupStates: the words (and tone) of each state an application can
// be in — on track, yellow and red warnings, waiting for materials,
// suspended, approved and rejected — read through the scanner after the
// hall clock has moved on.
func TestLookupStates(t *testing.T) {
	r := newRig(t, rigOptions{start: lookupStart})
	clock := r.hall.Clock()
	staff := r.staff()
	// Thursday 26 November: these will be 4 working days old on 2 December.
	red := accept(t, staff, devicetest.IDCardSampleHan, "review")
	waiting := accept(t, staff, devicetest.IDCardSampleHan, "request_materials")
	suspended := accept(t, staff, devicetest.IDCardSampleHan, "review", "suspend")
	approved := accept(t, staff, devicetest.IDCardSampleHan, "review", "decide", "make", "deliver", "approved")
	rejected := accept(t, staff, devicetest.IDCardSampleHan, "rejected")
	// Monday 30 November: 2 working days old on 2 December, 1 left.
	clock.Advance(4 * 24 * time.Hour)
	yellow := accept(t, r.staff(), devicetest.IDCardSampleHan)
	// Wednesday 2 December.
	clock.Advance(2 * 24 * time.Hour)
	fresh := accept(t, r.staff(), devicetest.IDCardSampleHan, "review", "decide")

	cases := []struct {
		name  string
		app   api.Application
		want  []string
		tiles map[string]string
	}{
		{"on track", fresh, []string{"正在办理：决定", "进度正常", "下一步：制证"},
			map[string]string{"已用": "已用 0 个工作日", "还剩": "还剩 3 个工作日 最晚 2026年12月7日 办结"}},
		{"yellow", yellow, []string{"正在办理：受理", "黄色提醒：快到承诺时限了", "承诺时限还剩 1"},
			map[string]string{"已用": "已用 2 个工作日", "还剩": "还剩 1 个工作日 最晚 2026年12月3日 办结"}},
		{"red", red, []string{"正在办理：审核", "红色警示：已超过承诺时限", "已超过承诺时限 1"},
			map[string]string{"已用": "已用 4 个工作日", "已超出": "已超出 1 个工作日"}},
		{"waiting for materials", waiting, []string{"等待您补交材料", "已备案的商品房预售合同原件", "计时已暂停"},
			map[string]string{"还剩": "还剩 3 个工作日 计时暂停中"}},
		{"suspended", suspended, []string{"暂停计时：专家评审", "不计入办理时限", "计时已暂停"},
			map[string]string{"已用": "已用 0 个工作日"}},
		{"approved", approved, []string{"已办结：准予办理", "办结时间：11月26日 09:00", "在承诺时限内办结"},
			map[string]string{"共用": "共用 0 个工作日"}},
		{"rejected", rejected, []string{"已办结：不予办理", "原因：预售合同未备案", "未进行"}, nil},
	}
	r.openLookup()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r.scanner.Scan(c.app.NoticeToken)
			r.waitText(c.app.Number)
			for _, want := range c.want {
				if !r.shows(want) {
					t.Errorf("%s lacks %q; it shows %q", c.app.Number, want, r.texts())
				}
			}
			for label, want := range c.tiles {
				if got := r.tile(label); got != want {
					t.Errorf("tile %s reads %q, want %q", label, got, want)
				}
			}
			if c.name == "red" {
				r.golden("lookup_warning_red_zh")
			}
		})
	}
}
