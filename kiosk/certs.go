package kiosk

import "fyne.io/fyne/v2"

// certsScreen is built by the certs issue step; until then it says so.
func (k *Kiosk) certsScreen() fyne.CanvasObject {
	return k.heading(k.T("home.certs"))
}
