package client

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"onestop/hallserver/api"
)

// Stream is an open /events stream.
type Stream struct {
	resp *http.Response
	sc   *bufio.Scanner
	// LastID is the ID of the latest event read (for reconnecting).
	LastID uint64
	// Only, when set, makes Next skip events of other types without
	// decoding them.
	Only map[string]bool
}

// Events opens the live event stream; lastID > 0 resumes after that event.
// The stream lives until ctx ends or Close; it has no call timeout.
func (c *Client) Events(ctx context.Context, lastID uint64) (*Stream, error) {
	req, err := http.NewRequestWithContext(ctx, "GET", c.base.String()+"/api/v1/events", nil)
	if err != nil {
		return nil, fmt.Errorf("client: events: %w", err)
	}
	req.Header.Set("Accept", "text/event-stream")
	if lastID > 0 {
		req.Header.Set("Last-Event-ID", strconv.FormatUint(lastID, 10))
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("client: events: %w: %w", ErrUnavailable, err)
	}
	if resp.StatusCode != http.StatusOK {
		defer resp.Body.Close()
		return nil, decodeError(resp)
	}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	return &Stream{resp: resp, sc: sc, LastID: lastID}, nil
}

// Next blocks until the next event (comments and retry hints skipped).
func (s *Stream) Next() (api.Event, error) {
	var ev api.Event
	var data strings.Builder
	for s.sc.Scan() {
		line := s.sc.Text()
		switch {
		case line == "":
			if ev.Type == "" && data.Len() == 0 {
				continue
			}
			if s.Only != nil && !s.Only[ev.Type] {
				if ev.ID > 0 {
					s.LastID = ev.ID
				}
				ev = api.Event{}
				data.Reset()
				continue
			}
			if data.Len() > 0 {
				if err := json.Unmarshal([]byte(data.String()), &ev); err != nil {
					return ev, fmt.Errorf("client: event %d: %w", ev.ID, err)
				}
			}
			if ev.ID > 0 {
				s.LastID = ev.ID
			}
			return ev, nil
		case strings.HasPrefix(line, ":"):
		case strings.HasPrefix(line, "id: "):
			ev.ID, _ = strconv.ParseUint(line[4:], 10, 64)
		case strings.HasPrefix(line, "event: "):
			ev.Type = line[7:]
		case strings.HasPrefix(line, "data: "):
			data.WriteString(line[6:])
		}
	}
	if err := s.sc.Err(); err != nil {
		return ev, fmt.Errorf("client: event stream: %w", err)
	}
	return ev, fmt.Errorf("client: event stream closed by the hall server")
}

// Close ends the stream.
func (s *Stream) Close() error { return s.resp.Body.Close() }
