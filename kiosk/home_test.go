package kiosk

import (
	"testing"
)

// TestHomeScreens: the home screen in Chinese, English and elderly mode
// (golden images), and how it looks while the hall server is away.
func TestHomeScreens(t *testing.T) {
	r := newRig(t, rigOptions{noDevices: true})
	r.waitText("测试政务服务中心")
	for _, want := range []string{"取号", "办件查询", "证照打印", "办事指南", "服务评价", "呼叫工作人员", "English", "大字模式"} {
		if !r.shows(want) {
			if found, _ := r.hasButton(want); !found {
				t.Errorf("home lacks %q", want)
			}
		}
	}
	r.golden("home_zh")
	r.tap("English")
	r.waitText("Welcome to")
	if found, _ := r.hasButton("Take a number"); !found {
		t.Error("English home lacks 'Take a number'")
	}
	r.golden("home_en")
	r.tap("中文")
	r.tap("大字模式")
	r.waitFor("elderly mode", func() bool { return r.k.Elderly() })
	r.golden("home_elderly")
	r.tap("标准模式")

	// The hall server goes away: the tiles that need it are disabled and
	// the home screen says what still works.
	r.hall.Stop()
	r.k.ProbeNow()
	r.waitText("暂时无法连接大厅服务器")
	if _, enabled := r.hasButton("取号"); enabled {
		t.Error("取号 is enabled with the hall server down")
	}
	if _, enabled := r.hasButton("办事指南"); !enabled {
		t.Error("the guide is disabled with the hall server down")
	}
	r.golden("home_offline")
}
