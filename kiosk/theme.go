package kiosk

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"

	"onestop/assets"
)

// font is the embedded Latin + CJK font: screens and golden images look
// the same on every machine, whatever fonts it has.
var font = fyne.NewStaticResource("wqy-microhei.ttf", assets.Font())

// Colours: dark text on light ground, buttons in a deep blue with white
// text — every pair at least 4.5:1 (the 适老化 rule); theme_test.go checks.
var (
	colBackground = color.NRGBA{0xF4, 0xF5, 0xF7, 0xFF}
	colText       = color.NRGBA{0x1A, 0x1A, 0x1A, 0xFF}
	colMuted      = color.NRGBA{0x4A, 0x4F, 0x57, 0xFF}
	colPrimary    = color.NRGBA{0x0B, 0x4F, 0x9C, 0xFF}
	colOnPrimary  = color.NRGBA{0xFF, 0xFF, 0xFF, 0xFF}
	colButton     = color.NRGBA{0xFF, 0xFF, 0xFF, 0xFF}
	colDanger     = color.NRGBA{0xA4, 0x16, 0x1A, 0xFF}
	colSuccess    = color.NRGBA{0x0B, 0x6E, 0x2E, 0xFF}
	colWarning    = color.NRGBA{0x8A, 0x4B, 0x00, 0xFF}
	colDisabled   = color.NRGBA{0x5F, 0x64, 0x6B, 0xFF}
	colSeparator  = color.NRGBA{0xD5, 0xD8, 0xDD, 0xFF}
	// colDisabledButton is lighter than the separator so that disabled
	// text on it keeps 4.5:1.
	colDisabledButton = color.NRGBA{0xE6, 0xE8, 0xEB, 0xFF}
)

// Sizes is one set of text and target sizes.
type Sizes struct {
	Text, Heading, SubHeading, Caption float32 // text sizes
	Target                             float32 // smallest touch target, dp
	Padding                            float32
}

// Standard and Elderly are the two modes. Elderly mode meets the 适老化
// rules: body ≥ 18, largest ≥ 30, targets ≥ 60 dp (standard mode too).
var (
	Standard = Sizes{Text: 22, Heading: 34, SubHeading: 26, Caption: 18, Target: 72, Padding: 8}
	Elderly  = Sizes{Text: 28, Heading: 44, SubHeading: 34, Caption: 22, Target: 96, Padding: 10}
)

// kioskTheme is the kiosk's Fyne theme: always light, the embedded font,
// and the sizes of the current mode.
type kioskTheme struct {
	sizes Sizes
}

func (t *kioskTheme) Color(n fyne.ThemeColorName, _ fyne.ThemeVariant) color.Color {
	switch n {
	case theme.ColorNameBackground, theme.ColorNameMenuBackground, theme.ColorNameOverlayBackground:
		return colBackground
	case theme.ColorNameForeground, theme.ColorNameHyperlink:
		return colText
	case theme.ColorNamePlaceHolder:
		return colMuted
	case theme.ColorNamePrimary, theme.ColorNameFocus, theme.ColorNameSelection:
		return colPrimary
	case theme.ColorNameForegroundOnPrimary:
		return colOnPrimary
	case theme.ColorNameButton, theme.ColorNameInputBackground, theme.ColorNameHeaderBackground:
		return colButton
	case theme.ColorNameDisabled:
		return colDisabled
	case theme.ColorNameDisabledButton:
		return colDisabledButton
	case theme.ColorNameError, theme.ColorNameForegroundOnError:
		if n == theme.ColorNameForegroundOnError {
			return colOnPrimary
		}
		return colDanger
	case theme.ColorNameSuccess:
		return colSuccess
	case theme.ColorNameWarning:
		return colWarning
	case theme.ColorNameSeparator, theme.ColorNameInputBorder, theme.ColorNameScrollBar:
		return colSeparator
	case theme.ColorNameHover, theme.ColorNamePressed:
		return color.NRGBA{0x0B, 0x4F, 0x9C, 0x22}
	case theme.ColorNameShadow:
		return color.NRGBA{0, 0, 0, 0x33}
	}
	return theme.DefaultTheme().Color(n, theme.VariantLight)
}

func (t *kioskTheme) Font(fyne.TextStyle) fyne.Resource { return font }

func (t *kioskTheme) Icon(n fyne.ThemeIconName) fyne.Resource { return theme.DefaultTheme().Icon(n) }

func (t *kioskTheme) Size(n fyne.ThemeSizeName) float32 {
	s := t.sizes
	switch n {
	case theme.SizeNameText:
		return s.Text
	case theme.SizeNameHeadingText:
		return s.Heading
	case theme.SizeNameSubHeadingText:
		return s.SubHeading
	case theme.SizeNameCaptionText:
		return s.Caption
	case theme.SizeNamePadding:
		return s.Padding
	case theme.SizeNameInnerPadding:
		return s.Padding * 1.5
	case theme.SizeNameInlineIcon:
		return s.Text * 1.2
	case theme.SizeNameScrollBar:
		return 16
	case theme.SizeNameScrollBarSmall:
		return 8
	case theme.SizeNameInputRadius, theme.SizeNameSelectionRadius:
		return 8
	case theme.SizeNameInputBorder:
		return 2
	}
	return theme.DefaultTheme().Size(n)
}
