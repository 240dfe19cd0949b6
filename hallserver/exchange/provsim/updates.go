package provsim

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"

	"onestop/hallserver/exchange"
)

// Update page sizes of GET /exchange/v1/application-updates.
const (
	DefaultUpdatesLimit = 100
	MaxUpdatesLimit     = 500
)

// updateKinds are the application event kinds the province may send.
var updateKinds = map[string]bool{"advance": true, "request_materials": true, "suspend": true, "resume": true, "extend": true, "complete": true}

// checkUpdate reports what an application update lacks.
func checkUpdate(u exchange.ApplicationUpdate) error {
	var problems []string
	if strings.TrimSpace(u.Number) == "" {
		problems = append(problems, "number is missing")
	}
	if strings.TrimSpace(u.By) == "" {
		problems = append(problems, "by (the provincial department or officer) is missing")
	}
	switch {
	case !updateKinds[u.Kind]:
		problems = append(problems, fmt.Sprintf("kind %q is not one of advance, request_materials, suspend, resume, extend, complete", u.Kind))
	case u.Kind == "advance" && u.Step == "":
		problems = append(problems, "an advance needs the step")
	case u.Kind == "suspend" && u.Suspend == "":
		problems = append(problems, "a suspend needs the suspension kind")
	case u.Kind == "extend" && u.Days <= 0:
		problems = append(problems, "an extend needs days > 0")
	case u.Kind == "complete" && u.Outcome == "":
		problems = append(problems, "a complete needs the outcome")
	}
	if len(problems) > 0 {
		return fmt.Errorf("%w: application update: %s", ErrInvalid, strings.Join(problems, "; "))
	}
	return nil
}

// AddApplicationUpdate queues a change to one of the hall's applications
// for the hall to pull, and returns its cursor. u.Cursor is ignored; a
// zero u.At is now.
func (p *Province) AddApplicationUpdate(ctx context.Context, hall string, u exchange.ApplicationUpdate) (int64, error) {
	if _, ok := p.hall(hall); !ok {
		return 0, fmt.Errorf("%w: hall %s", ErrNotFound, hall)
	}
	if err := checkUpdate(u); err != nil {
		return 0, err
	}
	u.Cursor = 0
	if u.At.IsZero() {
		u.At = p.now().UTC()
	}
	body, err := json.Marshal(u)
	if err != nil {
		return 0, fmt.Errorf("provsim: encode application update: %w", err)
	}
	var cursor int64
	err = p.write(ctx, func(tx *sql.Tx) error {
		r, err := tx.Exec("INSERT INTO application_updates(hall, number, body, created_at) VALUES (?,?,?,?)", hall, u.Number, body, ms(p.now()))
		if err != nil {
			return fmt.Errorf("provsim: store application update: %w", err)
		}
		cursor, err = r.LastInsertId()
		return err
	})
	if err != nil {
		return 0, err
	}
	return cursor, nil
}

// applicationUpdates returns the hall's updates after cursor, at most
// limit of them, and whether more follow.
func (p *Province) applicationUpdates(ctx context.Context, hall string, after int64, limit int) (exchange.ApplicationUpdatesResponse, error) {
	resp := exchange.ApplicationUpdatesResponse{Updates: []exchange.ApplicationUpdate{}, Next: after}
	rows, err := p.rdb.QueryContext(ctx, "SELECT cursor, body FROM application_updates WHERE hall = ? AND cursor > ? ORDER BY cursor LIMIT ?", hall, after, limit+1)
	if err != nil {
		return resp, fmt.Errorf("provsim: read application updates: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		if len(resp.Updates) == limit {
			resp.More = true
			break
		}
		var cursor int64
		var body []byte
		if err := rows.Scan(&cursor, &body); err != nil {
			return resp, fmt.Errorf("provsim: read application updates: %w", err)
		}
		var u exchange.ApplicationUpdate
		if err := json.Unmarshal(body, &u); err != nil {
			return resp, fmt.Errorf("provsim: application update %d: %w", cursor, err)
		}
		u.Cursor = cursor
		resp.Updates = append(resp.Updates, u)
		resp.Next = cursor
	}
	if err := rows.Err(); err != nil {
		return resp, fmt.Errorf("provsim: read application updates: %w", err)
	}
	return resp, nil
}
