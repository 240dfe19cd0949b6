package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"

	"onestop/hallserver/application"
	"onestop/hallserver/exchange"
)

// backfillOutbox reports, once, what a hall already had when the outbox
// was added (schema 6), so the province's picture is whole: every signing
// key as it stands (without them the province's trust list would lack
// this hall until its next rotation), every event of the applications
// still open (each with the state it left the application in), and the
// certificates issued (and revoked). The province deduplicates by natural
// key, so reporting something it already has is harmless. A record that
// cannot be read is skipped and named in the audit record, rather than
// keeping the hall server from starting. A new hall has none of these;
// its flag just goes. The flag is taken in the transaction, so two
// processes opening the hall at once do not both report.
func (s *Store) backfillOutbox(ctx context.Context) error {
	if _, due, err := metaValue(ctx, s.rdb, "outbox_backfill"); err != nil || !due {
		return err
	}
	err := s.write(ctx, func(tx *Tx) error {
		res, err := tx.Exec("DELETE FROM meta WHERE key = 'outbox_backfill'")
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil // another process did it
		}
		var skipped []string
		keys, err := tx.backfillSigningKeys()
		if err != nil {
			return err
		}
		apps, err := tx.backfillApplications(ctx, &skipped)
		if err != nil {
			return err
		}
		certs, err := tx.backfillCertificates(&skipped)
		if err != nil {
			return err
		}
		if keys+apps+certs == 0 && len(skipped) == 0 {
			return nil
		}
		return tx.Audit(System, "province.backfill", "outbox", "backfill", nil,
			map[string]any{"signing_keys": keys, "application_events": apps, "certificates": certs, "skipped": skipped})
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

func (tx *Tx) backfillSigningKeys() (int, error) {
	kids, err := tx.column("SELECT kid FROM signing_keys ORDER BY valid_from")
	if err != nil {
		return 0, err
	}
	for _, kid := range kids {
		if err := tx.outboxSigningKey(kid); err != nil {
			return 0, err
		}
	}
	return len(kids), nil
}

// backfillApplications reports every event of the open applications, each
// with the step and status the application had after it.
func (tx *Tx) backfillApplications(ctx context.Context, skipped *[]string) (int, error) {
	numbers, err := tx.column("SELECT number FROM applications WHERE completed_at = 0 ORDER BY id")
	if err != nil {
		return 0, err
	}
	n := 0
	for _, number := range numbers {
		app, err := loadApplication(ctx, txQuerier{tx}, tx.Query, "a.number = ?", number)
		if err != nil {
			*skipped = append(*skipped, "application "+number+": "+err.Error())
			continue
		}
		state, current := application.State{}, app.State
		for i, ev := range app.Events {
			if next, err := application.Apply(state, ev); err == nil {
				state = next
				app.State = state
			} else {
				app.State = current // the recorded history does not replay: report the state as it is
			}
			if err := tx.outboxApplicationEvent(app, ev, i+1); err != nil {
				return n, err
			}
			n++
		}
	}
	return n, nil
}

// backfillCertificates reports every certificate, and its revocation,
// keeping only what is reported (not the signed bytes) while reading.
func (tx *Tx) backfillCertificates(skipped *[]string) (int, error) {
	type issued struct {
		serial  string
		payload exchange.CertificateIssued
		revoked Certificate
	}
	rows, err := tx.Query(`SELECT c.serial, c.kid, c.type, c.title, COALESCE(a.number, ''), COALESCE(a.item, ''),
		c.issued_at, c.expires_at, c.cose, c.revoked_at, c.revoke_reason FROM certificates c
		LEFT JOIN applications a ON a.id = c.application_id ORDER BY c.id`)
	if err != nil {
		return 0, err
	}
	var all []issued
	for rows.Next() {
		var p exchange.CertificateIssued
		var issuedAt, expires, revokedAt int64
		var cose []byte
		var reason string
		if err := rows.Scan(&p.Serial, &p.KID, &p.Type, &p.Title, &p.Application, &p.Item, &issuedAt, &expires, &cose,
			&revokedAt, &reason); err != nil {
			*skipped = append(*skipped, "a certificate: "+err.Error())
			continue
		}
		sum := sha256.Sum256(cose)
		p.IssuedAt, p.ValidFrom, p.ValidUntil, p.RecordSHA256 = fromMS(issuedAt), fromMS(issuedAt), fromMS(expires), hex.EncodeToString(sum[:])
		c := issued{serial: p.Serial, payload: p}
		c.revoked.RevokedAt, c.revoked.RevokeReason = fromMS(revokedAt), reason
		all = append(all, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	for _, c := range all {
		if err := tx.outbox(exchange.KindCertificateIssued, "certificate:"+c.serial, c.payload); err != nil {
			return 0, err
		}
		if c.revoked.Revoked() {
			if err := tx.outboxRevokedAt(c.serial, c.revoked.RevokedAt, c.revoked.RevokeReason); err != nil {
				return 0, err
			}
		}
	}
	return len(all), nil
}
