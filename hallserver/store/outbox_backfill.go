package store

import (
	"context"
	"fmt"
)

// backfillOutbox reports, once, what a hall already had when the outbox
// was added (schema 6), so the province's picture is whole: every signing
// key as it stands (without them the province's trust list would lack
// this hall until its next rotation), every event of the applications
// still open, and the certificates issued (and revoked). The province
// deduplicates by natural key, so reporting something it already has is
// harmless. A new hall has none of these yet; its flag just goes.
func (s *Store) backfillOutbox(ctx context.Context) error {
	if _, due, err := metaValue(ctx, s.rdb, "outbox_backfill"); err != nil || !due {
		return err
	}
	err := s.write(ctx, func(tx *Tx) error {
		if err := tx.backfillSigningKeys(); err != nil {
			return err
		}
		if err := tx.backfillApplications(ctx); err != nil {
			return err
		}
		if err := tx.backfillCertificates(); err != nil {
			return err
		}
		_, err := tx.Exec("DELETE FROM meta WHERE key = 'outbox_backfill'")
		return err
	})
	if err != nil {
		return fmt.Errorf("store: report the hall's earlier records to the outbox: %w", err)
	}
	return nil
}

func (tx *Tx) column(query string, args ...any) ([]string, error) {
	rows, err := tx.Query(query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

func (tx *Tx) backfillSigningKeys() error {
	kids, err := tx.column("SELECT kid FROM signing_keys ORDER BY valid_from")
	if err != nil {
		return err
	}
	for _, kid := range kids {
		if err := tx.outboxSigningKey(kid); err != nil {
			return err
		}
	}
	return nil
}

func (tx *Tx) backfillApplications(ctx context.Context) error {
	numbers, err := tx.column("SELECT number FROM applications WHERE completed_at = 0 ORDER BY id")
	if err != nil {
		return err
	}
	for _, n := range numbers {
		app, err := loadApplication(ctx, txQuerier{tx}, tx.Query, "a.number = ?", n)
		if err != nil {
			return err
		}
		for i, ev := range app.Events {
			if err := tx.outboxApplicationEvent(app, ev, i+1); err != nil {
				return err
			}
		}
	}
	return nil
}

func (tx *Tx) backfillCertificates() error {
	rows, err := tx.Query("SELECT " + certificateColumns + certificateFrom + " ORDER BY c.id")
	if err != nil {
		return err
	}
	var certs []Certificate
	for rows.Next() {
		c, err := scanCertificate(rows)
		if err != nil {
			rows.Close()
			return err
		}
		certs = append(certs, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, c := range certs {
		item := ""
		if c.ApplicationNumber != "" {
			its, err := tx.column("SELECT item FROM applications WHERE number = ?", c.ApplicationNumber)
			if err != nil {
				return err
			}
			if len(its) == 1 {
				item = its[0]
			}
		}
		if err := tx.outboxCertificateIssued(c, item); err != nil {
			return err
		}
		if c.Revoked() {
			if err := tx.outboxRevokedAt(c.Serial.String(), c.RevokedAt, c.RevokeReason); err != nil {
				return err
			}
		}
	}
	return nil
}
