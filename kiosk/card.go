package kiosk

import (
	"errors"

	"onestop/devices/idcard"
)

// cardEvent handles the card reader: a card placed starts an identified
// session (greeting by masked name) and goes to the screen waiting for
// it; a card taken away ends the session and wipes what it showed.
func (k *Kiosk) cardEvent(ev idcard.Event) {
	k.tech.noteCard(ev) // the reader's health, for the heartbeat
	switch ev.Kind {
	case idcard.EventPlaced:
		k.touch()
		if ev.Err != nil && errors.Is(ev.Err, idcard.ErrInvalidCard) {
			k.banner.show(k.T("card.invalid"), bannerError)
			return
		}
		card := ev.Card
		// The kiosk never shows the photo or uses the fingerprint: they
		// are not kept.
		card.Photo, card.Fingerprint = nil, nil
		k.session.Card = &card
		if k.onCard != nil {
			k.onCard(card)
		}
		if k.session.Card == nil {
			return // the screen took it as a test read (technician mode): no greeting
		}
		k.banner.show(k.T("card.greeting", map[string]string{"Name": idcard.MaskName(card.Name + card.NameEn)}), bannerSuccess)
	case idcard.EventRemoved:
		if k.session.Card == nil {
			return
		}
		k.endSession()
		k.banner.show(k.T("card.removed"), bannerInfo)
	}
}

// Card returns the ID card of the session, if any.
func (k *Kiosk) Card() *idcard.Card { return k.session.Card }
