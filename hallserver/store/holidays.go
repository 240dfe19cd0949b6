package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// Holiday calendars imported into a hall (the State Council's notice for
// a year, once published) are kept in meta as "holidays:<year>", the JSON
// as package workday reads it. They take precedence over the embedded
// calendar of the same year.

const holidayKeyPrefix = "holidays:"

// SaveHolidayCalendar stores a year's calendar (already validated by the
// caller with workday.Parse), audited with the calendar before and after.
func (s *Store) SaveHolidayCalendar(ctx context.Context, a Actor, year int, data []byte) error {
	if year < 2000 || year > 2100 {
		return fmt.Errorf("%w: year %d", ErrInvalid, year)
	}
	key := holidayKeyPrefix + strconv.Itoa(year)
	return s.write(ctx, func(tx *Tx) error {
		before, _, err := metaValue(ctx, txQuerier{tx}, key)
		if err != nil {
			return err
		}
		if err := tx.setMeta(key, string(data)); err != nil {
			return err
		}
		var b any
		if before != "" {
			b = json.RawMessage(before)
		}
		return tx.Audit(a, "calendar.import", "calendar", strconv.Itoa(year), b, json.RawMessage(data))
	})
}

// HolidayCalendars returns the calendars imported into the hall, by year.
func (s *Store) HolidayCalendars(ctx context.Context) (map[int][]byte, error) {
	rows, err := s.query(ctx, "SELECT key, value FROM meta WHERE key LIKE 'holidays:%' ORDER BY key")
	if err != nil {
		return nil, fmt.Errorf("store: holiday calendars: %w", err)
	}
	defer rows.Close()
	out := map[int][]byte{}
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			return nil, fmt.Errorf("store: holiday calendars: %w", err)
		}
		y, err := strconv.Atoi(strings.TrimPrefix(k, holidayKeyPrefix))
		if err != nil {
			continue
		}
		out[y] = []byte(v)
	}
	return out, rows.Err()
}
