package kiosk

import "fyne.io/fyne/v2"

// rateScreen is built by the rate issue step; until then it says so.
func (k *Kiosk) rateScreen() fyne.CanvasObject {
	return k.heading(k.T("home.rate"))
}
