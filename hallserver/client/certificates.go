package client

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"

	"onestop/hallserver/api"
)

// CertificatesOf lists the certificates of the holder with the ID number
// (read from the ID card), newest first, revoked ones marked.
func (c *Client) CertificatesOf(ctx context.Context, holderID string) ([]api.Certificate, error) {
	var out []api.Certificate
	return out, c.do(ctx, "POST", "/api/v1/certificates/lookup", api.CertificateLookupRequest{HolderID: holderID}, &out)
}

// Certificate reads one certificate.
func (c *Client) Certificate(ctx context.Context, serial string) (api.Certificate, error) {
	var out api.Certificate
	return out, c.do(ctx, "GET", "/api/v1/certificates/"+url.PathEscape(serial), nil, &out)
}

// maxPDF bounds a certificate PDF read from the hall server.
const maxPDF = 16 << 20

// PrintCertificate records one more print of the certificate and returns
// the PDF to print and which copy it is (1 for the original; later copies
// carry the reprint mark). A kiosk must give the holder's ID number (read
// from their card); staff may leave it empty.
func (c *Client) PrintCertificate(ctx context.Context, serial, holderID string) (pdf []byte, copyNo int, err error) {
	path := "/api/v1/certificates/" + url.PathEscape(serial) + "/print"
	err = c.doRaw(ctx, "POST", path, api.PrintRequest{HolderID: holderID}, func(resp *http.Response) error {
		copyNo, _ = strconv.Atoi(resp.Header.Get("X-Print-Copy"))
		b, err := io.ReadAll(io.LimitReader(resp.Body, maxPDF+1))
		if err != nil {
			return fmt.Errorf("client: read the PDF of %s: %w: %w", serial, ErrUnavailable, err)
		}
		if len(b) > maxPDF {
			return fmt.Errorf("client: the PDF of %s is larger than %d bytes", serial, maxPDF)
		}
		pdf = b
		return nil
	})
	return pdf, copyNo, err
}

// TrustList reads the keys the hall verifies certificates with.
func (c *Client) TrustList(ctx context.Context) ([]byte, error) {
	var out []byte
	err := c.doRaw(ctx, "GET", "/api/v1/trust-list", nil, func(resp *http.Response) error {
		var err error
		out, err = io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		return err
	})
	return out, err
}
