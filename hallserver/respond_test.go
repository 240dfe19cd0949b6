package hallserver

import (
	"errors"
	"fmt"
	"testing"

	"onestop/hallserver/auth"
	"onestop/hallserver/queue"
	"onestop/hallserver/store"
)

func TestCleanMessage(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		err  error
		want string
	}{
		{"sentinel first", fmt.Errorf("%w: window 3 is closed: open it first", store.ErrConflict), "window 3 is closed: open it first"},
		{"sentinel last", fmt.Errorf("store: ticket 9: %w", store.ErrNotFound), "ticket 9: not found"},
		{"nothing waiting", fmt.Errorf("%w: no one is waiting for window 1", store.ErrNothingWaiting), "no one is waiting for window 1"},
		{"wrapped package error", fmt.Errorf("%w: policy: %v", store.ErrInvalid, errors.New(`queue: policy "x": unknown`)), `policy: policy "x": unknown`},
		{"auth error", auth.ErrWeakPassword, "password too short: use at least 10 characters"},
		{"transition", &queue.TransitionError{Number: "A001", From: queue.Done, Action: queue.Start, Reason: "ticket has already been served"},
			"cannot start A001 (done): ticket has already been served"},
		{"wrapped transition", fmt.Errorf("store: act: %w", &queue.TransitionError{Number: "B002", From: queue.Issued, Action: queue.Finish, Reason: "ticket is waiting"}),
			"cannot finish B002 (issued): ticket is waiting"},
		{"words that look like packages stay inside a segment", fmt.Errorf("%w: ticket waits in queue A, which window 2 does not serve", store.ErrInvalid),
			"ticket waits in queue A, which window 2 does not serve"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := UserMessage(tc.err); got != tc.want {
				t.Errorf("UserMessage(%q) = %q, want %q", tc.err, got, tc.want)
			}
		})
	}
}
