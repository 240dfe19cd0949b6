package store

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"onestop/hallserver/cert"
)

// AddSigningKey records a new certificate signing key (made by package
// certkeys) as the hall's active key from now on. The key that was active
// is retired, valid until now: what it signed stays valid. The first key
// of a hall is simply made active. Audited.
func (s *Store) AddSigningKey(ctx context.Context, a Actor, pub ed25519.PublicKey, note string) (cert.TrustedKey, error) {
	if len(pub) != ed25519.PublicKeySize {
		return cert.TrustedKey{}, fmt.Errorf("%w: a signing key's public key has %d bytes, want %d", ErrInvalid, len(pub), ed25519.PublicKeySize)
	}
	var key cert.TrustedKey
	err := s.write(ctx, func(tx *Tx) error {
		hall, _, err := metaValue(ctx, txQuerier{tx}, "hall_code")
		if err != nil {
			return err
		}
		// Trust lists keep whole seconds. A key that follows another starts
		// a second after the later of now and the previous key's start, and
		// the previous one ends there: two keys made within one second still
		// have a signing period each, and no instant is covered by both.
		now := tx.now.Truncate(time.Second)
		var last int64
		if err := tx.QueryRow("SELECT COALESCE(MAX(valid_from), 0) FROM signing_keys").Scan(&last); err != nil {
			return fmt.Errorf("store: add signing key: %w", err)
		}
		if last != 0 {
			now = maxTime(now.Add(time.Second), fromMS(last).Add(time.Second))
		}
		key = cert.TrustedKey{Hall: hall, KID: cert.KeyID(pub), PublicKey: pub, ValidFrom: now, Status: cert.KeyActive, Note: note}
		var old string
		err = tx.QueryRow("SELECT kid FROM signing_keys WHERE status = 'active'").Scan(&old)
		switch {
		case errors.Is(err, sql.ErrNoRows):
		case err != nil:
			return fmt.Errorf("store: add signing key: %w", err)
		default:
			if _, err := tx.Exec("UPDATE signing_keys SET status = 'retired', valid_until = ? WHERE kid = ?", ms(now), old); err != nil {
				return fmt.Errorf("store: retire signing key %s: %w", old, err)
			}
		}
		if _, err := tx.Exec(`INSERT INTO signing_keys(kid, public_key, valid_from, status, note, created_at)
			VALUES (?,?,?,'active',?,?)`, key.KID.String(), []byte(pub), ms(now), note, ms(tx.now)); err != nil {
			if strings.Contains(err.Error(), "UNIQUE") {
				return fmt.Errorf("%w: signing key %s is recorded already", ErrConflict, key.KID)
			}
			return fmt.Errorf("store: add signing key: %w", err)
		}
		if err := tx.bumpTrustVersion(); err != nil {
			return err
		}
		if old != "" {
			if err := tx.outboxSigningKey(old); err != nil {
				return err
			}
		}
		if err := tx.outboxSigningKey(key.KID.String()); err != nil {
			return err
		}
		action, before := "cert.key.add", any(nil)
		if old != "" {
			action, before = "cert.key.rotate", map[string]any{"active_kid": old}
		}
		return tx.Audit(a, action, "signing_key", key.KID.String(), before, map[string]any{
			"kid": key.KID.String(), "public_key": []byte(pub), "valid_from": now, "note": note})
	})
	return key, err
}

// RevokeSigningKey marks one of the hall's keys revoked: everything it
// signed stops verifying. If it was the active key the hall has none until
// a new one is added (hallctl cert key rotate). Audited.
func (s *Store) RevokeSigningKey(ctx context.Context, a Actor, kid cert.KID, note string) error {
	if strings.TrimSpace(note) == "" {
		return fmt.Errorf("%w: say why the key is revoked (it is kept with the trust list)", ErrInvalid)
	}
	return s.write(ctx, func(tx *Tx) error {
		var status string
		err := tx.QueryRow("SELECT status FROM signing_keys WHERE kid = ?", kid.String()).Scan(&status)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("%w: no signing key %s in this hall: see hallctl cert key list", ErrNotFound, kid)
		}
		if err != nil {
			return fmt.Errorf("store: revoke signing key: %w", err)
		}
		if status == string(cert.KeyRevoked) {
			return fmt.Errorf("%w: signing key %s is revoked already", ErrConflict, kid)
		}
		if _, err := tx.Exec("UPDATE signing_keys SET status = 'revoked', note = ? WHERE kid = ?", note, kid.String()); err != nil {
			return fmt.Errorf("store: revoke signing key: %w", err)
		}
		if err := tx.bumpTrustVersion(); err != nil {
			return err
		}
		if err := tx.outboxSigningKey(kid.String()); err != nil {
			return err
		}
		return tx.Audit(a, "cert.key.revoke", "signing_key", kid.String(),
			map[string]any{"status": status}, map[string]any{"status": "revoked", "note": note})
	})
}

// SigningKeys lists the hall's own keys, oldest first.
func (s *Store) SigningKeys(ctx context.Context) ([]cert.TrustedKey, error) {
	hall, _, err := metaValue(ctx, readQuerier{s}, "hall_code")
	if err != nil {
		return nil, err
	}
	rows, err := s.query(ctx, "SELECT public_key, valid_from, valid_until, status, note FROM signing_keys ORDER BY valid_from, kid")
	if err != nil {
		return nil, fmt.Errorf("store: signing keys: %w", err)
	}
	defer rows.Close()
	var out []cert.TrustedKey
	for rows.Next() {
		var k cert.TrustedKey
		var pub []byte
		var from, until int64
		if err := rows.Scan(&pub, &from, &until, &k.Status, &k.Note); err != nil {
			return nil, fmt.Errorf("store: signing keys: %w", err)
		}
		k.Hall, k.PublicKey, k.KID = hall, pub, cert.KeyID(pub)
		k.ValidFrom, k.ValidUntil = fromMS(from), fromMS(until)
		out = append(out, k)
	}
	return out, rows.Err()
}

// ActiveSigningKey returns the id of the key the hall signs with now.
func (s *Store) ActiveSigningKey(ctx context.Context) (cert.KID, error) {
	var kid string
	err := s.queryRow(ctx, "SELECT kid FROM signing_keys WHERE status = 'active'").Scan(&kid)
	return parseActiveKID(kid, err)
}

func parseActiveKID(kid string, err error) (cert.KID, error) {
	if errors.Is(err, sql.ErrNoRows) {
		return cert.KID{}, fmt.Errorf("%w: this hall has no active certificate signing key: an administrator makes one with hallctl cert key rotate --data DIR", ErrNotConfigured)
	}
	if err != nil {
		return cert.KID{}, fmt.Errorf("store: active signing key: %w", err)
	}
	var k cert.KID
	if err := k.UnmarshalText([]byte(kid)); err != nil {
		return cert.KID{}, fmt.Errorf("store: active signing key %q: %w", kid, err)
	}
	return k, nil
}

// trustVersionKey counts changes to the hall's own keys; importedTrustKey
// holds the last trust list imported from the province.
const (
	trustVersionKey  = "trust_version"
	importedTrustKey = "trust_list_imported"
)

func (tx *Tx) bumpTrustVersion() error {
	v, _, err := metaValue(tx.ctx, txQuerier{tx}, trustVersionKey)
	if err != nil {
		return err
	}
	n, _ := strconv.ParseInt(v, 10, 64)
	return tx.setMeta(trustVersionKey, strconv.FormatInt(n+1, 10))
}

// TrustList is the list this hall verifies certificates against: its own
// keys as it keeps them, and the other halls' keys from the last list
// imported from the province. Its version is the sum of the count of
// changes to the hall's own keys and the imported list's version, so it
// only ever goes up.
func (s *Store) TrustList(ctx context.Context) (*cert.TrustList, error) {
	own, err := s.SigningKeys(ctx)
	if err != nil {
		return nil, err
	}
	ownVersion, _, err := metaValue(ctx, readQuerier{s}, trustVersionKey)
	if err != nil {
		return nil, err
	}
	version, _ := strconv.ParseInt(ownVersion, 10, 64)
	keys := own
	imported, err := s.importedTrustList(ctx)
	if err != nil {
		return nil, err
	}
	if imported != nil {
		version += imported.Version()
		hall := ""
		if len(own) > 0 {
			hall = own[0].Hall
		} else if hall, _, err = metaValue(ctx, readQuerier{s}, "hall_code"); err != nil {
			return nil, err
		}
		for _, k := range imported.Keys() {
			if k.Hall != hall {
				keys = append(keys, k)
			}
		}
	}
	if version < 1 {
		version = 1
	}
	return cert.NewTrustList(version, keys)
}

func (s *Store) importedTrustList(ctx context.Context) (*cert.TrustList, error) {
	raw, ok, err := metaValue(ctx, readQuerier{s}, importedTrustKey)
	if err != nil || !ok {
		return nil, err
	}
	t, err := cert.ParseTrustList([]byte(raw))
	if err != nil {
		return nil, fmt.Errorf("store: the imported trust list is damaged: %w; import the province's list again", err)
	}
	return t, nil
}

// TrustImport is what importing a trust list changed.
type TrustImport struct {
	Version     int64
	OtherHalls  int      // keys of other halls now trusted
	RevokedOwn  []string // kids of this hall's keys the province revoked
	IgnoredOwn  int      // entries for this hall's keys that agree with it
	UnknownOwns []string // kids the list gives this hall that it does not have
}

// ImportTrustList takes the province's trust list: the other halls' keys
// replace those of the previous import. Entries for this hall's own keys
// are compared with its records: a revocation is applied (the province
// may revoke a leaked key); a key this hall does not have is refused. A
// list no newer than the last one imported is refused. Audited.
func (s *Store) ImportTrustList(ctx context.Context, a Actor, t *cert.TrustList) (TrustImport, error) {
	var res TrustImport
	err := s.write(ctx, func(tx *Tx) error {
		var err error
		res, err = tx.importTrustList(ctx, a, t)
		return err
	})
	return res, err
}

// importTrustList is ImportTrustList in tx.
func (tx *Tx) importTrustList(ctx context.Context, a Actor, t *cert.TrustList) (TrustImport, error) {
	res := TrustImport{Version: t.Version()}
	raw, err := t.MarshalJSON()
	if err != nil {
		return res, fmt.Errorf("store: import trust list: %w", err)
	}
	hall, _, err := metaValue(ctx, txQuerier{tx}, "hall_code")
	if err != nil {
		return res, err
	}
	// The version check runs in the transaction, so that two imports
	// cannot both pass it. A damaged previous list counts as version 0:
	// importing a good one is how it is repaired.
	var prev *cert.TrustList
	if stored, ok, err := metaValue(ctx, txQuerier{tx}, importedTrustKey); err != nil {
		return res, err
	} else if ok {
		prev, _ = cert.ParseTrustList([]byte(stored))
	}
	if prev != nil && t.Version() <= prev.Version() {
		return res, fmt.Errorf("%w: trust list version %d is not newer than the imported version %d; nothing changed", ErrConflict, t.Version(), prev.Version())
	}
	for _, k := range t.Keys() {
		if k.Hall != hall {
			res.OtherHalls++
			continue
		}
		var status string
		err := tx.QueryRow("SELECT status FROM signing_keys WHERE kid = ?", k.KID.String()).Scan(&status)
		if errors.Is(err, sql.ErrNoRows) {
			res.UnknownOwns = append(res.UnknownOwns, k.KID.String())
			continue
		}
		if err != nil {
			return res, fmt.Errorf("store: import trust list: %w", err)
		}
		if k.Status == cert.KeyRevoked && status != string(cert.KeyRevoked) {
			if _, err := tx.Exec("UPDATE signing_keys SET status = 'revoked', note = ? WHERE kid = ?",
				"revoked by the province's trust list v"+strconv.FormatInt(t.Version(), 10)+": "+k.Note, k.KID.String()); err != nil {
				return res, fmt.Errorf("store: import trust list: %w", err)
			}
			res.RevokedOwn = append(res.RevokedOwn, k.KID.String())
			if err := tx.outboxSigningKey(k.KID.String()); err != nil {
				return res, err
			}
			continue
		}
		res.IgnoredOwn++
	}
	if len(res.UnknownOwns) > 0 {
		return res, fmt.Errorf("%w: the trust list gives hall %s keys it does not have (%s): check the list comes from the province for this hall; nothing changed",
			ErrInvalid, hall, strings.Join(res.UnknownOwns, ", "))
	}
	if len(res.RevokedOwn) > 0 {
		if err := tx.bumpTrustVersion(); err != nil {
			return res, err
		}
	}
	// The list the hall will verify with must hold together: no key of
	// this hall listed again under another hall's code.
	if err := tx.checkCombinedTrust(hall, t); err != nil {
		return res, err
	}
	if err := tx.setMeta(importedTrustKey, string(raw)); err != nil {
		return res, err
	}
	var before any
	if prev != nil {
		before = map[string]any{"version": prev.Version()}
	}
	return res, tx.Audit(a, "cert.trust.import", "trust_list", strconv.FormatInt(t.Version(), 10), before,
		map[string]any{"version": t.Version(), "other_hall_keys": res.OtherHalls, "revoked_own": res.RevokedOwn,
			"sha256": fmt.Sprintf("%x", sha256.Sum256(raw))})
}

// ExportTrustList is TrustList in its JSON form, indented for people.
func (s *Store) ExportTrustList(ctx context.Context) ([]byte, error) {
	t, err := s.TrustList(ctx)
	if err != nil {
		return nil, err
	}
	raw, err := t.MarshalJSON()
	if err != nil {
		return nil, err
	}
	var out bytes.Buffer
	if err := json.Indent(&out, raw, "", "  "); err != nil {
		return nil, err
	}
	out.WriteByte('\n')
	return out.Bytes(), nil
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// checkCombinedTrust builds the trust list this hall would verify with
// after importing t, and refuses the import if it does not hold together.
func (tx *Tx) checkCombinedTrust(hall string, t *cert.TrustList) error {
	rows, err := tx.Query("SELECT public_key, valid_from, valid_until, status FROM signing_keys")
	if err != nil {
		return fmt.Errorf("store: import trust list: %w", err)
	}
	var keys []cert.TrustedKey
	for rows.Next() {
		var k cert.TrustedKey
		var pub []byte
		var from, until int64
		if err := rows.Scan(&pub, &from, &until, &k.Status); err != nil {
			rows.Close()
			return fmt.Errorf("store: import trust list: %w", err)
		}
		k.Hall, k.PublicKey, k.ValidFrom, k.ValidUntil = hall, pub, fromMS(from), fromMS(until)
		keys = append(keys, k)
	}
	rows.Close()
	for _, k := range t.Keys() {
		if k.Hall != hall {
			keys = append(keys, k)
		}
	}
	if _, err := cert.NewTrustList(t.Version(), keys); err != nil {
		return fmt.Errorf("%w: with this list the hall's trust list would not hold together (%v); nothing changed", ErrInvalid, err)
	}
	return nil
}
