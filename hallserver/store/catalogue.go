package store

import (
	"context"
	"encoding/json"
	"fmt"

	"onestop/hallserver/catalogue"
)

// importCatalogue brings the catalogue's tables to c, in tx, without
// disturbing what refers to them: departments, queues and windows are
// updated in place (windows keep their open/closed state), the queues a
// window serves are replaced, and items no longer in c are retired, not
// deleted, so the tickets and applications that name them keep their
// history; a retired item can no longer be chosen.
func (tx *Tx) importCatalogue(c *catalogue.Catalogue) error {
	if err := c.Validate(); err != nil {
		return fmt.Errorf("%w: catalogue: %v", ErrInvalid, err)
	}
	for _, q := range []string{"DELETE FROM window_queues", "UPDATE items SET retired = 1"} {
		if _, err := tx.Exec(q); err != nil {
			return fmt.Errorf("store: import catalogue: %w", err)
		}
	}
	for _, d := range c.Departments {
		if _, err := tx.Exec(`INSERT INTO departments(code, name, name_en) VALUES (?,?,?)
			ON CONFLICT(code) DO UPDATE SET name = excluded.name, name_en = excluded.name_en`,
			d.Code, d.Name, d.NameEn); err != nil {
			return fmt.Errorf("store: import department %s: %w", d.Code, err)
		}
	}
	for _, q := range c.Queues {
		deps, _ := json.Marshal(q.Departments)
		if _, err := tx.Exec(`INSERT INTO queues(code, name, name_en, departments) VALUES (?,?,?,?)
			ON CONFLICT(code) DO UPDATE SET name = excluded.name, name_en = excluded.name_en, departments = excluded.departments`,
			q.Code, q.Name, q.NameEn, string(deps)); err != nil {
			return fmt.Errorf("store: import queue %s: %w", q.Code, err)
		}
	}
	for _, w := range c.Windows {
		if _, err := tx.Exec(`INSERT INTO windows(number, name, name_en) VALUES (?,?,?)
			ON CONFLICT(number) DO UPDATE SET name = excluded.name, name_en = excluded.name_en`,
			w.Number, w.Name, w.NameEn); err != nil {
			return fmt.Errorf("store: import window %d: %w", w.Number, err)
		}
		for _, q := range w.Queues {
			if _, err := tx.Exec("INSERT INTO window_queues(window, queue) VALUES (?,?)", w.Number, q); err != nil {
				return fmt.Errorf("store: import window %d queue %s: %w", w.Number, q, err)
			}
		}
	}
	for _, it := range c.Items {
		detail, err := json.Marshal(it)
		if err != nil {
			return fmt.Errorf("store: import item %s: %w", it.Code, err)
		}
		if _, err := tx.Exec(`INSERT INTO items(code, department, queue, name, name_en, legal_days, promised_days, instant, detail)
			VALUES (?,?,?,?,?,?,?,?,?) ON CONFLICT(code) DO UPDATE SET department = excluded.department,
			queue = excluded.queue, name = excluded.name, name_en = excluded.name_en, legal_days = excluded.legal_days,
			promised_days = excluded.promised_days, instant = excluded.instant, detail = excluded.detail, retired = 0`,
			it.Code, it.Department, it.Queue, it.Name, it.NameEn,
			it.LegalDays, it.PromisedDays, it.Instant, string(detail)); err != nil {
			return fmt.Errorf("store: import item %s: %w", it.Code, err)
		}
	}
	return tx.setMeta("catalogue_version", c.Version)
}

// ImportCatalogue replaces the hall's catalogue with c, audited.
func (s *Store) ImportCatalogue(ctx context.Context, a Actor, c *catalogue.Catalogue) error {
	defer s.forgetQueues() // service times, open windows or names change
	return s.write(ctx, func(tx *Tx) error {
		before, _, err := metaValue(ctx, txQuerier{tx}, "catalogue_version")
		if err != nil {
			return err
		}
		if err := tx.importCatalogue(c); err != nil {
			return err
		}
		return tx.Audit(a, "catalogue.import", "catalogue", "hall",
			map[string]string{"version": before},
			map[string]any{"version": c.Version, "departments": len(c.Departments), "items": len(c.Items),
				"queues": len(c.Queues), "windows": len(c.Windows)})
	})
}

// Catalogue reads the hall's current catalogue.
func (s *Store) Catalogue(ctx context.Context) (*catalogue.Catalogue, error) {
	c := &catalogue.Catalogue{}
	v, _, err := metaValue(ctx, s.rdb, "catalogue_version")
	if err != nil {
		return nil, err
	}
	c.Version = v
	rows, err := s.query(ctx, "SELECT code, name, name_en FROM departments ORDER BY code")
	if err != nil {
		return nil, fmt.Errorf("store: read departments: %w", err)
	}
	for rows.Next() {
		var d catalogue.Department
		if err := rows.Scan(&d.Code, &d.Name, &d.NameEn); err != nil {
			rows.Close()
			return nil, fmt.Errorf("store: read departments: %w", err)
		}
		c.Departments = append(c.Departments, d)
	}
	rows.Close()
	rows, err = s.query(ctx, "SELECT code, name, name_en, departments FROM queues ORDER BY code")
	if err != nil {
		return nil, fmt.Errorf("store: read queues: %w", err)
	}
	for rows.Next() {
		var q catalogue.Queue
		var deps string
		if err := rows.Scan(&q.Code, &q.Name, &q.NameEn, &deps); err != nil {
			rows.Close()
			return nil, fmt.Errorf("store: read queues: %w", err)
		}
		if err := json.Unmarshal([]byte(deps), &q.Departments); err != nil {
			rows.Close()
			return nil, fmt.Errorf("store: queue %s departments: %w", q.Code, err)
		}
		c.Queues = append(c.Queues, q)
	}
	rows.Close()
	rows, err = s.query(ctx, `SELECT w.number, w.name, w.name_en, COALESCE(group_concat(wq.queue, ''), '')
		FROM windows w LEFT JOIN window_queues wq ON wq.window = w.number GROUP BY w.number ORDER BY w.number`)
	if err != nil {
		return nil, fmt.Errorf("store: read windows: %w", err)
	}
	for rows.Next() {
		var w catalogue.Window
		var qs string
		if err := rows.Scan(&w.Number, &w.Name, &w.NameEn, &qs); err != nil {
			rows.Close()
			return nil, fmt.Errorf("store: read windows: %w", err)
		}
		for _, r := range qs {
			w.Queues = append(w.Queues, string(r))
		}
		c.Windows = append(c.Windows, w)
	}
	rows.Close()
	rows, err = s.query(ctx, "SELECT detail FROM items WHERE retired = 0 ORDER BY code")
	if err != nil {
		return nil, fmt.Errorf("store: read items: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var detail string
		var it catalogue.Item
		if err := rows.Scan(&detail); err != nil {
			return nil, fmt.Errorf("store: read items: %w", err)
		}
		if err := json.Unmarshal([]byte(detail), &it); err != nil {
			return nil, fmt.Errorf("store: item detail: %w", err)
		}
		c.Items = append(c.Items, it)
	}
	return c, rows.Err()
}
