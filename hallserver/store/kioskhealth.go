package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"onestop/hallserver/api"
	"onestop/hallserver/queue"
)

// Kiosk health: every KioskHeartbeatEvery a kiosk reports its software
// version and how each of its devices is. The hall keeps the last report
// (kiosks.app_version, kiosks.devices) and when it came (kiosks.last_seen),
// so that technicians see which kiosk is silent and which needs paper.
// A heartbeat that changes nothing but the time is not audited: only a
// change of version or of a device's state is.

// HelpCall is a kiosk's call for staff help: the API's type.
type HelpCall = api.HelpCall

// DeviceHealth is one device's state in a heartbeat: the API's type.
type DeviceHealth = api.DeviceHealth

// Limits of a heartbeat, so that a kiosk cannot fill the database.
const (
	maxHeartbeatDevices = 8
	maxDeviceProblem    = 200 // characters
	maxAppVersion       = 64  // characters
)

var (
	deviceNames  = []string{api.DeviceIDCard, api.DevicePrinter, api.DeviceA4, api.DeviceScanner}
	deviceStates = []string{api.DeviceOK, api.DeviceWarning, api.DeviceProblem}
)

// Heartbeat records that the kiosk is alive, with its version and device
// health. A change of version or of any device's state is audited.
func (s *Store) Heartbeat(ctx context.Context, a Actor, kioskID int64, hb api.KioskHeartbeat) error {
	devices, err := checkHeartbeat(hb)
	if err != nil {
		return err
	}
	dj, err := json.Marshal(devices)
	if err != nil {
		return fmt.Errorf("store: heartbeat: %w", err)
	}
	return s.write(ctx, func(tx *Tx) error {
		var name, version, before string
		err := tx.QueryRow("SELECT name, app_version, devices FROM kiosks WHERE id = ?", kioskID).Scan(&name, &version, &before)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("%w: kiosk %d: enroll it again", ErrNotFound, kioskID)
		}
		if err != nil {
			return fmt.Errorf("store: heartbeat: %w", err)
		}
		if _, err := tx.Exec("UPDATE kiosks SET last_seen = ?, app_version = ?, devices = ? WHERE id = ?",
			ms(tx.now), hb.AppVersion, string(dj), kioskID); err != nil {
			return fmt.Errorf("store: heartbeat of kiosk %s: %w", name, err)
		}
		if version == hb.AppVersion && before == string(dj) {
			return nil
		}
		return tx.Audit(a, "kiosk.health", "kiosk", strconv.FormatInt(kioskID, 10),
			map[string]any{"app_version": version, "devices": json.RawMessage(before)},
			map[string]any{"app_version": hb.AppVersion, "devices": json.RawMessage(dj)})
	})
}

// checkHeartbeat validates a heartbeat and returns its devices in name
// order, so that an unchanged report compares equal.
func checkHeartbeat(hb api.KioskHeartbeat) ([]DeviceHealth, error) {
	if utf8.RuneCountInString(hb.AppVersion) > maxAppVersion || strings.ContainsFunc(hb.AppVersion, unicode.IsControl) {
		return nil, fmt.Errorf("%w: app_version: at most %d printable characters", ErrInvalid, maxAppVersion)
	}
	if len(hb.Devices) > maxHeartbeatDevices {
		return nil, fmt.Errorf("%w: %d devices: a kiosk reports at most %d", ErrInvalid, len(hb.Devices), maxHeartbeatDevices)
	}
	devices := slices.Clone(hb.Devices)
	if devices == nil {
		devices = []DeviceHealth{}
	}
	seen := map[string]bool{}
	for _, d := range devices {
		switch {
		case !slices.Contains(deviceNames, d.Device):
			return nil, fmt.Errorf("%w: device %q: use one of %s", ErrInvalid, d.Device, strings.Join(deviceNames, ", "))
		case seen[d.Device]:
			return nil, fmt.Errorf("%w: device %s is reported twice", ErrInvalid, d.Device)
		case !slices.Contains(deviceStates, d.State):
			return nil, fmt.Errorf("%w: device %s: state %q: use one of %s", ErrInvalid, d.Device, d.State, strings.Join(deviceStates, ", "))
		case d.State == api.DeviceOK && d.Problem != "":
			return nil, fmt.Errorf("%w: device %s is ok but has a problem text: send state warning or problem", ErrInvalid, d.Device)
		case d.State != api.DeviceOK && strings.TrimSpace(d.Problem) == "":
			return nil, fmt.Errorf("%w: device %s: say what the %s is in problem", ErrInvalid, d.Device, d.State)
		case utf8.RuneCountInString(d.Problem) > maxDeviceProblem || strings.ContainsFunc(d.Problem, unicode.IsControl):
			return nil, fmt.Errorf("%w: device %s: problem: at most %d characters on one line", ErrInvalid, d.Device, maxDeviceProblem)
		}
		seen[d.Device] = true
	}
	slices.SortFunc(devices, func(a, b DeviceHealth) int { return strings.Compare(a.Device, b.Device) })
	return devices, nil
}

// addHealth fills a kiosk's Online and Problems from its stored devices
// (JSON) and last heartbeat, read at now.
func addHealth(k *Kiosk, devices string, now time.Time) {
	k.Online = !k.LastSeen.IsZero() && now.Sub(k.LastSeen) <= api.KioskOnlineWithin
	k.Problems = []DeviceHealth{}
	var all []DeviceHealth
	if json.Unmarshal([]byte(devices), &all) != nil {
		return // written by Heartbeat only; unreadable means none
	}
	for _, d := range all {
		if d.State != api.DeviceOK {
			k.Problems = append(k.Problems, d)
		}
	}
}

// Help calls (一键呼叫): a citizen at a kiosk asks for staff. A kiosk has at
// most one open call; pressing again while it is open counts the press
// and alerts the supervisors again. Every call and answer is audited and
// published as a kiosk.help event (state open or answered).

// CallHelp opens the kiosk's help call, or presses its open one again. It
// reports whether the call is new.
func (s *Store) CallHelp(ctx context.Context, a Actor, kioskID int64) (HelpCall, bool, error) {
	var c HelpCall
	var created bool
	err := s.write(ctx, func(tx *Tx) error {
		var name string
		if err := tx.QueryRow("SELECT name FROM kiosks WHERE id = ?", kioskID).Scan(&name); errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("%w: kiosk %d: enroll it again", ErrNotFound, kioskID)
		} else if err != nil {
			return fmt.Errorf("store: help call: %w", err)
		}
		var id int64
		var presses int
		err := tx.QueryRow("SELECT id, presses FROM help_calls WHERE kiosk_id = ? AND answered_at = 0", kioskID).Scan(&id, &presses)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			res, err := tx.Exec("INSERT INTO help_calls(kiosk_id, called_at, last_call) VALUES (?,?,?)", kioskID, ms(tx.now), ms(tx.now))
			if err != nil {
				return fmt.Errorf("store: help call of kiosk %s: %w", name, err)
			}
			id, _ = res.LastInsertId()
			created = true
			err = tx.Audit(a, "kiosk.help", "help_call", strconv.FormatInt(id, 10), nil, map[string]any{"kiosk": name})
			if err != nil {
				return err
			}
		case err != nil:
			return fmt.Errorf("store: help call of kiosk %s: %w", name, err)
		default:
			if _, err := tx.Exec("UPDATE help_calls SET presses = presses + 1, last_call = ? WHERE id = ?", ms(tx.now), id); err != nil {
				return fmt.Errorf("store: help call of kiosk %s: %w", name, err)
			}
			err = tx.Audit(a, "kiosk.help", "help_call", strconv.FormatInt(id, 10),
				map[string]any{"kiosk": name, "presses": presses}, map[string]any{"kiosk": name, "presses": presses + 1})
			if err != nil {
				return err
			}
		}
		tx.Emit(Event{Type: EventKioskHelp, At: tx.now, Kiosk: name, State: "open"})
		c, err = helpCallTx(tx, id)
		return err
	})
	return c, created, err
}

// AnswerHelpCall closes an open help call: a member of staff is on the way
// (or there). Answering a call twice is a conflict that names who did.
func (s *Store) AnswerHelpCall(ctx context.Context, a Actor, id int64) (HelpCall, error) {
	var c HelpCall
	err := s.write(ctx, func(tx *Tx) error {
		var err error
		if c, err = helpCallTx(tx, id); err != nil {
			return err
		}
		if !c.AnsweredAt.IsZero() {
			return fmt.Errorf("%w: help call %d of kiosk %s was answered by %s at %s", ErrConflict, id, c.Kiosk,
				c.AnsweredBy, c.AnsweredAt.In(queue.Location).Format("15:04"))
		}
		if _, err := tx.Exec("UPDATE help_calls SET answered_at = ?, answered_by = ? WHERE id = ?", ms(tx.now), a.Name, id); err != nil {
			return fmt.Errorf("store: answer help call %d: %w", id, err)
		}
		c.AnsweredAt, c.AnsweredBy = tx.now, a.Name
		tx.Emit(Event{Type: EventKioskHelp, At: tx.now, Kiosk: c.Kiosk, State: "answered"})
		return tx.Audit(a, "kiosk.help_answer", "help_call", strconv.FormatInt(id, 10),
			map[string]any{"kiosk": c.Kiosk}, map[string]any{"kiosk": c.Kiosk, "answered_by": a.Name})
	})
	return c, err
}

const helpCallColumns = `h.id, k.name, h.called_at, h.last_call, h.presses, h.answered_at, h.answered_by
	FROM help_calls h JOIN kiosks k ON k.id = h.kiosk_id`

// helpCallTx reads one help call inside a write.
func helpCallTx(tx *Tx, id int64) (HelpCall, error) {
	c, err := scanHelpCall(tx.QueryRow("SELECT "+helpCallColumns+" WHERE h.id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return c, fmt.Errorf("%w: help call %d: no such call (see GET /api/v1/kiosks/help)", ErrNotFound, id)
	}
	if err != nil {
		return c, fmt.Errorf("store: help call %d: %w", id, err)
	}
	return c, nil
}

// OpenHelpCalls lists the help calls not yet answered, oldest first.
func (s *Store) OpenHelpCalls(ctx context.Context) ([]HelpCall, error) {
	rows, err := s.query(ctx, "SELECT "+helpCallColumns+" WHERE h.answered_at = 0 ORDER BY h.called_at, h.id")
	if err != nil {
		return nil, fmt.Errorf("store: help calls: %w", err)
	}
	defer rows.Close()
	out := []HelpCall{}
	for rows.Next() {
		c, err := scanHelpCall(rows)
		if err != nil {
			return nil, fmt.Errorf("store: help calls: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

func scanHelpCall(row interface{ Scan(...any) error }) (HelpCall, error) {
	var c HelpCall
	var called, last, answered int64
	err := row.Scan(&c.ID, &c.Kiosk, &called, &last, &c.Presses, &answered, &c.AnsweredBy)
	c.CalledAt, c.LastCall, c.AnsweredAt = fromMS(called), fromMS(last), fromMS(answered)
	return c, err
}
