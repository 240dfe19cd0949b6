package kiosk

import "fyne.io/fyne/v2"

// guideScreen is built by the guide issue step; until then it says so.
func (k *Kiosk) guideScreen() fyne.CanvasObject {
	return k.heading(k.T("home.guide"))
}
