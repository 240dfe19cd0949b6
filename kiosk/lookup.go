package kiosk

import "fyne.io/fyne/v2"

// lookupScreen is built by the lookup issue step; until then it says so.
func (k *Kiosk) lookupScreen() fyne.CanvasObject {
	return k.heading(k.T("home.lookup"))
}
