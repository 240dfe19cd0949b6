package kiosk

import (
	"context"
	"image"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/makiuchi-d/gozxing"
	gozxingqr "github.com/makiuchi-d/gozxing/qrcode"

	"onestop/assets"
	"onestop/devices/devicetest"
	"onestop/hallserver/api"
	"onestop/hallserver/queue"
	"onestop/hallserver/store"
)

// takeStart is the hall clock of the take-a-number tests: a Monday
// morning, fixed, so that the time on tickets (and golden images) does
// not change.
var takeStart = time.Date(2026, 3, 2, 9, 30, 0, 0, queue.Location)

// takeServerURL is the hall server's address in the kiosk's configuration
// for tests with golden images: the QR code carries it, and the test
// server's port changes every run.
const takeServerURL = "http://hall.example.gov.cn"

// takeInnerHall is Hall under another name, embedded in takeFixedTokens (a field
// named Hall would hide the method Hall).
type takeInnerHall = Hall

// takeFixedTokens is the hall server client with each issued ticket's token
// replaced by one made of its number, so that the QR code on screen, and
// so the golden images, are the same every run; tickets keeps the real
// ones. Its help calls are counted instead of sent.
type takeFixedTokens struct {
	takeInnerHall
	mu      sync.Mutex
	tickets []api.IssuedTicket
	help    int
}

func (f *takeFixedTokens) IssueTicket(ctx context.Context, req api.IssueRequest) (api.IssuedTicket, error) {
	it, err := f.takeInnerHall.IssueTicket(ctx, req)
	if err != nil {
		return it, err
	}
	f.mu.Lock()
	f.tickets = append(f.tickets, it)
	f.mu.Unlock()
	it.Token = "golden" + strings.ToLower(it.Number)
	return it, nil
}

func (f *takeFixedTokens) CallHelp(context.Context) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.help++
	return nil
}

// last is the real ticket issued last.
func (f *takeFixedTokens) last(t *testing.T) api.IssuedTicket {
	t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.tickets) == 0 {
		t.Fatal("no ticket was issued")
	}
	return f.tickets[len(f.tickets)-1]
}

func (f *takeFixedTokens) helpCalls() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.help
}

// newTakeRig is a rig for golden images: the hall clock fixed at
// takeStart, takeServerURL in the configuration and fixed tokens.
func newTakeRig(t *testing.T, o rigOptions) (*rig, *takeFixedTokens) {
	t.Helper()
	o.start = takeStart
	config := o.config
	o.config = func(c *Config) {
		c.ServerURL = takeServerURL
		if config != nil {
			config(c)
		}
	}
	r := newRig(t, o)
	ft := &takeFixedTokens{takeInnerHall: r.k.hall}
	r.k.setHall(ft)
	return r, ft
}

// takeQueueUp issues n tickets in queue q as other people did before.
func (r *rig) takeQueueUp(q string, n int) {
	r.t.Helper()
	for range n {
		if _, err := r.client.IssueTicket(context.Background(), api.IssueRequest{Queue: q}); err != nil {
			r.t.Fatal(err)
		}
	}
}

// takePriority is the priority the hall server recorded for a ticket.
func (r *rig) takePriority(token string) string {
	r.t.Helper()
	tk, err := r.hall.Store.TicketByToken(context.Background(), token)
	if err != nil {
		r.t.Fatalf("ticket %s: %v", token, err)
	}
	return string(tk.Priority)
}

// takeSlip waits for the n-th slip (1-based) and returns its text.
func (r *rig) takeSlip(n int) string {
	r.t.Helper()
	rs, err := r.printer.WaitReceipts(n, 10*time.Second)
	if err != nil {
		r.t.Fatal(err)
	}
	return rs[n-1].Text()
}

// TestTakeNumberWithoutCard: 取号 → department → item is three taps; the
// slip comes out with the number and the QR code to follow the queue;
// the screen shows the number, people ahead, the wait and the queue.
func TestTakeNumberWithoutCard(t *testing.T) {
	r, ft := newTakeRig(t, rigOptions{})
	r.takeQueueUp("B", 2)
	r.tap("取号") // 1
	r.waitScreen("take")
	for _, want := range []string{"请选择办理部门", "知道排哪个队", "有身份证的话"} {
		r.waitText(want)
	}
	for _, b := range []string{"省公安厅出入境管理局", "省自然资源厅（不动产登记中心）", "B  出入境", "C  不动产登记"} {
		if found, enabled := r.hasButton(b); !found || !enabled {
			t.Errorf("button %q: found %v, enabled %v", b, found, enabled)
		}
	}
	r.golden("take_departments_zh")
	r.tap("省公安厅出入境管理局") // 2
	r.waitScreen("take.items")
	r.waitText("请点一下您要办的事")
	r.golden("take_items_zh")
	r.tap("普通护照签发") // 3: the ticket
	r.waitScreen("take.result")
	r.waitText("请取走号票")
	for _, want := range []string{"B003", "出入境（B 队）", "普通护照签发", "前面还有 2 人", "预计等待约", "取号时间 09:30", "用手机扫一扫"} {
		if !r.shows(want) {
			t.Errorf("the result lacks %q; it shows %s", want, strings.Join(r.texts(), " | "))
		}
	}
	r.golden("take_result_zh")
	if got := decodeQR(t, r.capture()); got != "HTTP://HALL.EXAMPLE.GOV.CN/t/goldenb003" {
		t.Errorf("the QR code on screen reads %q", got)
	}

	it := ft.last(t)
	if it.Number != "B003" || it.Item != "GA-CRJ-003" || r.takePriority(it.Token) != "" {
		t.Errorf("issued %+v", it)
	}
	slip := r.takeSlip(1)
	for _, want := range []string{"测试政务服务中心", "出入境 / Exit and entry", "B003", "前面还有 2 人",
		"2026-03-02 09:30", "[QR: HTTP://HALL.EXAMPLE.GOV.CN/t/goldenb003]", "过号请到咨询台"} {
		if !strings.Contains(slip, want) {
			t.Errorf("the slip lacks %q:\n%s", want, slip)
		}
	}

	// Done ends the session: nothing of the ticket stays on screen.
	r.tap("完成")
	r.waitScreen("home")
	if r.shows("B003") {
		t.Error("the number stays on screen after Done")
	}
}

// TestTakeNumberRealToken: with the real hall server client, the slip's
// QR code is the hall server's address + /t/ + the ticket's token, which
// finds the ticket.
func TestTakeNumberRealToken(t *testing.T) {
	r := newRig(t, rigOptions{})
	r.tap("取号")
	r.tap("C  不动产登记")
	r.waitText("请取走号票")
	slip := r.takeSlip(1)
	i := strings.Index(slip, "[QR: ")
	if i < 0 {
		t.Fatalf("no QR code on the slip:\n%s", slip)
	}
	u := slip[i+5 : i+strings.Index(slip[i:], "]")]
	base := strings.ToUpper(r.hall.URL) + "/t/"
	if !strings.HasPrefix(u, base) {
		t.Fatalf("QR code %q, want it to start with %q", u, base)
	}
	st, err := r.client.TicketStatus(context.Background(), strings.TrimPrefix(u, base))
	if err != nil || st.Number != "C001" {
		t.Fatalf("the QR code's token finds %+v, %v; want C001", st, err)
	}
	if !r.shows("C001") {
		t.Error("the number is not on screen")
	}
}

// TestTakeNumberWithCard: an ID card read before or during the flow
// greets by masked name; an old enough holder gets the elderly priority
// when the hall's policy says so (elderly_priority_age; 0 is off).
func TestTakeNumberWithCard(t *testing.T) {
	young, old := 0, 1 // 王晓红, born 1990; 杨秀英, born 1955
	if c := devicetest.IDCardSamples()[old]; queue.AgeOn(c.BirthDate.Time(nil), time.Now()) < 65 {
		t.Fatalf("sample %d is not 65 or over", old)
	}
	tests := []struct {
		name     string
		card     int
		during   bool // placed on the items screen, not before 取号
		setting  int  // the hall's elderly_priority_age
		greeting string
		priority bool
	}{
		{"old card before", old, false, 65, "杨*英，您好", true},
		{"old card during", old, true, 65, "杨*英，您好", true},
		{"young card before", young, false, 65, "王*红，您好", false},
		{"young card during", young, true, 65, "王*红，您好", false},
		{"old card, priority off", old, false, 0, "杨*英，您好", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRig(t, rigOptions{})
			if tt.setting != 65 {
				st, err := r.hall.Store.Settings(context.Background())
				if err != nil {
					t.Fatal(err)
				}
				st.ElderlyPriorityAge = tt.setting
				if _, err := r.hall.Store.UpdateSettings(context.Background(), store.System, st); err != nil {
					t.Fatal(err)
				}
				r.k.ProbeNow()
			}
			if !tt.during {
				r.placeCard(tt.card)
			}
			r.tap("取号")
			r.waitScreen("take")
			if tt.during {
				r.waitText("有身份证的话")
				if tt.setting > 0 && !r.shows("放上身份证可以优先办理") {
					t.Error("no word of the elderly priority before a card")
				}
			} else {
				r.waitText(tt.greeting)
			}
			r.tap("省自然资源厅")
			r.waitScreen("take.items")
			if tt.during {
				r.placeCard(tt.card)
				r.waitText(tt.greeting)
			}
			if got := r.shows("将为您优先排队"); got != tt.priority {
				t.Errorf("the screen promises priority: %v, want %v", got, tt.priority)
			}
			r.tap("抵押权首次登记")
			r.waitText("请取走号票")
			if got := r.shows("老年人优先"); got != tt.priority {
				t.Errorf("the result shows the priority: %v, want %v", got, tt.priority)
			}
			slip := r.takeSlip(1)
			if got := strings.Contains(slip, "老年人优先"); got != tt.priority {
				t.Errorf("the slip shows the priority: %v, want %v:\n%s", got, tt.priority, slip)
			}
			i := strings.Index(slip, "/t/")
			token := slip[i+3 : i+strings.Index(slip[i:], "]")]
			want := ""
			if tt.priority {
				want = "elderly"
			}
			if got := r.takePriority(token); got != want {
				t.Errorf("the hall server recorded priority %q, want %q", got, want)
			}
			// Taking the card away ends the session and wipes the screen.
			r.card.RemoveCard()
			r.waitScreen("home")
			if r.shows("C001") || r.shows(tt.greeting) {
				t.Error("the ticket or the name stays on screen after the card was taken away")
			}
		})
	}
}

// TestTakeNumberElderly: elderly mode with the elderly priority, the
// golden image of the result.
func TestTakeNumberElderly(t *testing.T) {
	r, ft := newTakeRig(t, rigOptions{})
	r.takeQueueUp("C", 4)
	r.tap("大字模式")
	r.waitFor("elderly mode", func() bool { return r.k.Elderly() })
	r.placeCard(1)
	r.tap("取号")
	r.waitText("杨*英，您好")
	r.tap("C  不动产登记")
	r.waitText("请取走号票")
	r.waitText("老年人优先")
	if p := r.takePriority(ft.last(t).Token); p != "elderly" {
		t.Errorf("priority %q, want elderly", p)
	}
	r.golden("take_result_elderly")
}

// TestTakeNumberEnglish: the whole flow in English.
func TestTakeNumberEnglish(t *testing.T) {
	r, _ := newTakeRig(t, rigOptions{})
	r.takeQueueUp("B", 1)
	r.tap("English")
	r.tap("Take a number")
	r.waitText("Choose a department")
	r.tap("Exit-Entry Administration")
	r.waitText("Tap what you came for")
	r.tap("Issuance of an ordinary passport")
	r.waitText("Please take your ticket")
	for _, want := range []string{"Here is your number", "B002", "Exit and entry (queue B)", "1 ahead of you", "About 5 min wait"} {
		if !r.shows(want) {
			t.Errorf("the result lacks %q; it shows %s", want, strings.Join(r.texts(), " | "))
		}
	}
	r.golden("take_result_en")
	if slip := r.takeSlip(1); !strings.Contains(slip, "information desk") {
		t.Errorf("the slip's note is not in English:\n%s", slip)
	}
}

// TestTakeNumberPaperOut: with the printer out of paper the ticket is
// still issued; its number and QR code stay on screen with what to do,
// and staff are called.
func TestTakeNumberPaperOut(t *testing.T) {
	r, ft := newTakeRig(t, rigOptions{})
	r.printer.SetState(devicetest.PrinterState{PaperOut: true})
	r.tap("取号")
	r.tap("C  不动产登记")
	r.waitText("号票没能打印出来")
	r.waitText("已通知工作人员")
	for _, want := range []string{"C001", "打印机没有纸了", "请记住号码 C001", "拍下右边的二维码", "用手机扫一扫"} {
		if !r.shows(want) {
			t.Errorf("the screen lacks %q; it shows %s", want, strings.Join(r.texts(), " | "))
		}
	}
	if n := ft.helpCalls(); n != 1 {
		t.Errorf("%d help calls, want 1", n)
	}
	if _, err := r.hall.Store.TicketByToken(context.Background(), ft.last(t).Token); err != nil {
		t.Errorf("the ticket was not kept: %v", err)
	}
	if n := len(r.printer.Receipts()); n != 0 {
		t.Errorf("%d receipts came out of a printer without paper", n)
	}
	r.golden("take_paper_out_zh")
}

// TestTakeNumberNoPrinter: a kiosk without a ticket printer shows the
// number and QR code with a calm note, and calls no one.
func TestTakeNumberNoPrinter(t *testing.T) {
	r, ft := newTakeRig(t, rigOptions{noDevices: true})
	r.tap("取号")
	r.waitScreen("take")
	if r.shows("有身份证的话") {
		t.Error("a kiosk without a card reader invites a card")
	}
	r.tap("B  出入境")
	r.waitText("这台机器不打印号票")
	for _, want := range []string{"B001", "请记住您的号码 B001"} {
		if !r.shows(want) {
			t.Errorf("the screen lacks %q", want)
		}
	}
	if r.shows("号票没能打印出来") || ft.helpCalls() != 0 {
		t.Error("no printer is reported as a failure")
	}
}

// TestTakeNumberServerDown: with the hall server gone, taking a number
// says so and what to do, at once; home then shows the outage.
func TestTakeNumberServerDown(t *testing.T) {
	r := newRig(t, rigOptions{})
	r.tap("取号")
	r.tap("省公安厅出入境管理局")
	r.waitScreen("take.items")
	r.hall.Stop()
	start := time.Now()
	r.tap("普通护照签发")
	r.waitText("暂时无法取号")
	if d := time.Since(start); d > 8*time.Second {
		t.Errorf("the failure took %v to show", d)
	}
	for _, want := range []string{"连不上大厅服务器", "咨询台"} {
		if !r.shows(want) {
			t.Errorf("the screen lacks %q; it shows %s", want, strings.Join(r.texts(), " | "))
		}
	}
	if found, enabled := r.hasButton("再试一次"); !found || !enabled {
		t.Error("no Try again button")
	}
	r.tap("再试一次")
	r.waitText("暂时无法取号")
	if n := len(r.printer.Receipts()); n != 0 {
		t.Errorf("%d slips slipPrinted without a ticket", n)
	}
	r.tap("首页")
	r.waitText("暂时无法连接大厅服务器")
	if _, enabled := r.hasButton("取号"); enabled {
		t.Error("取号 is still enabled on home")
	}
}

// TestTakeNumberIdleWipe: the idle reset takes the ticket and the name
// off the screen and out of the session.
func TestTakeNumberIdleWipe(t *testing.T) {
	r := newRig(t, rigOptions{})
	r.placeCard(1)
	r.tap("取号")
	r.tap("B  出入境")
	r.waitText("请取走号票")
	r.k.Sync(r.k.IdleReset)
	r.waitScreen("home")
	for _, s := range []string{"B001", "杨*英", "杨秀英"} {
		if r.shows(s) {
			t.Errorf("%q stays on screen after the idle reset", s)
		}
	}
	if r.k.Card() != nil {
		t.Error("the card stays in the session")
	}
}

// TestTakeTranslations: every take.* text the screens ask for exists (a
// missing one would show as [take.x]).
func TestTakeTranslations(t *testing.T) {
	tr, err := LoadTranslations(assets.FS, assets.TranslationsDir)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"take.go", "take_result.go", "take_widgets.go"} {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range regexp.MustCompile(`T\("(take\.[A-Za-z0-9_]+)"`).FindAllStringSubmatch(string(b), -1) {
			if !tr.Has(m[1]) {
				t.Errorf("%s asks for %s, which no translation file has", f, m[1])
			}
		}
	}
}

// decodeQR reads the QR code in img (a screen or a drawn code).
func decodeQR(t *testing.T, img image.Image) string {
	t.Helper()
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		t.Fatal(err)
	}
	res, err := gozxingqr.NewQRCodeReader().Decode(bmp, nil)
	if err != nil {
		t.Fatalf("no QR code read: %v", err)
	}
	return res.GetText()
}

func TestTicketFollowURL(t *testing.T) {
	tests := []struct{ base, token, want string }{
		{"http://10.0.0.2:8080", "abc234", "HTTP://10.0.0.2:8080/t/abc234"},
		{"https://hall.example.gov.cn/", "abc234", "HTTPS://HALL.EXAMPLE.GOV.CN/t/abc234"},
		{"https://hall.example.gov.cn/onestop/", "abc234", "HTTPS://HALL.EXAMPLE.GOV.CN/onestop/t/abc234"},
		{"https://user:secret@hall.example.gov.cn", "abc234", "HTTPS://HALL.EXAMPLE.GOV.CN/t/abc234"},
		{"http://[fe80::1]:8080", "abc234", "HTTP://[FE80::1]:8080/t/abc234"},
		{"https://政务.中国", "abc234", ""},
		{"", "abc234", ""},
		{"http://10.0.0.2:8080", "", ""},
		{"not a url", "abc234", ""},
	}
	for _, tt := range tests {
		if got := ticketFollowURL(tt.base, tt.token); got != tt.want {
			t.Errorf("ticketFollowURL(%q, %q) = %q, want %q", tt.base, tt.token, got, tt.want)
		}
	}
}

// TestTakeQRImage: the QR code drawn for the screen reads back as its text,
// with a white quiet zone of four modules.
func TestTakeQRImage(t *testing.T) {
	text := "HTTP://10.0.0.2:8080/t/lm2kzq7x4bq5uvhxdz3ka3tpga"
	img, err := takeQRImage(text, 288)
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() > 288 || b.Dx() < 200 || b.Dx() != b.Dy() {
		t.Errorf("size %v, want a square up to 288 px", b)
	}
	if v, _, _, _ := img.At(3, 3).RGBA(); v != 0xFFFF {
		t.Error("the quiet zone is not white")
	}
	if got := decodeQR(t, img); got != text {
		t.Errorf("reads %q, want %q", got, text)
	}
}

func TestTakeWrap(t *testing.T) {
	newRig(t, rigOptions{noDevices: true}) // a test app with the kiosk's font
	tests := []struct {
		s     string
		width float32
		lines int
	}{
		{"普通护照签发", 1000, 1},
		{"国有建设用地使用权及房屋所有权转移登记（存量房买卖）", 400, 2},
		{"Issuance of the Exit-Entry Permit for Travelling to and from Hong Kong and Macao", 600, 2},
		{"Issuance of the Exit-Entry Permit for Travelling to and from Hong Kong and Macao", 300, 4},
	}
	for _, tt := range tests {
		got := takeWrap(tt.s, 28, tt.width)
		lines := strings.Split(got, "\n")
		if len(lines) < tt.lines {
			t.Errorf("takeWrap(%q, %v) = %q: %d lines, want at least %d", tt.s, tt.width, got, len(lines), tt.lines)
		}
		if strings.ReplaceAll(strings.ReplaceAll(got, "\n", " "), "  ", " ") != tt.s &&
			strings.ReplaceAll(got, "\n", "") != tt.s {
			t.Errorf("takeWrap(%q) = %q changed the text", tt.s, got)
		}
		for _, l := range lines {
			if strings.HasPrefix(l, "）") || strings.HasPrefix(l, " ") {
				t.Errorf("line %q starts badly", l)
			}
		}
	}
}
