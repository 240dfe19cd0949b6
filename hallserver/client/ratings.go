package client

import (
	"context"
	"net/url"
	"strconv"

	"onestop/hallserver/api"
)

// RatingReasons returns the rating levels and reasons every rating screen
// shows.
func (c *Client) RatingReasons(ctx context.Context) (api.RatingReasons, error) {
	var out api.RatingReasons
	return out, c.do(ctx, "GET", "/api/v1/ratings/reasons", nil, &out)
}

// Rate records a rating from a kiosk or a window's evaluation pad.
func (c *Client) Rate(ctx context.Context, req api.RatingRequest) (api.RatingReceipt, error) {
	var out api.RatingReceipt
	return out, c.do(ctx, "POST", "/api/v1/ratings", req, &out)
}

// RatingFilter selects ratings for Ratings; zero fields select everything.
type RatingFilter struct {
	From, To string // days, YYYY-MM-DD, inclusive
	Level    int
	Window   string
	Staff    string
	Bad      bool
	Limit    int
}

func (f RatingFilter) query() string {
	q := url.Values{}
	set := func(k, v string) {
		if v != "" {
			q.Set(k, v)
		}
	}
	set("from", f.From)
	set("to", f.To)
	set("window", f.Window)
	set("staff", f.Staff)
	if f.Level != 0 {
		q.Set("level", strconv.Itoa(f.Level))
	}
	if f.Bad {
		q.Set("bad", "true")
	}
	if f.Limit != 0 {
		q.Set("limit", strconv.Itoa(f.Limit))
	}
	if len(q) == 0 {
		return ""
	}
	return "?" + q.Encode()
}

// Ratings lists ratings, newest first (supervisors).
func (c *Client) Ratings(ctx context.Context, f RatingFilter) ([]api.Rating, error) {
	var out []api.Rating
	return out, c.do(ctx, "GET", "/api/v1/ratings"+f.query(), nil, &out)
}

// RatingFollowups lists the bad ratings' follow-ups, open ones first; with
// openOnly, only those not resolved yet (supervisors).
func (c *Client) RatingFollowups(ctx context.Context, openOnly bool) ([]api.Rating, error) {
	path := "/api/v1/ratings/followups"
	if openOnly {
		path += "?open=true"
	}
	var out []api.Rating
	return out, c.do(ctx, "GET", path, nil, &out)
}

// RecordRatingCallback records the call back of a bad rating.
func (c *Client) RecordRatingCallback(ctx context.Context, id int64, note string) (api.Rating, error) {
	var out api.Rating
	return out, c.do(ctx, "POST", "/api/v1/ratings/"+strconv.FormatInt(id, 10)+"/callback", api.CallbackRequest{Note: note}, &out)
}

// ResolveRatingFollowup records what was done about a bad rating and
// closes its follow-up.
func (c *Client) ResolveRatingFollowup(ctx context.Context, id int64, resolution string) (api.Rating, error) {
	var out api.Rating
	return out, c.do(ctx, "POST", "/api/v1/ratings/"+strconv.FormatInt(id, 10)+"/resolve", api.ResolveRequest{Resolution: resolution}, &out)
}
