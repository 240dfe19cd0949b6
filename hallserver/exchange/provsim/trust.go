package provsim

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"onestop/hallserver/cert"
	"onestop/hallserver/exchange"
)

// RevokeKey records that the province revoked one of a hall's signing
// keys (it learnt the key leaked): the trust document lists the key as
// revoked from the next version on, whatever the hall says about it.
func (p *Province) RevokeKey(ctx context.Context, hall, kid, note string) error {
	if note == "" {
		note = "revoked by the province"
	}
	err := p.write(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRow("SELECT COUNT(*) FROM signing_keys WHERE hall = ? AND kid = ?", hall, kid).Scan(&n); err != nil {
			return fmt.Errorf("provsim: read signing key: %w", err)
		}
		if n == 0 {
			return fmt.Errorf("%w: hall %s has sent no signing key %s", ErrNotFound, hall, kid)
		}
		var old string
		err := tx.QueryRow("SELECT note FROM key_revocations WHERE hall = ? AND kid = ?", hall, kid).Scan(&old)
		switch {
		case err == nil && old == note:
			return nil // nothing changes, so no new version
		case err != nil && !errors.Is(err, sql.ErrNoRows):
			return fmt.Errorf("provsim: read key revocation: %w", err)
		}
		now := ms(p.now())
		if _, err := tx.Exec(`INSERT INTO key_revocations(hall, kid, note, revoked_at) VALUES (?,?,?,?)
			ON CONFLICT(hall, kid) DO UPDATE SET note = excluded.note`, hall, kid, note, now); err != nil {
			return fmt.Errorf("provsim: revoke key %s: %w", kid, err)
		}
		if _, err := tx.Exec("INSERT INTO trust(version, changed_at) SELECT MAX(version) + 1, ? FROM trust", now); err != nil {
			return fmt.Errorf("provsim: next trust version: %w", err)
		}
		return nil
	})
	if err != nil {
		return err
	}
	p.log.Info("provsim: signing key revoked by the province", "hall", hall, "kid", kid, "note", note)
	return nil
}

// TrustVersion is the trust document's current version.
func (p *Province) TrustVersion(ctx context.Context) (int64, error) {
	var v int64
	if err := p.rdb.QueryRowContext(ctx, "SELECT MAX(version) FROM trust").Scan(&v); err != nil {
		return 0, fmt.Errorf("provsim: read trust version: %w", err)
	}
	return v, nil
}

// TrustDocument returns the current trust document: its version, its
// exact bytes and their signature (exchange.SignDocument). Each version
// is built and signed once, then served as stored.
func (p *Province) TrustDocument(ctx context.Context) (version int64, doc []byte, sig string, err error) {
	var sigNull sql.NullString
	err = p.rdb.QueryRowContext(ctx, "SELECT version, document, signature FROM trust ORDER BY version DESC LIMIT 1").Scan(&version, &doc, &sigNull)
	if err != nil {
		return 0, nil, "", fmt.Errorf("provsim: read trust document: %w", err)
	}
	if doc != nil {
		return version, doc, sigNull.String, nil
	}
	// Build it in a write transaction, so the keys and revocations read
	// are exactly those of this version.
	err = p.write(ctx, func(tx *sql.Tx) error {
		var changed int64
		var built []byte
		if err := tx.QueryRow("SELECT version, document, signature, changed_at FROM trust ORDER BY version DESC LIMIT 1").Scan(&version, &built, &sigNull, &changed); err != nil {
			return fmt.Errorf("provsim: read trust document: %w", err)
		}
		if built != nil {
			doc, sig = built, sigNull.String
			return nil
		}
		d, err := buildTrust(tx, version)
		if err != nil {
			return err
		}
		d.IssuedAt = fromMS(changed)
		if doc, err = json.Marshal(d); err != nil {
			return fmt.Errorf("provsim: encode trust document: %w", err)
		}
		sig = exchange.SignDocument(p.key, doc)
		if _, err := tx.Exec("UPDATE trust SET document = ?, signature = ? WHERE version = ?", doc, sig, version); err != nil {
			return fmt.Errorf("provsim: store trust document %d: %w", version, err)
		}
		return nil
	})
	if err != nil {
		return 0, nil, "", err
	}
	return version, doc, sig, nil
}

// buildTrust reads every hall's keys (with the province's revocations
// over them) and every revoked certificate.
func buildTrust(tx *sql.Tx, version int64) (exchange.TrustDocument, error) {
	d := exchange.TrustDocument{Format: exchange.TrustDocumentFormat, Version: version, Revocations: []exchange.Revocation{}}
	rows, err := tx.Query(`SELECT k.hall, k.public_key, k.status, k.valid_from, k.valid_until, k.note, r.note
		FROM signing_keys k LEFT JOIN key_revocations r ON r.hall = k.hall AND r.kid = k.kid
		ORDER BY k.hall, k.valid_from, k.kid`)
	if err != nil {
		return d, fmt.Errorf("provsim: read signing keys: %w", err)
	}
	var keys []cert.TrustedKey
	for rows.Next() {
		var k cert.TrustedKey
		var pub []byte
		var status string
		var from, until int64
		var revoked sql.NullString
		if err := rows.Scan(&k.Hall, &pub, &status, &from, &until, &k.Note, &revoked); err != nil {
			rows.Close()
			return d, fmt.Errorf("provsim: read signing keys: %w", err)
		}
		k.PublicKey, k.Status, k.ValidFrom, k.ValidUntil = pub, cert.KeyStatus(status), fromMS(from), fromMS(until)
		if revoked.Valid {
			k.Status, k.Note = cert.KeyRevoked, revoked.String
		}
		keys = append(keys, k)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return d, fmt.Errorf("provsim: read signing keys: %w", err)
	}
	list, err := cert.NewTrustList(version, keys)
	if err != nil {
		return d, fmt.Errorf("provsim: trust list %d: %w", version, err)
	}
	if d.TrustList, err = list.MarshalJSON(); err != nil {
		return d, fmt.Errorf("provsim: encode trust list: %w", err)
	}
	rows, err = tx.Query("SELECT hall, serial, revoked_at, reason FROM certificates WHERE revoked_at != 0 ORDER BY revoked_at, hall, serial")
	if err != nil {
		return d, fmt.Errorf("provsim: read revocations: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var r exchange.Revocation
		var at int64
		if err := rows.Scan(&r.Hall, &r.Serial, &at, &r.Reason); err != nil {
			return d, fmt.Errorf("provsim: read revocations: %w", err)
		}
		r.RevokedAt = fromMS(at)
		d.Revocations = append(d.Revocations, r)
	}
	if err := rows.Err(); err != nil {
		return d, fmt.Errorf("provsim: read revocations: %w", err)
	}
	return d, nil
}
