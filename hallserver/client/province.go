package client

import (
	"context"

	"onestop/hallserver/api"
)

// Province reports how the hall's link to the provincial exchange stands
// (supervisors and admins): the link's state, the backlog of changes not
// yet delivered, what was pulled, and the oldest dead letters.
func (c *Client) Province(ctx context.Context) (api.ProvinceStatus, error) {
	var out api.ProvinceStatus
	return out, c.do(ctx, "GET", "/api/v1/province", nil, &out)
}

// ReplayDeadLetters sets the dead letters with the ids pending again, to
// be sent once more; every dead letter when no ids are given
// (supervisors and admins). It returns how many were set pending;
// ErrConflict when none of them is a dead letter.
func (c *Client) ReplayDeadLetters(ctx context.Context, ids ...int64) (int, error) {
	if ids == nil {
		ids = []int64{}
	}
	var out api.ProvinceReplayResponse
	err := c.do(ctx, "POST", "/api/v1/province/replay", api.ProvinceReplayRequest{IDs: ids}, &out)
	return out.Replayed, err
}

// DiscardDeadLetters gives up for good on the dead letters with the ids
// (supervisors and admins): they are never sent, and the later rows of
// their records go on. The reason is required and kept in the audit
// trail; so are the ids (there is no discarding all at once). It returns
// how many were given up on; ErrConflict, with nothing discarded, when
// any of them is not a dead letter.
func (c *Client) DiscardDeadLetters(ctx context.Context, reason string, ids ...int64) (int, error) {
	if ids == nil {
		ids = []int64{}
	}
	var out api.ProvinceDiscardResponse
	err := c.do(ctx, "POST", "/api/v1/province/discard", api.ProvinceDiscardRequest{IDs: ids, Reason: reason}, &out)
	return out.Discarded, err
}
