package kiosk

import (
	"strings"
	"testing"

	"onestop/devices/devicetest"
	"onestop/devices/idcard"
)

// personalData is every piece of a card that must not outlive the
// session: the full name, the ID number and parts of it, the masked name
// shown in the greeting, the address.
func personalData(c idcard.Card) []string {
	return []string{c.Name, idcard.MaskName(c.Name), c.IDNumber, c.IDNumber[len(c.IDNumber)-4:], c.Address}
}

// leftovers lists the personal data still on screen.
func (r *rig) leftovers(c idcard.Card) []string {
	var found []string
	for _, s := range r.texts() {
		for _, p := range personalData(c) {
			if p != "" && strings.Contains(s, p) {
				found = append(found, s)
			}
		}
	}
	return found
}

// TestCardRemovalAndIdleWipe: a placed card greets the person; taking it
// away, or leaving the kiosk alone, wipes the session and every screen
// built from it.
func TestCardRemovalAndIdleWipe(t *testing.T) {
	r := newRig(t, rigOptions{})
	c := devicetest.IDCardSamples()[devicetest.IDCardSampleHan]
	r.placeCard(devicetest.IDCardSampleHan)
	r.waitText(idcard.MaskName(c.Name))
	if r.shows(c.Name) || r.shows(c.IDNumber) {
		t.Error("the greeting shows the full name or ID number")
	}

	// Taking the card away ends the session at once.
	r.card.RemoveCard()
	r.waitFor("the session to end", func() bool { return r.k.session.Card == nil })
	r.waitText("身份证已取走")
	if left := r.leftovers(c); len(left) > 0 {
		t.Errorf("after the card was taken away the screen still shows %q", left)
	}

	// A card left on the reader: the idle reset wipes it from every screen.
	for _, screen := range []string{"取号", "办件查询", "证照打印", "服务评价"} {
		r.card.RemoveCard()
		r.waitFor("no card", func() bool { return r.k.session.Card == nil })
		r.placeCard(devicetest.IDCardSampleHan)
		r.tap(screen)
		r.k.Sync(r.k.IdleReset)
		r.waitScreen("home")
		if r.k.Card() != nil {
			t.Errorf("%s: the card is still in the session after the idle reset", screen)
		}
		if left := r.leftovers(c); len(left) > 0 {
			t.Errorf("%s: after the idle reset the screen still shows %q", screen, left)
		}
		if !r.shows("页面长时间无操作") {
			t.Errorf("%s: the idle reset says nothing", screen)
		}
	}
}
