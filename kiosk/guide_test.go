package kiosk

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"onestop/devices/devicetest"
	"onestop/devices/escpos"
	"onestop/hallserver/catalogue"
	"onestop/hallserver/client"
)

// TestGuideBrowse: departments → items → an item's details in Chinese,
// English and elderly mode (golden images), the common topics, and the
// item-code keypad.
func TestGuideBrowse(t *testing.T) {
	r := newRig(t, rigOptions{noDevices: true})
	r.tap("办事指南")
	r.waitScreen("guide")
	for _, want := range []string{"常用主题", "办护照", "按部门查找", "省公安厅出入境管理局", "6 项", "输入事项编码"} {
		if !r.shows(want) {
			t.Errorf("the guide lacks %q", want)
		}
	}
	r.golden("guide_departments_zh")

	r.tapUnder("省公安厅出入境管理局")
	r.waitScreen("guide_list")
	r.waitText("往来港澳通行证再次签注")
	r.tapUnder("普通护照签发")
	r.waitScreen("guide_item")
	for _, want := range []string{
		"办理部门：省公安厅出入境管理局", "GA-CRJ-003",
		"承诺 7 个工作日", "法定时限 15 个工作日", "120元/本", "不发证照",
		"申请条件", "1. 中国公民因定居", "申请材料（共 4 项）", "1. 居民身份证", "原件，1 份",
		"交验原件，窗口留存复印件", "纸质件，1 份", "办理流程", "受理  →  审核", "《中华人民共和国护照法》第五条",
	} {
		if !r.shows(want) {
			t.Errorf("the item lacks %q", want)
		}
	}
	r.golden("guide_item_zh")
	r.tap("English")
	r.waitText("Issuance of an ordinary passport")
	for _, want := range []string{"Legal limit: 15 working days", "Documents to bring (4)", "published by the hall in Chinese", "居民身份证", "Original, 1 copy"} {
		if !r.shows(want) {
			t.Errorf("the English item lacks %q", want)
		}
	}
	r.golden("guide_item_en")
	r.tap("中文")
	r.tap("大字模式")
	r.waitFor("elderly mode", func() bool { return r.k.Elderly() })
	r.golden("guide_item_elderly")
	r.tap("标准模式")

	// An item that is done on the spot and one that produces a certificate.
	r.tap("返回")
	r.waitScreen("guide_list")
	r.tapUnder("往来港澳通行证再次签注")
	r.waitText("即办件：当场办结")

	// A common topic mixes departments and names them.
	r.k.Sync(r.k.goHome)
	r.tap("办事指南")
	r.tap("房屋与不动产")
	r.waitScreen("guide_list")
	r.waitText("抵押权首次登记")
	if !r.shows("省自然资源厅（不动产登记中心）") {
		t.Error("a topic's list does not name the department")
	}
	r.tapUnder("国有建设用地使用权及房屋所有权转移登记（存量房买卖）")
	r.waitText("不动产权证书")

	// The item code, typed on the keypad: dashes do not matter.
	r.k.Sync(r.k.goHome)
	r.tap("办事指南")
	r.tapUnder("输入事项编码")
	r.waitScreen("guide_code")
	for _, key := range []string{"B", "D", "C", "0", "0", "2"} {
		r.tapExact(key)
	}
	r.waitText("找到 1 个事项")
	r.tapUnder("国有建设用地使用权及房屋所有权转移登记（存量房买卖）")
	r.waitScreen("guide_item")
}

// TestGuideTopicsAndCodes: every topic shown finds items of the seed
// catalogue, and item codes match without their dashes.
func TestGuideTopicsAndCodes(t *testing.T) {
	c, err := catalogue.Seed()
	if err != nil {
		t.Fatal(err)
	}
	for _, tp := range guideTopics {
		if n := len(topicItems(c, tp)); n == 0 {
			t.Errorf("topic %s finds nothing in the seed catalogue", tp.id)
		}
	}
	passports := topicItems(c, guideTopics[0])
	if len(passports) != 2 || passports[0].Code != "GA-CRJ-003" {
		t.Errorf("passport topic: %+v", passports)
	}
	for _, tt := range []struct {
		typed string
		want  int
	}{{"", 0}, {"crj", 6}, {"CRJ003", 1}, {"GA-CRJ-003", 1}, {"ZZZ", 0}, {"BDC", 7}} {
		if got := len(codeItems(c, tt.typed)); got != tt.want {
			t.Errorf("code %q finds %d items, want %d", tt.typed, got, tt.want)
		}
	}
}

// TestGuideChecklist: the materials checklist printed on the ticket
// printer, its lines within the paper's width; then the paper runs out.
func TestGuideChecklist(t *testing.T) {
	r := newRig(t, rigOptions{})
	r.openItem("省公安厅出入境管理局", "普通护照签发")
	r.tap("打印材料清单")
	rs, err := r.printer.WaitReceipts(1, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	text := rs[0].Text()
	for _, want := range []string{"一次性告知单", "事项：普通护照签发", "编码：GA-CRJ-003", "收费：120元/本",
		"【申请条件】", "【申请材料】共4项", "□ 1. 居民身份证", "原件，1 份，交验原件，窗口留存复印件",
		"□ 2. 近期正面免冠彩色照片", "□ 4. 国家工作人员出境审批意见", "【办理流程】受理→审核→决定→制证→送达",
		"测试政务服务中心", "打印时间："} {
		if !strings.Contains(text, want) {
			t.Errorf("the checklist lacks %q:\n%s", want, text)
		}
	}
	for _, l := range rs[0].Lines {
		if l.QR == nil && l.Dots() > r.printer.Dots() {
			t.Errorf("line %q is %d dots wide, more than the paper's %d", l.Text(), l.Dots(), r.printer.Dots())
		}
	}
	r.waitFor("the printed message", func() bool { return strings.Contains(r.k.banner.Text(), "材料清单已打印") })

	r.printer.SetState(devicetest.PrinterState{PaperOut: true})
	r.tap("打印材料清单")
	r.waitFor("the paper-out message", func() bool { return strings.Contains(r.k.banner.Text(), "打印机没纸了") })
	if !r.shows("居民身份证") {
		t.Error("the materials left the screen when the paper ran out")
	}
	if found, enabled := r.hasButton("打印材料清单"); !found || !enabled {
		t.Error("the print button is not ready again after paper out")
	}
}

// TestChecklistLines: long texts wrap within the columns, continued lines
// indented, on 58 mm and 80 mm paper.
func TestChecklistLines(t *testing.T) {
	r := newRig(t, rigOptions{noDevices: true})
	c, _ := catalogue.Seed()
	it, _ := c.Item("SJ-DJ-001")
	for _, cols := range []int{32, 48} {
		var lines []string
		r.k.Sync(func() { _, lines = r.k.checklist(it, cols) })
		for _, l := range lines {
			if w := escpos.TextWidth(l); w > cols {
				t.Errorf("%d columns: line %q is %d wide", cols, l, w)
			}
		}
		joined := strings.Join(lines, "\n")
		if !strings.Contains(joined, "\n　　") {
			t.Errorf("%d columns: no continued line is indented:\n%s", cols, joined)
		}
	}
}

// TestGuideOffline: with the hall server gone the guide still browses
// from the catalogue fetched earlier; a kiosk started with only the
// cached catalogue works too, and one with no catalogue at all says the
// guide is not available yet.
func TestGuideOffline(t *testing.T) {
	r := newRig(t, rigOptions{noDevices: true})
	r.hall.Stop()
	r.k.ProbeNow()
	r.waitFor("the kiosk to notice", func() bool { return !r.k.Online() })
	r.tap("办事指南")
	r.waitText("本机保存的办事指南")
	r.openItemHere("省公安厅出入境管理局", "普通护照签发")
	r.waitText("120元/本")

	seed, err := catalogue.Seed()
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(seed)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		cache []byte
		want  string
	}{
		{"cached catalogue", b, "省公安厅出入境管理局"},
		{"no catalogue", nil, "办事指南暂时还不能查看"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			if tt.cache != nil {
				if err := os.WriteFile(filepath.Join(dir, catalogueCacheFile), tt.cache, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			k := startOffline(t, dir)
			var b *widget.Button
			k.Sync(func() { b = findButton(k.Window().Content(), "办事指南") })
			if b == nil {
				t.Fatal("no enabled guide button on the offline home screen")
			}
			k.Sync(func() { test.Tap(b) })
			var texts []string
			k.Sync(func() {
				walk(k.Window().Content(), func(o fyne.CanvasObject) {
					if l, ok := o.(*widget.Label); ok {
						texts = append(texts, l.Text)
					}
				})
			})
			if !strings.Contains(strings.Join(texts, "|"), tt.want) {
				t.Errorf("the guide shows %q, want %q", texts, tt.want)
			}
		})
	}
}

// startOffline starts a kiosk whose hall server does not answer, with the
// cache directory dir.
func startOffline(t *testing.T, dir string) *Kiosk {
	t.Helper()
	hall, err := client.New("http://127.0.0.1:1", client.WithTimeout(time.Second))
	if err != nil {
		t.Fatal(err)
	}
	k, err := New(test.NewTempApp(t), Options{Config: Config{Name: "K01", ServerURL: "http://127.0.0.1:1", IdleSeconds: 3600},
		Hall: hall, CacheDir: dir, ProbeEvery: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(k.Stop)
	k.Window().Resize(screenSize)
	return k
}

// openItem goes from home to an item of a department.
func (r *rig) openItem(dept, item string) {
	r.t.Helper()
	r.tap("办事指南")
	r.waitScreen("guide")
	r.openItemHere(dept, item)
}

// openItemHere opens an item of a department from the guide's first
// screen.
func (r *rig) openItemHere(dept, item string) {
	r.t.Helper()
	r.tapUnder(dept)
	r.waitScreen("guide_list")
	r.tapUnder(item)
	r.waitScreen("guide_item")
}

// tapUnder taps the button under a row (guideTapRow) that shows a label
// reading exactly s.
func (r *rig) tapUnder(s string) {
	r.t.Helper()
	var b *widget.Button
	r.k.Sync(func() {
		walk(r.k.Window().Content(), func(o fyne.CanvasObject) {
			c, ok := o.(*fyne.Container)
			if !ok || b != nil || len(c.Objects) != 2 {
				return
			}
			t, ok := c.Objects[0].(*fyne.Container)
			if !ok || len(t.Objects) != 1 {
				return
			}
			btn, ok := t.Objects[0].(*widget.Button)
			if !ok || btn.Text != "" || btn.Disabled() {
				return
			}
			walk(c.Objects[1], func(o fyne.CanvasObject) {
				if l, ok := o.(*widget.Label); ok && l.Text == s {
					b = btn
				}
			})
		})
	})
	if b == nil {
		r.t.Fatalf("no row %q on screen %q; texts: %s", s, r.screen(), strings.Join(r.texts(), " | "))
	}
	r.k.Sync(func() { test.Tap(b) })
}

// tapExact taps the visible, enabled button whose text is exactly s.
func (r *rig) tapExact(s string) {
	r.t.Helper()
	var b *widget.Button
	r.k.Sync(func() {
		walk(r.k.Window().Content(), func(o fyne.CanvasObject) {
			if btn, ok := o.(*widget.Button); ok && b == nil && btn.Text == s && !btn.Disabled() {
				b = btn
			}
		})
	})
	if b == nil {
		r.t.Fatalf("no button %q on screen %q", s, r.screen())
	}
	r.k.Sync(func() { test.Tap(b) })
}
