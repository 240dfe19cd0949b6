package main

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/widget"
)

// cursorHider shows its content with the mouse pointer hidden over it (a
// touch screen has no use for one). Widgets that ask for a cursor of
// their own (a text entry in technician mode) still show theirs; the
// pointer disappears at its first move over the kiosk.
type cursorHider struct {
	widget.BaseWidget
	content fyne.CanvasObject
}

// hideCursor wraps a window's content so that the pointer is hidden.
func hideCursor(content fyne.CanvasObject) fyne.CanvasObject {
	h := &cursorHider{content: content}
	h.ExtendBaseWidget(h)
	return h
}

// CreateRenderer draws the content over the whole window.
func (h *cursorHider) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(h.content)
}

// Cursor implements desktop.Cursorable.
func (h *cursorHider) Cursor() desktop.Cursor { return desktop.HiddenCursor }
