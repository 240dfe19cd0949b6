package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"onestop/hallserver"
	"onestop/hallserver/catalogue"
	"onestop/hallserver/cert"
	"onestop/hallserver/certkeys"
	"onestop/hallserver/pii"
	"onestop/hallserver/queue"
	"onestop/hallserver/store"
)

// fieldFlags collects repeated --field K=V flags in order.
type fieldFlags []store.CertificateField

func (f *fieldFlags) String() string { return fmt.Sprint(*f) }

func (f *fieldFlags) Set(v string) error {
	k, val, ok := strings.Cut(v, "=")
	if !ok || strings.TrimSpace(k) == "" {
		return fmt.Errorf("--field %q: write it as NAME=VALUE, e.g. --field 坐落=贵阳市观山湖区", v)
	}
	*f = append(*f, store.CertificateField{Name: strings.TrimSpace(k), Value: strings.TrimSpace(val)})
	return nil
}

// certIssue issues a certificate directly (not from an application),
// writes its PDF and prints its QR text.
func (e env) certIssue(args []string) error {
	var typ, title, holderName, holderID, out, expires *string
	var validYears *int
	var idStdin *bool
	var fields fieldFlags
	return e.hallDirCmd("cert issue", args, func(fs *flag.FlagSet) func() error {
		typ, title = fs.String("type", "", ""), fs.String("title", "", "")
		holderName, holderID = fs.String("holder-name", "", ""), fs.String("holder-id", "", "")
		out, expires = fs.String("out", "", ""), fs.String("expires", "", "")
		validYears = fs.Int("valid-years", -1, "")
		idStdin = fs.Bool("holder-id-stdin", false, "")
		fs.Var(&fields, "field", "")
		return func() error {
			if *idStdin {
				if *holderID != "" {
					return usageError{"cert issue: give --holder-id or --holder-id-stdin, not both"}
				}
				line, err := e.readPassword()
				if err != nil {
					return usageError{"--holder-id-stdin: no ID number on standard input"}
				}
				*holderID = strings.TrimSpace(line)
			}
			if *typ == "" || *holderName == "" || *holderID == "" || *out == "" {
				return usageError{"cert issue needs --type, --holder-name, --holder-id (or --holder-id-stdin, which keeps it out of the shell history) and --out FILE.pdf"}
			}
			if *expires != "" && *validYears >= 0 {
				return usageError{"cert issue: give --expires or --valid-years, not both"}
			}
			return nil
		}
	}, func(st *store.Store, dir string) error {
		spec, err := certificateSpec(e.ctx, st, *typ)
		if err != nil {
			return err
		}
		if *title == "" {
			if spec == nil {
				return usageError{fmt.Sprintf("cert issue: type %s is not one the catalogue's items produce: give its --title as printed", *typ)}
			}
			*title = spec.Title
		}
		exp := time.Time{}
		switch {
		case *expires != "":
			d, err := time.ParseInLocation("2006-01-02", *expires, queue.Location)
			if err != nil {
				return usageError{fmt.Sprintf("--expires %q: give the last day of validity as YYYY-MM-DD", *expires)}
			}
			exp = d.AddDate(0, 0, 1)
		case *validYears >= 0:
			exp = store.ExpiryAfterYears(st.Now(), *validYears)
		case spec != nil:
			exp = store.ExpiryAfterYears(st.Now(), spec.ValidYears)
		}
		vault, err := pii.OpenVault(dir)
		if err != nil {
			return err
		}
		id := pii.Normalize(*holderID)
		sealed, err := vault.Seal(id)
		if err != nil {
			return err
		}
		c, err := st.IssueCertificate(e.ctx, actor(), store.CertificateRequest{Type: *typ, Title: *title, Fields: fields,
			Expires: exp, HolderName: *holderName, HolderID: id, HolderHash: vault.LookupHash(id), HolderSealed: sealed,
			HolderMasked: pii.Mask(id)}, certkeys.Open(dir))
		if err != nil {
			return err
		}
		qr, err := e.writeCertificatePDF(st, c, *out)
		if err != nil {
			return fmt.Errorf("certificate %s was issued, but: %w; print it again with hallctl cert print --data %s --serial %s --out FILE.pdf",
				c.Serial, err, dir, c.Serial)
		}
		fmt.Fprintf(e.stdout, "issued %s %s to %s (%s)\nserial:     %s\nidentifier: %s\nPDF:        %s\nQR:\n%s\n",
			c.Title, c.Type, c.HolderName, c.HolderMasked, c.Serial, c.Identifier, *out, qr)
		return nil
	})
}

// writeCertificatePDF renders the next copy of c into path and records
// the print; it returns the QR text. The file is written next to path and
// renamed only once the print is recorded, so a failure leaves neither a
// stray file nor a recorded copy nobody holds.
func (e env) writeCertificatePDF(st *store.Store, c store.Certificate, path string) (string, error) {
	if err := c.Printable(); err != nil {
		return "", err
	}
	hall, err := st.Hall(e.ctx)
	if err != nil {
		return "", err
	}
	qr, err := st.QRText(e.ctx, c)
	if err != nil {
		return "", err
	}
	copyNo := c.Prints + 1
	pdf, err := hallserver.CertificatePDF(nil, c, hall.Name, qr, copyNo, st.Now())
	if err != nil {
		return "", err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".cert-*.pdf")
	if err != nil {
		return "", fmt.Errorf("write %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	_, err = tmp.Write(pdf)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp.Name(), 0o644)
	}
	if err != nil {
		return "", fmt.Errorf("write %s: %w", path, err)
	}
	if _, err := st.RecordPrint(e.ctx, actor(), c.Serial, copyNo); err != nil {
		return "", err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return "", fmt.Errorf("copy %d of %s was recorded as printed, but: %w", copyNo, c.Serial, err)
	}
	return qr, nil
}

// certificateSpec finds the catalogue's description of a certificate type.
func certificateSpec(ctx context.Context, st *store.Store, typ string) (*catalogue.CertificateSpec, error) {
	cat, err := st.Catalogue(ctx)
	if err != nil {
		return nil, err
	}
	for _, it := range cat.Items {
		if it.Certificate != nil && it.Certificate.Type == typ {
			return it.Certificate, nil
		}
	}
	return nil, nil
}

// certPrint prints a certificate again (a reprint, marked and recorded).
func (e env) certPrint(args []string) error {
	var serial, out *string
	return e.hallCmd("cert print", args, func(fs *flag.FlagSet) func() error {
		serial, out = fs.String("serial", "", ""), fs.String("out", "", "")
		return func() error {
			if *serial == "" || *out == "" {
				return usageError{"cert print needs --serial and --out FILE.pdf"}
			}
			return nil
		}
	}, func(st *store.Store) error {
		s, err := cert.ParseSerial(*serial)
		if err != nil {
			return err
		}
		c, err := st.CertificateBySerial(e.ctx, s)
		if err != nil {
			return err
		}
		if _, err := e.writeCertificatePDF(st, c, *out); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "printed copy %d of %s to %s\n", c.Prints+1, c.Serial, *out)
		return nil
	})
}

// certVerify checks a certificate's QR text offline: against the hall's
// own trust list and records (--data), or a trust list file (--trust).
func (e env) certVerify(args []string) error {
	fs := e.flags("cert verify")
	dir := fs.String("data", "", "")
	trustFile := fs.String("trust", "", "")
	at := fs.String("at", "", "")
	if err := fs.Parse(args); err != nil {
		return usageError{fmt.Sprintf("cert verify: %v", err)}
	}
	if fs.NArg() != 1 || (*dir == "") == (*trustFile == "") {
		return usageError{"cert verify needs the QR text (or - to read it from standard input) and one of --data DIR or --trust FILE"}
	}
	code := fs.Arg(0)
	if code == "-" {
		b, err := io.ReadAll(io.LimitReader(e.stdin, 1<<16))
		if err != nil {
			return err
		}
		code = string(b)
	}
	now := time.Now()
	if *at != "" {
		t, err := time.Parse(time.RFC3339, *at)
		if err != nil {
			return usageError{fmt.Sprintf("--at %q: give a time as 2026-11-26T15:04:05+08:00", *at)}
		}
		now = t
	}
	var trust *cert.TrustList
	var status *ownStatus
	if *trustFile != "" {
		data, err := os.ReadFile(*trustFile)
		if err != nil {
			return fmt.Errorf("read the trust list: %w", err)
		}
		if trust, err = cert.ParseTrustList(data); err != nil {
			return err
		}
	} else {
		st, err := e.openHall(*dir)
		if err != nil {
			return err
		}
		defer st.Close()
		if trust, err = st.TrustList(e.ctx); err != nil {
			return err
		}
		hall, err := st.Hall(e.ctx)
		if err != nil {
			return err
		}
		status = &ownStatus{st, hall.Code}
	}
	v, err := cert.Verify(e.ctx, code, trust, now, nil)
	otherHall := false
	if err == nil && status != nil {
		// Single certificates are revoked in the issuing hall's records;
		// another hall's revocations are known from the province's list.
		var src cert.StatusChecker = status
		if otherHall = v.Claims.Issuer != status.hall; otherHall {
			src = provinceStatus{status.st, v.Claims.Issuer}
		}
		v, err = cert.Verify(e.ctx, code, trust, now, src)
	}
	if v.Claims.Serial.IsZero() && err != nil {
		return fmt.Errorf("NOT VALID: %s", verifyReason(err))
	}
	c := v.Claims
	fmt.Fprintf(e.stdout, "title:    %s (%s)\nholder:   %s, ID number ending %s\nserial:   %s\nissuer:   %s\nissued:   %s\nexpires:  %s\nkey:      %s (%s)\n",
		c.Title, c.Type, c.HolderName, c.HolderIDLast4, c.Serial, c.Issuer, localTime(c.IssuedAt, "2006-01-02 15:04"),
		expiryText(c.Expires), v.Key.KID, v.Key.Status)
	if err != nil {
		return fmt.Errorf("NOT VALID: %s", verifyReason(err))
	}
	switch {
	case v.StatusChecked && otherHall:
		fmt.Fprintln(e.stdout, "VALID: signature, key and validity check out; the province's revocation list, as last pulled, does not list it")
	case v.StatusChecked:
		fmt.Fprintln(e.stdout, "VALID: signature, key and validity check out; the hall's records show it is not revoked")
	default:
		fmt.Fprintln(e.stdout, "VALID: signature, key and validity check out (revocation of single certificates is checked online, or with --data on the issuing hall)")
	}
	return nil
}

func expiryText(t time.Time) string {
	if t.IsZero() {
		return "does not expire"
	}
	return "end of " + t.Add(-time.Second).In(queue.Location).Format("2006-01-02")
}

// verifyReason says why verification failed, for people.
func verifyReason(err error) string {
	for _, r := range []struct {
		err  error
		text string
	}{
		{cert.ErrMalformed, "not a readable certificate code (damaged, cut short, or changed)"},
		{cert.ErrUnknownKey, "signed by a key that is not in the trust list"},
		{cert.ErrBadSignature, "the signature does not match: the code was altered or forged"},
		{cert.ErrKeyRevoked, "the signing key has been revoked"},
		{cert.ErrIssuerMismatch, "the signing key belongs to another hall than the one named"},
		{cert.ErrKeyNotValid, "the signing key was not in use at the certificate's issue time"},
		{cert.ErrExpired, "the certificate has expired"},
		{cert.ErrNotYetValid, "the certificate says it was issued in the future: check the clock"},
		{cert.ErrRevoked, "the hall has revoked this certificate"},
		{cert.ErrStatusUnavailable, "the signature is good, but the hall has no record of this certificate"},
	} {
		if errors.Is(err, r.err) {
			return r.text + " (" + hallserver.UserMessage(err) + ")"
		}
	}
	return hallserver.UserMessage(err)
}

// ownStatus answers revocation from the hall's records for its own
// certificates; another hall's are not revoked as far as it knows.
type ownStatus struct {
	st   *store.Store
	hall string
}

func (o ownStatus) Revoked(ctx context.Context, serial cert.Serial) (bool, string, error) {
	c, err := o.st.CertificateBySerial(ctx, serial)
	if errors.Is(err, store.ErrNotFound) {
		return false, "", fmt.Errorf("hall %s has no record of certificate %s: %w", o.hall, serial, err)
	}
	if err != nil {
		return false, "", err
	}
	return c.Revoked(), c.RevokeReason, nil
}

// provinceStatus answers revocation of another hall's certificates from
// the province's revocation list, as last pulled (store.ApplyProvinceTrust).
type provinceStatus struct {
	st     *store.Store
	issuer string
}

func (p provinceStatus) Revoked(ctx context.Context, serial cert.Serial) (bool, string, error) {
	r, ok, err := p.st.ProvinceRevocation(ctx, serial.String())
	if err != nil || !ok {
		return false, "", err
	}
	if r.Hall != p.issuer {
		return false, "", fmt.Errorf("the province's revocation list names hall %s for certificate %s, issued by %s: report it to the province", r.Hall, serial, p.issuer)
	}
	return true, r.Reason + " (revoked by " + r.Hall + ", from the province's list)", nil
}

// certRevoke revokes one certificate.
func (e env) certRevoke(args []string) error {
	var serial, reason *string
	return e.hallCmd("cert revoke", args, func(fs *flag.FlagSet) func() error {
		serial, reason = fs.String("serial", "", ""), fs.String("reason", "", "")
		return func() error {
			if *serial == "" || *reason == "" {
				return usageError{"cert revoke needs --serial and --reason"}
			}
			return nil
		}
	}, func(st *store.Store) error {
		s, err := cert.ParseSerial(*serial)
		if err != nil {
			return err
		}
		c, err := st.RevokeCertificate(e.ctx, actor(), s, *reason)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "revoked %s (%s, %s): the online check now says so\n", c.Serial, c.Title, c.HolderName)
		return nil
	})
}

// certSetURL sets the address printed in certificate QR codes.
func (e env) certSetURL(args []string) error {
	fs := e.flags("cert set-url")
	dir := fs.String("data", "", "")
	if err := fs.Parse(args); err != nil || fs.NArg() != 1 {
		return usageError{"cert set-url needs --data DIR and the address, e.g. https://zwfw.example.gov.cn"}
	}
	st, err := e.openHall(*dir)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := st.SetCertificateURL(e.ctx, actor(), fs.Arg(0)); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "certificates printed from now on point to %s/C/… (keep the old address answering for paper already out)\n", strings.TrimRight(fs.Arg(0), "/"))
	return nil
}

// certKeyRotate makes a new signing key the active one; the old one
// retires, and what it signed stays valid.
func (e env) certKeyRotate(args []string) error {
	var note *string
	return e.hallDirCmd("cert key rotate", args, func(fs *flag.FlagSet) func() error {
		note = fs.String("note", "", "")
		return nil
	}, func(st *store.Store, dir string) error {
		signer, err := certkeys.Open(dir).Generate()
		if err != nil {
			return err
		}
		k, err := st.AddSigningKey(e.ctx, actor(), signer.PublicKey(), *note)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "signing key %s is active from %s; export the trust list for the province: hallctl cert trust export --data DIR\n",
			k.KID, localTime(k.ValidFrom, "2006-01-02 15:04"))
		fmt.Fprintln(e.stdout, "a running hall server signs with it from its next certificate")
		return nil
	})
}

// certKeyRevoke stops trusting one of the hall's keys.
func (e env) certKeyRevoke(args []string) error {
	var kid, reason *string
	return e.hallCmd("cert key revoke", args, func(fs *flag.FlagSet) func() error {
		kid, reason = fs.String("kid", "", ""), fs.String("reason", "", "")
		return func() error {
			if *kid == "" || *reason == "" {
				return usageError{"cert key revoke needs --kid and --reason"}
			}
			return nil
		}
	}, func(st *store.Store) error {
		var k cert.KID
		if err := k.UnmarshalText([]byte(*kid)); err != nil {
			return err
		}
		if err := st.RevokeSigningKey(e.ctx, actor(), k, *reason); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "revoked signing key %s: every certificate it signed now fails verification\n", k)
		if _, err := st.ActiveSigningKey(e.ctx); err != nil {
			fmt.Fprintln(e.stdout, "the hall has no active key now: make one with hallctl cert key rotate --data DIR")
		}
		return nil
	})
}

// certKeyList shows the hall's signing keys.
func (e env) certKeyList(args []string) error {
	var asJSON *bool
	return e.hallCmd("cert key list", args, func(fs *flag.FlagSet) func() error {
		asJSON = fs.Bool("json", false, "")
		return nil
	}, func(st *store.Store) error {
		keys, err := st.SigningKeys(e.ctx)
		if err != nil {
			return err
		}
		rows := make([][]string, len(keys))
		for i, k := range keys {
			rows[i] = []string{k.KID.String(), string(k.Status), localTime(k.ValidFrom, "2006-01-02 15:04"),
				localTime(k.ValidUntil, "2006-01-02 15:04"), k.Note}
		}
		return e.output(*asJSON, keys, "KID\tSTATUS\tFROM\tUNTIL\tNOTE", rows)
	})
}

// certTrustExport writes the hall's trust list (to a file or stdout).
func (e env) certTrustExport(args []string) error {
	var out *string
	return e.hallCmd("cert trust export", args, func(fs *flag.FlagSet) func() error {
		out = fs.String("out", "", "")
		return nil
	}, func(st *store.Store) error {
		raw, err := st.ExportTrustList(e.ctx)
		if err != nil {
			return err
		}
		if *out == "" {
			_, err = e.stdout.Write(raw)
			return err
		}
		if err := os.WriteFile(*out, raw, 0o644); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "wrote the trust list to %s\n", *out)
		return nil
	})
}

// certTrustImport takes the province's trust list.
func (e env) certTrustImport(args []string) error {
	fs := e.flags("cert trust import")
	dir := fs.String("data", "", "")
	if err := fs.Parse(args); err != nil || fs.NArg() != 1 {
		return usageError{"cert trust import needs --data DIR and the trust list file"}
	}
	data, err := os.ReadFile(fs.Arg(0))
	if err != nil {
		return fmt.Errorf("read %s: %w", fs.Arg(0), err)
	}
	list, err := cert.ParseTrustList(data)
	if err != nil {
		return err
	}
	st, err := e.openHall(*dir)
	if err != nil {
		return err
	}
	defer st.Close()
	res, err := st.ImportTrustList(e.ctx, actor(), list)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "imported trust list version %d: %d keys of other halls", res.Version, res.OtherHalls)
	if len(res.RevokedOwn) > 0 {
		fmt.Fprintf(e.stdout, "; the province revoked this hall's keys %s", strings.Join(res.RevokedOwn, ", "))
	}
	fmt.Fprintln(e.stdout)
	return nil
}

// cert dispatches the cert subcommands.
func (e env) cert(sub string, args []string) error {
	switch sub {
	case "issue":
		return e.certIssue(args)
	case "verify":
		return e.certVerify(args)
	case "print":
		return e.certPrint(args)
	case "revoke":
		return e.certRevoke(args)
	case "set-url":
		return e.certSetURL(args)
	case "key", "trust":
		next := ""
		if len(args) > 0 {
			next, args = args[0], args[1:]
		}
		switch sub + " " + next {
		case "key list":
			return e.certKeyList(args)
		case "key rotate":
			return e.certKeyRotate(args)
		case "key revoke":
			return e.certKeyRevoke(args)
		case "trust export":
			return e.certTrustExport(args)
		case "trust import":
			return e.certTrustImport(args)
		}
		if sub == "key" {
			return usageError{fmt.Sprintf("cert key %q: use list, rotate or revoke", next)}
		}
		return usageError{fmt.Sprintf("cert trust %q: use export or import", next)}
	}
	return usageError{fmt.Sprintf("cert %q: use issue, verify, print, revoke, set-url, key or trust", sub)}
}
