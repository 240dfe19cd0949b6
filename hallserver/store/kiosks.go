package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"time"
)

var kioskNamePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$`)

// CreateEnrollmentCode stores the hash of a one-time code that enrolls a
// kiosk named kioskName until expires.
func (s *Store) CreateEnrollmentCode(ctx context.Context, a Actor, kioskName, codeHash string, expires time.Time) error {
	if !kioskNamePattern.MatchString(kioskName) {
		return fmt.Errorf("%w: kiosk name %q: use up to 32 letters, digits, dots, dashes or underscores, e.g. K01", ErrInvalid, kioskName)
	}
	return s.write(ctx, func(tx *Tx) error {
		if _, err := tx.Exec(`INSERT INTO enrollment_codes(code_hash, kiosk_name, created_by, created_at, expires_at)
			VALUES (?,?,?,?,?)`, codeHash, kioskName, a.Name, ms(tx.now), ms(expires)); err != nil {
			return fmt.Errorf("store: create enrollment code: %w", err)
		}
		return tx.Audit(a, "kiosk.enrollment_code", "kiosk", kioskName, nil,
			map[string]any{"expires_at": expires.UTC().Format(time.RFC3339)})
	})
}

// EnrollKiosk spends a one-time code and gives the kiosk its device token
// (only the hash is stored). A kiosk enrolled again under the same name —
// new hardware, a wiped disk — gets the new token; the old one stops working.
func (s *Store) EnrollKiosk(ctx context.Context, codeHash, tokenHash string) (Kiosk, error) {
	var k Kiosk
	err := s.write(ctx, func(tx *Tx) error {
		var name string
		var expires, used int64
		err := tx.QueryRow("SELECT kiosk_name, expires_at, used_at FROM enrollment_codes WHERE code_hash = ?", codeHash).Scan(&name, &expires, &used)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("%w: unknown enrollment code: ask an administrator for a new one (hallctl kiosk enroll-code)", ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("store: enroll kiosk: %w", err)
		}
		if used != 0 {
			return fmt.Errorf("%w: this enrollment code was used already: ask for a new one", ErrConflict)
		}
		if tx.now.UnixMilli() >= expires {
			return fmt.Errorf("%w: this enrollment code has expired: ask for a new one", ErrConflict)
		}
		if _, err := tx.Exec("UPDATE enrollment_codes SET used_at = ? WHERE code_hash = ?", ms(tx.now), codeHash); err != nil {
			return fmt.Errorf("store: enroll kiosk: %w", err)
		}
		var before any
		var id int64
		err = tx.QueryRow("SELECT id FROM kiosks WHERE name = ?", name).Scan(&id)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			res, err := tx.Exec("INSERT INTO kiosks(name, token_hash, enrolled_at) VALUES (?,?,?)", name, tokenHash, ms(tx.now))
			if err != nil {
				return fmt.Errorf("store: enroll kiosk %s: %w", name, err)
			}
			id, _ = res.LastInsertId()
		case err != nil:
			return fmt.Errorf("store: enroll kiosk %s: %w", name, err)
		default:
			before = map[string]any{"name": name, "re_enrolled": true}
			if _, err := tx.Exec("UPDATE kiosks SET token_hash = ?, enrolled_at = ?, disabled = 0 WHERE id = ?", tokenHash, ms(tx.now), id); err != nil {
				return fmt.Errorf("store: re-enroll kiosk %s: %w", name, err)
			}
		}
		k = Kiosk{ID: id, Name: name, EnrolledAt: tx.now}
		a := Actor{Name: "kiosk:" + name, Role: "kiosk", Device: name}
		return tx.Audit(a, "kiosk.enroll", "kiosk", strconv.FormatInt(id, 10), before, map[string]any{"name": name})
	})
	return k, err
}

// KioskByToken returns the enabled kiosk with the token hash.
func (s *Store) KioskByToken(ctx context.Context, tokenHash string) (Kiosk, error) {
	var k Kiosk
	var enrolled, seen int64
	err := s.queryRow(ctx, "SELECT id, name, enrolled_at, last_seen, disabled FROM kiosks WHERE token_hash = ?", tokenHash).
		Scan(&k.ID, &k.Name, &enrolled, &seen, &k.Disabled)
	if errors.Is(err, sql.ErrNoRows) || k.Disabled {
		return Kiosk{}, fmt.Errorf("store: kiosk: %w", ErrNotFound)
	}
	if err != nil {
		return Kiosk{}, fmt.Errorf("store: kiosk: %w", err)
	}
	k.EnrolledAt, k.LastSeen = fromMS(enrolled), fromMS(seen)
	return k, nil
}

// Kiosks lists the enrolled kiosks with their health (see Heartbeat).
func (s *Store) Kiosks(ctx context.Context) ([]Kiosk, error) {
	rows, err := s.query(ctx, "SELECT id, name, enrolled_at, last_seen, disabled, app_version, devices FROM kiosks ORDER BY name")
	if err != nil {
		return nil, fmt.Errorf("store: kiosks: %w", err)
	}
	defer rows.Close()
	var out []Kiosk
	now := s.Now()
	for rows.Next() {
		var k Kiosk
		var enrolled, seen int64
		var devices string
		if err := rows.Scan(&k.ID, &k.Name, &enrolled, &seen, &k.Disabled, &k.AppVersion, &devices); err != nil {
			return nil, fmt.Errorf("store: kiosks: %w", err)
		}
		k.EnrolledAt, k.LastSeen = fromMS(enrolled), fromMS(seen)
		addHealth(&k, devices, now)
		out = append(out, k)
	}
	return out, rows.Err()
}
