package kiosk

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"onestop/devices/devicetest"
	"onestop/hallserver"
	"onestop/hallserver/api"
	"onestop/hallserver/auth"
	"onestop/hallserver/client"
	"onestop/hallserver/store"
)

// techPIN is the technician PIN of the test kiosks.
const techPIN = "246810"

// techPINHash is techPIN's hash, made once (argon2id takes a moment).
var techPINHash = sync.OnceValue(func() string {
	h, err := auth.HashPIN(techPIN)
	if err != nil {
		panic(err)
	}
	return h
})

// newTechRig is a rig whose kiosk has the technician PIN (unless noPIN)
// and saves its configuration to configPath.
func newTechRig(t *testing.T, o rigOptions, noPIN bool) (*rig, string) {
	t.Helper()
	configure := o.config
	o.config = func(c *Config) {
		if !noPIN {
			c.TechnicianPIN = techPINHash()
		}
		if configure != nil {
			configure(c)
		}
	}
	r := newRig(t, o)
	path := filepath.Join(t.TempDir(), "kiosk.json")
	r.k.Sync(func() { r.k.opts.ConfigPath = path })
	return r, path
}

// tapTitle taps the hall's name in the header n times.
func (r *rig) tapTitle(n int) {
	r.t.Helper()
	for range n {
		var area *tapArea
		r.k.Sync(func() {
			walk(r.k.Window().Content(), func(o fyne.CanvasObject) {
				if a, ok := o.(*tapArea); ok && area == nil {
					area = a
				}
			})
		})
		if area == nil {
			r.t.Fatal("the header has no tappable title")
		}
		r.k.Sync(func() { test.Tap(area) })
	}
}

// tapKey taps the visible, enabled button whose text is exactly label
// (keypad keys: "1" must not match "K01").
func (r *rig) tapKey(label string) {
	r.t.Helper()
	var b *widget.Button
	r.k.Sync(func() {
		walk(r.k.Window().Content(), func(o fyne.CanvasObject) {
			if x, ok := o.(*widget.Button); ok && b == nil && !x.Disabled() && x.Text == label {
				b = x
			}
		})
	})
	if b == nil {
		r.t.Fatalf("no key %q on screen %q", label, r.screen())
	}
	r.k.Sync(func() { test.Tap(b) })
}

// typeKeys taps the keypad's keys for s.
func (r *rig) typeKeys(s string) {
	r.t.Helper()
	for _, c := range s {
		r.tapKey(string(c))
	}
}

// bannerText is the banner's message.
func (r *rig) bannerText() string {
	var s string
	r.k.Sync(func() { s = r.k.banner.Text() })
	return s
}

// waitBanner waits until the banner says s.
func (r *rig) waitBanner(s string) {
	r.t.Helper()
	r.waitFor("banner "+s, func() bool { return strings.Contains(r.k.banner.Text(), s) })
}

// enterTech opens technician mode through the hidden entry and the PIN.
func (r *rig) enterTech() {
	r.t.Helper()
	r.tapTitle(techTaps)
	r.waitScreen("tech_pin")
	r.typeKeys(techPIN)
	r.tap("确定")
	r.waitScreen("tech_menu")
}

// staffClient signs in to the test hall as a demo account.
func (r *rig) staffClient(user, password string) *client.Client {
	r.t.Helper()
	c, err := client.New(r.hall.URL, client.WithTimeout(5*time.Second))
	if err != nil {
		r.t.Fatal(err)
	}
	if _, err := c.Login(context.Background(), user, password); err != nil {
		r.t.Fatal(err)
	}
	return c
}

// stableForGolden shows fixed addresses instead of the test's random
// ports, temporary folders and pseudo-terminals, so that golden images
// are the same on every run. The open devices stay as they are.
func (r *rig) stableForGolden() {
	r.k.Sync(func() {
		c := &r.k.cfg
		c.ServerURL = "http://10.0.0.2:8080"
		if c.Devices.IDCardPort != "" {
			c.Devices.IDCardPort = "/dev/ttyUSB0"
			c.Devices.PrinterPort = "/dev/ttyUSB1"
			c.Devices.ScannerPort = "/dev/ttyACM0"
			c.Devices.A4Folder = "/var/spool/onestop"
		}
		r.k.render()
	})
}

// fakeClock is a clock the test moves.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// TestTechEntry: five taps on the hall's name within three seconds open
// the PIN screen; slower taps do not.
func TestTechEntry(t *testing.T) {
	r, _ := newTechRig(t, rigOptions{noDevices: true}, false)
	clock := &fakeClock{now: time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)}
	r.k.Sync(func() { r.k.now = clock.Now })
	r.tapTitle(4)
	clock.Advance(techTapWindow)
	r.tapTitle(1)
	if s := r.screen(); s != "home" {
		t.Fatalf("4 taps, a pause and 1 tap opened %q", s)
	}
	r.tapTitle(4)
	r.waitScreen("tech_pin")
	r.tap("返回")
	r.waitScreen("home")
}

// TestTechPIN: without a PIN the mode is locked; a wrong PIN is refused,
// five in a row lock the screen; the right one opens the menu; leaving
// locks it again.
func TestTechPIN(t *testing.T) {
	t.Run("no PIN set", func(t *testing.T) {
		r, _ := newTechRig(t, rigOptions{noDevices: true}, true)
		r.tapTitle(techTaps)
		r.waitScreen("tech_pin")
		r.waitText("维护模式已锁定")
		if found, _ := r.hasButton("确定"); found {
			t.Error("a kiosk without a PIN offers to check one")
		}
	})
	t.Run("wrong, right, lockout", func(t *testing.T) {
		r, _ := newTechRig(t, rigOptions{noDevices: true}, false)
		r.tapTitle(techTaps)
		r.waitScreen("tech_pin")
		r.waitText("请输入维护密码")
		r.typeKeys("135")
		r.golden("tech_pin_zh")
		r.typeKeys("791")
		r.tap("确定")
		r.waitBanner("密码不正确")
		if s := r.screen(); s != "tech_pin" {
			t.Fatalf("a wrong PIN opened %q", s)
		}
		r.typeKeys(techPIN)
		r.tap("确定")
		r.waitScreen("tech_menu")
		r.waitText("终端维护")
		// Leaving returns home; the way back in needs the PIN again.
		r.tap("退出维护")
		r.waitScreen("home")
		r.tapTitle(techTaps)
		r.waitScreen("tech_pin")
		for i := range techMaxFailures {
			r.typeKeys("000000")
			r.tap("确定")
			if i < techMaxFailures-1 {
				r.waitBanner("密码不正确")
			}
			r.waitFor("the PIN checked", func() bool { return r.k.tech.failures == i+1 || !r.k.tech.lockedTill.IsZero() })
		}
		r.waitBanner("密码错误次数过多")
		// Even the right PIN waits out the lockout.
		r.typeKeys(techPIN)
		r.tap("确定")
		r.waitBanner("密码错误次数过多")
		if s := r.screen(); s != "tech_pin" {
			t.Fatalf("during the lockout the PIN opened %q", s)
		}
	})
}

// TestTechMenu: the menu says what the kiosk is and that its heartbeat
// reaches the hall server.
func TestTechMenu(t *testing.T) {
	r, _ := newTechRig(t, rigOptions{noDevices: true}, false)
	r.waitFor("the first heartbeat", func() bool { return !r.k.tech.lastBeat.IsZero() })
	r.enterTech()
	r.stableForGolden()
	for _, want := range []string{"终端名称：K01", "大厅服务器：http://10.0.0.2:8080", "已注册 · 连接正常", "设备状态已报告给大厅服务器"} {
		r.waitText(want)
	}
	r.golden("tech_menu_zh")
	r.tap("English")
	r.waitText("Kiosk maintenance")
}

// TestTechEnroll: a kiosk enrolled with a one-time code from the hall
// saves its new token and name, and talks to the hall with them at once.
func TestTechEnroll(t *testing.T) {
	r, path := newTechRig(t, rigOptions{noDevices: true}, false)
	code, err := hallserver.CreateEnrollmentCode(context.Background(), r.hall.Store, store.System, "K02", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	r.enterTech()
	r.tap("服务器与注册")
	r.waitScreen("tech_server")
	r.waitText("本终端已注册为 K01")

	// The address keypad: a wrong address is refused, the hall's taken.
	r.tap("修改地址")
	r.clearKeypad()
	r.typeKeys("10.0.0.2:")
	r.tap("使用这个地址")
	r.waitBanner("地址不正确")
	r.clearKeypad()
	r.typeKeys(strings.ToUpper(strings.TrimPrefix(r.hall.URL, "http://")))
	r.tap("使用这个地址")
	r.waitText("大厅服务器地址：" + r.hall.URL)

	// Too short a code is refused before asking the hall.
	r.typeKeys("1234")
	r.tap("注册本终端")
	r.waitBanner("注册码是 12 位数字")
	r.clearKeypad()
	digits := strings.ReplaceAll(code.Code, "-", "")
	r.typeKeys(digits)
	r.tap("注册本终端")
	r.waitBanner("注册成功：本终端名为 K02")
	r.waitText("本终端已注册为 K02")

	// Saved: the new name, token and address; the PIN kept.
	cfg, err := LoadConfig(path)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Name != "K02" || !strings.HasPrefix(cfg.DeviceToken, auth.DevicePrefix) || cfg.DeviceToken == r.hall.KioskToken ||
		cfg.ServerURL != r.hall.URL || cfg.TechnicianPIN != techPINHash() {
		t.Fatalf("saved configuration %+v", cfg)
	}
	// The kiosk now speaks to the hall as K02.
	if err := r.k.HeartbeatNow(); err != nil {
		t.Fatalf("heartbeat after enrollment: %v", err)
	}
	ks, err := r.staffClient("yunwei", "demo-technician").Kiosks(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	online := map[string]bool{}
	for _, k := range ks {
		online[k.Name] = k.Online
	}
	if !online["K02"] {
		t.Errorf("K02 is not online after its heartbeat: %+v", ks)
	}

	// A code is good once: the hall's refusal is shown.
	r.typeKeys(digits)
	r.tap("注册本终端")
	r.waitBanner("注册失败")
	if b := r.bannerText(); !strings.Contains(b, "used already") {
		t.Errorf("banner %q does not say the code was used", b)
	}
}

// clearKeypad taps the keypad's clear key.
func (r *rig) clearKeypad() {
	r.t.Helper()
	var b *widget.Button
	r.k.Sync(func() {
		walk(r.k.Window().Content(), func(o fyne.CanvasObject) {
			if x, ok := o.(*widget.Button); ok && b == nil && x.Text == "" && x.Icon == theme.ContentClearIcon() {
				b = x
			}
		})
	})
	if b == nil {
		r.t.Fatalf("no keypad on screen %q", r.screen())
	}
	r.k.Sync(func() { test.Tap(b) })
}

// techDevicesChecked waits until the device screen shows every device's
// health and no test is under way.
func (r *rig) techDevicesChecked() {
	r.t.Helper()
	r.waitScreen("tech_devices")
	deadline := time.Now().Add(10 * time.Second)
	for r.shows("正在检查") || r.shows("正在测试") {
		if time.Now().After(deadline) {
			r.t.Fatalf("the device screen still checks: %v", r.texts())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestTechDevices: the device screen shows each device's health and
// tests each over the simulators: a card read (masked, no citizen
// session), a test slip, the A4 test page, a scan; paper out shows.
func TestTechDevices(t *testing.T) {
	r, _ := newTechRig(t, rigOptions{}, false)
	r.enterTech()
	r.tap("设备状态与测试")
	r.waitScreen("tech_devices")
	r.techDevicesChecked()
	for _, want := range []string{"身份证读卡器", "小票打印机", "A4 打印机", "扫码器", "正常"} {
		r.waitText(want)
	}

	// Card: read, masked; taking it away ends no session.
	r.tap("读卡测试")
	r.waitText("请把身份证放在读卡区")
	sample := devicetest.IDCardSamples()[0]
	r.card.PlaceCard(sample)
	r.waitText("读卡成功：王*红，")
	if r.shows(sample.IDNumber) || r.shows(sample.Name) {
		t.Error("the card test shows the card's number or name unmasked")
	}
	r.k.Sync(func() {
		if r.k.session.Card != nil {
			t.Error("a technician's test card started a citizen session")
		}
	})
	r.card.RemoveCard()

	// Ticket printer: a test slip comes out.
	r.tap("打印测试小票")
	receipts, err := r.printer.WaitReceipts(1, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if text := receipts[0].Text(); !strings.Contains(text, "T000") || !strings.Contains(text, "终端 K01 打印测试") {
		t.Errorf("test slip:\n%s", text)
	}
	r.waitText("测试小票已打印")

	// Scanner.
	r.tap("扫码测试")
	r.waitText("请扫描任意二维码或条码")
	r.scanner.Scan("HELLO-123")
	r.waitText("扫到：HELLO-123")
	if s := r.screen(); s != "tech_devices" {
		t.Fatalf("the tests left the device screen for %q", s)
	}
	r.techDevicesChecked()
	r.stableForGolden()
	r.golden("tech_devices_zh")

	// A4: the test page lands in the folder.
	r.tap("打印测试页")
	r.waitText("测试页已送出")
	pdfs, _ := filepath.Glob(filepath.Join(r.a4dir, "*.pdf"))
	if len(pdfs) != 1 {
		t.Fatalf("A4 folder holds %v", pdfs)
	}
	if b, err := os.ReadFile(pdfs[0]); err != nil || !strings.HasPrefix(string(b), "%PDF-") {
		t.Errorf("test page %s: %v", pdfs[0], err)
	}

	// Paper out: the printer's row says so, in the printer's words.
	r.printer.SetState(devicetest.PrinterState{PaperOut: true})
	r.tap("重新检查")
	r.waitText("故障：打印机缺纸")
	r.tap("打印测试小票")
	r.waitText("测试失败：打印机缺纸")
}

// TestTechSettings: the settings screen lists the serial ports, offers
// the configured ones, and saves the changes to the configuration file;
// then it offers to restart.
func TestTechSettings(t *testing.T) {
	r, path := newTechRig(t, rigOptions{}, false)
	restarted := make(chan bool, 1)
	r.k.Sync(func() { r.k.opts.Restart = func() { restarted <- true } })
	r.enterTech()
	r.tap("端口与打印机")
	r.waitScreen("tech_settings")
	if !r.shows("本机检测到的串口") && !r.shows("本机没有检测到串口") {
		t.Errorf("no port list; the screen shows %v", r.texts())
	}
	var ports []string
	var paper *widget.Select
	r.k.Sync(func() {
		walk(r.k.Window().Content(), func(o fyne.CanvasObject) {
			if s, ok := o.(*widget.Select); ok {
				if s.Selected == "80 mm" {
					paper = s
				}
				if strings.HasPrefix(s.Selected, "/dev/") {
					ports = append(ports, s.Selected)
					if !slicesContains(s.Options, "不使用") {
						t.Errorf("port choices %v lack none", s.Options)
					}
				}
			}
		})
	})
	cfg := r.k.cfg.Devices
	if strings.Join(ports, " ") != strings.Join([]string{cfg.IDCardPort, cfg.PrinterPort, cfg.ScannerPort}, " ") {
		t.Errorf("the port choices show %v, the configuration has %+v", ports, cfg)
	}
	if paper == nil {
		t.Fatal("no paper width choice showing 80 mm")
	}
	r.k.Sync(func() { paper.SetSelected("58 mm") })
	r.tap("保存设置")
	r.waitBanner("设置已保存")
	saved, err := LoadConfig(path)
	if err != nil {
		t.Fatal(err)
	}
	if saved.Devices.PaperMM != 58 || saved.Devices.PrinterPort != cfg.PrinterPort || saved.Devices.A4Folder != r.a4dir || saved.Name != "K01" {
		t.Errorf("saved %+v", saved)
	}
	r.tap("重新启动终端")
	select {
	case <-restarted:
	default:
		t.Error("the restart button did not restart")
	}
}

func slicesContains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// TestHeartbeatAndHelp: the heartbeat tells the hall the printer is out
// of paper, which a technician sees with the kiosk's last contact; the
// help button alerts the supervisors.
func TestHeartbeatAndHelp(t *testing.T) {
	r := newRig(t, rigOptions{})
	r.printer.SetState(devicetest.PrinterState{PaperOut: true})
	if err := r.k.HeartbeatNow(); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	ks, err := r.staffClient("yunwei", "demo-technician").Kiosks(ctx)
	if err != nil || len(ks) != 1 {
		t.Fatalf("kiosks: %+v, %v", ks, err)
	}
	k := ks[0]
	if k.Name != "K01" || !k.Online || k.LastSeen.IsZero() || time.Since(k.LastSeen) > time.Minute {
		t.Errorf("K01 as the hall sees it: %+v", k)
	}
	var printer *api.DeviceHealth
	for i, p := range k.Problems {
		if p.Device == api.DevicePrinter {
			printer = &k.Problems[i]
		}
	}
	if printer == nil || printer.State != api.DeviceProblem || !strings.Contains(printer.Problem, "paper out") || len(k.Problems) != 1 {
		t.Errorf("problems %+v: want the printer's paper out only", k.Problems)
	}

	r.tap("呼叫工作人员")
	r.waitBanner("已通知工作人员")
	calls, err := r.staffClient("zhuren", "demo-supervisor").HelpCalls(ctx)
	if err != nil || len(calls) != 1 || calls[0].Kiosk != "K01" {
		t.Errorf("open help calls: %+v, %v", calls, err)
	}
}
