package client

import (
	"context"
	"strconv"

	"onestop/hallserver/api"
)

// Heartbeat tells the hall server that this kiosk is alive, with its
// software version and the health of its devices (kiosk token). Kiosks
// send it every api.KioskHeartbeatEvery.
func (c *Client) Heartbeat(ctx context.Context, hb api.KioskHeartbeat) error {
	if hb.Devices == nil {
		hb.Devices = []api.DeviceHealth{}
	}
	return c.do(ctx, "POST", "/api/v1/kiosks/heartbeat", hb, nil)
}

// CallHelp is the kiosk's one-touch call for staff (一键呼叫, kiosk
// token): the supervisors are alerted at once. Pressing again while the
// call is open alerts them again.
func (c *Client) CallHelp(ctx context.Context) error {
	_, err := c.HelpCall(ctx)
	return err
}

// HelpCall is CallHelp returning the call as the hall recorded it.
func (c *Client) HelpCall(ctx context.Context) (api.HelpCall, error) {
	var out api.HelpCall
	return out, c.do(ctx, "POST", "/api/v1/kiosks/help", nil, &out)
}

// HelpCalls lists the help calls no one has answered yet (supervisors).
func (c *Client) HelpCalls(ctx context.Context) ([]api.HelpCall, error) {
	var out []api.HelpCall
	return out, c.do(ctx, "GET", "/api/v1/kiosks/help", nil, &out)
}

// AnswerHelpCall records that the caller answered help call id
// (supervisors); ErrConflict if someone already did.
func (c *Client) AnswerHelpCall(ctx context.Context, id int64) (api.HelpCall, error) {
	var out api.HelpCall
	return out, c.do(ctx, "POST", "/api/v1/kiosks/help/"+strconv.FormatInt(id, 10)+"/answer", nil, &out)
}
