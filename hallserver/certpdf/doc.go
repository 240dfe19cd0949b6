// Package certpdf renders a certificate (证照) as a one-page A4 PDF for a
// public-service hall to print: a bordered page with the title in Chinese
// and English, the holder and their masked ID, the certificate's fields as
// a two-column table, the serial number and 电子证照 identifier, the issuing
// hall and date, and a QR code (error correction Q, no logo) that anyone can
// scan to verify the paper. A reprint is marked as such, visibly: a
// diagonal 补打 REPRINT watermark, a boxed tag and "第 N 次打印 / print N"
// in the footer.
//
// Create one Renderer with the embedded font (assets.Font) when the server
// starts and share it; Render is safe for concurrent use:
//
//	r, err := certpdf.NewRenderer(assets.Font())
//	...
//	pdf, err := r.Render(cert)
//
// fpdf, which writes the PDF, reads a whole TrueType font every time a
// document adds it, some 20 ms for a 4–5 MB CJK face. A Renderer parses the
// face once and gives each document a font cut down to the glyphs that
// certificate uses, so a page takes a few milliseconds.
//
// The font must be TrueType (.ttf, not .ttc or .otf) with Latin and CJK
// glyphs: a CJK-only face such as Droid Sans Fallback prints digits blank,
// so NewRenderer refuses a face without them. Text the face has no glyph
// for is refused too (ErrMissingGlyph) rather than printed with a gap, and
// content that does not fit one page is refused (ErrDoesNotFit) rather than
// cut off.
package certpdf
