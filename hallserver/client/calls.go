package client

import (
	"context"
	"fmt"
	"net/url"
	"strconv"

	"onestop/hallserver/api"
	"onestop/hallserver/catalogue"
)

// Login signs in a staff member and keeps the session token for later calls.
func (c *Client) Login(ctx context.Context, username, password string) (api.LoginResponse, error) {
	var out api.LoginResponse
	err := c.do(ctx, "POST", "/api/v1/auth/login", api.LoginRequest{Username: username, Password: password}, &out)
	if err == nil {
		c.SetToken(out.Token)
	}
	return out, err
}

// Logout ends the session.
func (c *Client) Logout(ctx context.Context) error {
	err := c.do(ctx, "POST", "/api/v1/auth/logout", nil, nil)
	if err == nil {
		c.SetToken("")
	}
	return err
}

// Me describes the caller.
func (c *Client) Me(ctx context.Context) (api.Me, error) {
	var out api.Me
	return out, c.do(ctx, "GET", "/api/v1/me", nil, &out)
}

// ChangePassword changes the caller's own password.
func (c *Client) ChangePassword(ctx context.Context, current, next string) error {
	return c.do(ctx, "POST", "/api/v1/me/password", api.PasswordChange{Current: current, New: next}, nil)
}

// Enroll spends a one-time enrollment code and keeps the kiosk's device
// token for later calls. Store Enrollment.Token: it is shown only once.
func (c *Client) Enroll(ctx context.Context, code string) (api.Enrollment, error) {
	var out api.Enrollment
	err := c.do(ctx, "POST", "/api/v1/kiosks/enroll", api.EnrollRequest{Code: code}, &out)
	if err == nil {
		c.SetToken(out.Token)
	}
	return out, err
}

// CreateEnrollmentCode makes a one-time code for the named kiosk.
func (c *Client) CreateEnrollmentCode(ctx context.Context, kiosk string) (api.EnrollmentCode, error) {
	var out api.EnrollmentCode
	return out, c.do(ctx, "POST", "/api/v1/kiosks/enrollment-codes", api.EnrollmentCodeRequest{Kiosk: kiosk}, &out)
}

// Kiosks lists the enrolled kiosks.
func (c *Client) Kiosks(ctx context.Context) ([]api.Kiosk, error) {
	var out []api.Kiosk
	return out, c.do(ctx, "GET", "/api/v1/kiosks", nil, &out)
}

// Hall returns the hall's identity.
func (c *Client) Hall(ctx context.Context) (api.Hall, error) {
	var out api.Hall
	return out, c.do(ctx, "GET", "/api/v1/hall", nil, &out)
}

// Catalogue returns the hall's service catalogue.
func (c *Client) Catalogue(ctx context.Context) (*catalogue.Catalogue, error) {
	var out catalogue.Catalogue
	if err := c.do(ctx, "GET", "/api/v1/catalogue", nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// IssueTicket takes a number.
func (c *Client) IssueTicket(ctx context.Context, req api.IssueRequest) (api.IssuedTicket, error) {
	var out api.IssuedTicket
	return out, c.do(ctx, "POST", "/api/v1/tickets", req, &out)
}

// TicketStatus returns a ticket's public status by its token.
func (c *Client) TicketStatus(ctx context.Context, token string) (api.TicketStatus, error) {
	var out api.TicketStatus
	return out, c.do(ctx, "GET", "/api/v1/tickets/status/"+url.PathEscape(token), nil, &out)
}

// Tickets lists the tickets of a day (YYYY-MM-DD; today when empty).
func (c *Client) Tickets(ctx context.Context, day string) ([]api.StaffTicket, error) {
	var out []api.StaffTicket
	path := "/api/v1/tickets"
	if day != "" {
		path += "?day=" + url.QueryEscape(day)
	}
	return out, c.do(ctx, "GET", path, nil, &out)
}

// Ticket returns one ticket with its history.
func (c *Client) Ticket(ctx context.Context, id int64) (api.StaffTicket, error) {
	var out api.StaffTicket
	return out, c.do(ctx, "GET", "/api/v1/tickets/"+strconv.FormatInt(id, 10), nil, &out)
}

// CancelTicket withdraws a waiting ticket.
func (c *Client) CancelTicket(ctx context.Context, id int64, reason string) (api.StaffTicket, error) {
	var out api.StaffTicket
	return out, c.do(ctx, "POST", "/api/v1/tickets/"+strconv.FormatInt(id, 10)+"/cancel", api.CancelRequest{Reason: reason}, &out)
}

// Overview reports every queue and window.
func (c *Client) Overview(ctx context.Context) (api.Overview, error) {
	var out api.Overview
	return out, c.do(ctx, "GET", "/api/v1/overview", nil, &out)
}

// Display returns what the call display shows.
func (c *Client) Display(ctx context.Context) (api.Display, error) {
	var out api.Display
	return out, c.do(ctx, "GET", "/api/v1/display", nil, &out)
}

func windowPath(n int, op string) string {
	return fmt.Sprintf("/api/v1/windows/%d/%s", n, op)
}

// OpenWindow opens a window for the signed-in staff member.
func (c *Client) OpenWindow(ctx context.Context, window int) error {
	return c.do(ctx, "POST", windowPath(window, "open"), nil, nil)
}

// CloseWindow closes it.
func (c *Client) CloseWindow(ctx context.Context, window int) error {
	return c.do(ctx, "POST", windowPath(window, "close"), nil, nil)
}

// CallNext calls the next ticket for the window; ErrNothingWaiting when
// the lines are empty.
func (c *Client) CallNext(ctx context.Context, window int) (api.StaffTicket, error) {
	var out api.StaffTicket
	return out, c.do(ctx, "POST", windowPath(window, "call-next"), nil, &out)
}

// CallNumber calls a particular ticket; out of line it needs a reason.
func (c *Client) CallNumber(ctx context.Context, window int, number, reason string) (api.StaffTicket, error) {
	var out api.StaffTicket
	return out, c.do(ctx, "POST", windowPath(window, "call"), api.CallRequest{Number: number, Reason: reason}, &out)
}

// Window actions for Act.
const (
	Recall   = "recall"
	Start    = "start"
	Finish   = "finish"
	NoShow   = "no-show"
	Transfer = "transfer"
	Hold     = "hold"
)

// Act applies an action (Recall, Start, Finish, NoShow, Transfer, Hold) to
// the window's current ticket.
func (c *Client) Act(ctx context.Context, window int, action string, req api.ActionRequest) (api.StaffTicket, error) {
	var out api.StaffTicket
	return out, c.do(ctx, "POST", windowPath(window, action), req, &out)
}

// Settings returns the queue settings.
func (c *Client) Settings(ctx context.Context) (api.Settings, error) {
	var out api.Settings
	return out, c.do(ctx, "GET", "/api/v1/settings", nil, &out)
}

// UpdateSettings replaces the queue settings.
func (c *Client) UpdateSettings(ctx context.Context, s api.Settings) (api.Settings, error) {
	var out api.Settings
	return out, c.do(ctx, "PUT", "/api/v1/settings", s, &out)
}

// Users lists the staff accounts.
func (c *Client) Users(ctx context.Context) ([]api.User, error) {
	var out []api.User
	return out, c.do(ctx, "GET", "/api/v1/users", nil, &out)
}

// CreateUser adds a staff account.
func (c *Client) CreateUser(ctx context.Context, u api.NewUser) (api.User, error) {
	var out api.User
	return out, c.do(ctx, "POST", "/api/v1/users", u, &out)
}

// ResetPassword sets a user's password (and ends their sessions).
func (c *Client) ResetPassword(ctx context.Context, username, password string) error {
	return c.do(ctx, "POST", "/api/v1/users/"+url.PathEscape(username)+"/password", api.PasswordReset{Password: password}, nil)
}

// VerifyAudit walks the hall's audit chain.
func (c *Client) VerifyAudit(ctx context.Context) (api.AuditVerdict, error) {
	var out api.AuditVerdict
	return out, c.do(ctx, "GET", "/api/v1/audit/verify", nil, &out)
}
