package hallserver

import (
	"sync"
	"time"

	"onestop/assets"
	"onestop/hallserver/certpdf"
	"onestop/hallserver/store"
)

// certificateRenderer is the PDF renderer with the embedded font, parsed
// once for the life of the process.
var certificateRenderer = sync.OnceValues(func() (*certpdf.Renderer, error) {
	return certpdf.NewRenderer(assets.Font())
})

// CertificatePDF prints copy copyNo (1 for the original, 2 and up for
// reprints, which carry the reprint mark) of a certificate issued by the
// hall named hallName, whose QR code holds qrText. r is nil for the
// renderer with the embedded font.
func CertificatePDF(r *certpdf.Renderer, c store.Certificate, hallName, qrText string, copyNo int, printedAt time.Time) ([]byte, error) {
	if r == nil {
		var err error
		if r, err = certificateRenderer(); err != nil {
			return nil, err
		}
	}
	doc := certpdf.Certificate{Title: c.Title, Holder: c.HolderName, HolderID: c.HolderMasked,
		Serial: c.Serial.String(), Identifier: c.Identifier, Hall: hallName, IssuedAt: c.IssuedAt,
		ValidUntil: c.Expires, QRText: qrText, Reprint: copyNo > 1, PrintCount: copyNo, PrintedAt: printedAt}
	if !c.Expires.IsZero() {
		// Printed as the last day of validity: the expiry is the start of
		// the day after.
		doc.ValidUntil = c.Expires.Add(-time.Second)
	}
	for _, f := range c.Fields {
		doc.Fields = append(doc.Fields, certpdf.Field{Label: f.Name, Value: f.Value})
	}
	return r.Render(doc)
}
