package kiosk

import "fyne.io/fyne/v2"

// takeScreen is built by the take issue step; until then it says so.
func (k *Kiosk) takeScreen() fyne.CanvasObject {
	return k.heading(k.T("home.take"))
}
