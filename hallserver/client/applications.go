package client

import (
	"context"
	"net/url"

	"onestop/hallserver/api"
)

// Application reads one application with its clock and certificates. A
// kiosk sees the applicant's name masked.
func (c *Client) Application(ctx context.Context, number string) (api.Application, error) {
	var out api.Application
	return out, c.do(ctx, "GET", "/api/v1/applications/"+url.PathEscape(number), nil, &out)
}

// ApplicationsOf lists the applications of the applicant with the ID
// number (read from the ID card), newest first.
func (c *Client) ApplicationsOf(ctx context.Context, applicantID string) ([]api.Application, error) {
	var out []api.Application
	return out, c.do(ctx, "POST", "/api/v1/applications/lookup", api.ApplicationLookupRequest{ApplicantID: applicantID}, &out)
}

// ApplicationByNotice finds the application whose acceptance notice has
// the QR code (its text, or the token at its end).
func (c *Client) ApplicationByNotice(ctx context.Context, qr string) (api.Application, error) {
	var out []api.Application
	if err := c.do(ctx, "POST", "/api/v1/applications/lookup", api.ApplicationLookupRequest{NoticeQR: qr}, &out); err != nil {
		return api.Application{}, err
	}
	if len(out) == 0 {
		return api.Application{}, &Error{Status: 404, Code: api.CodeNotFound, Message: "no application has this acceptance notice"}
	}
	return out[0], nil
}

// AcceptApplication accepts an application at a window (staff).
func (c *Client) AcceptApplication(ctx context.Context, req api.AcceptApplicationRequest) (api.Application, error) {
	var out api.Application
	return out, c.do(ctx, "POST", "/api/v1/applications", req, &out)
}

// ApplicationEvent records an event of an application (staff).
func (c *Client) ApplicationEvent(ctx context.Context, number string, req api.ApplicationEventRequest) (api.Application, error) {
	var out api.Application
	return out, c.do(ctx, "POST", "/api/v1/applications/"+url.PathEscape(number)+"/events", req, &out)
}
