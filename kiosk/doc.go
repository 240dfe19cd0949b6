// Package kiosk is the self-service kiosk's user interface, built with
// Fyne: a citizen who has never used a computer should leave with a
// ticket, a status or a certificate.
//
// The package never imports fyne.io/fyne/v2/app, so it builds and tests
// without cgo or a display (fyne.io/fyne/v2/test); cmd/kiosk makes the
// real app and window and hands them to New with the devices (OpenDevices)
// and the hall server client.
//
// One file per screen. The rules every screen follows:
//   - Every button is made by Kiosk.button (or keypad keys): at least 60 dp
//     high, and a tap resets the idle timer.
//   - Texts come from the translation files in assets/translations
//     (Kiosk.T); the language switches at once, any time.
//   - Goroutines (device events, hall server calls) change the screen
//     only through Kiosk.do, which runs on the UI thread (fyne.Do) and
//     holds the UI lock; handlers of taps already run on the UI thread.
//   - Personal data (the ID card, a person's applications and
//     certificates) live in the Session and on screens built from it;
//     Kiosk.endSession drops both and returns home — on idle, when the
//     card is taken away, or when the person presses Home.
package kiosk
