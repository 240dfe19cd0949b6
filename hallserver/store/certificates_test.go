package store_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"onestop/hallserver/application"
	"onestop/hallserver/cert"
	"onestop/hallserver/certkeys"
	"onestop/hallserver/queue"
	"onestop/hallserver/store"
)

const holderID = "52010219900307123X"

// certHall is a hall with a signing key and a certificate address.
func certHall(t *testing.T) (*store.Store, *clock, *certkeys.Keyring) {
	t.Helper()
	s, clk := newHall(t)
	ring := certkeys.Open(t.TempDir())
	addKey(t, s, ring)
	if err := s.SetCertificateURL(ctx, admin, "https://zwfw.example.gov.cn/"); err != nil {
		t.Fatal(err)
	}
	return s, clk, ring
}

func addKey(t *testing.T, s *store.Store, ring *certkeys.Keyring) cert.TrustedKey {
	t.Helper()
	signer, err := ring.Generate()
	if err != nil {
		t.Fatal(err)
	}
	k, err := s.AddSigningKey(ctx, admin, signer.PublicKey(), "test")
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func certReq() store.CertificateRequest {
	return store.CertificateRequest{Type: "BDC-QZ", Title: "不动产权证书", HolderName: "王晓红", HolderID: holderID,
		HolderHash: "hash-wang", HolderSealed: []byte("sealed"), HolderMasked: "5201**********123X",
		Fields: []store.CertificateField{{Name: "坐落", Value: "贵阳市观山湖区长岭北路 1 号"}, {Name: "面积", Value: "89.5 平方米"}}}
}

func issueCert(t *testing.T, s *store.Store, ring *certkeys.Keyring) store.Certificate {
	t.Helper()
	c, err := s.IssueCertificate(ctx, admin, certReq(), ring)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func verify(t *testing.T, s *store.Store, c store.Certificate, now time.Time) (cert.Verified, error) {
	t.Helper()
	trust, err := s.TrustList(ctx)
	if err != nil {
		t.Fatal(err)
	}
	qr, err := s.QRText(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	return cert.Verify(ctx, qr, trust, now, s)
}

func TestIssueCertificate(t *testing.T) {
	s, clk, ring := certHall(t)
	c := issueCert(t, s, ring)
	got, err := s.CertificateBySerial(ctx, c.Serial)
	if err != nil {
		t.Fatal(err)
	}
	if got.Identifier != c.Identifier || got.StatusIndex != 1 || got.Title != "不动产权证书" || len(got.Fields) != 2 ||
		got.Fields[0].Name != "坐落" || got.Fields[1].Name != "面积" || got.HolderMasked != "5201**********123X" || got.Revoked() {
		t.Errorf("stored %+v", got)
	}
	if _, err := cert.ParseIdentifier(c.Identifier); err != nil {
		t.Errorf("identifier %q: %v", c.Identifier, err)
	}
	qr, _ := s.QRText(ctx, c)
	if !strings.HasPrefix(qr, "HTTPS://ZWFW.EXAMPLE.GOV.CN/C/") {
		t.Errorf("QR text %q", qr)
	}
	v, err := verify(t, s, got, clk.Now())
	if err != nil {
		t.Fatalf("verify: %v", err)
	}
	if v.Claims.HolderName != "王晓红" || v.Claims.HolderIDLast4 != "123X" || v.Claims.Issuer != "520000-ZWFW" ||
		!bytes.Equal(v.Claims.Digest, cert.RecordDigest(got.Record("520000-ZWFW", holderID))) {
		t.Errorf("claims %+v", v.Claims)
	}
	// Status indexes count up; the audit keeps no full ID number.
	if c2 := issueCert(t, s, ring); c2.StatusIndex != 2 || c2.Serial == c.Serial {
		t.Errorf("second certificate %+v", c2)
	}
	trail, err := s.AuditTrail(ctx, "certificate", c.Serial.String())
	if err != nil || len(trail) != 1 || trail[0].Action != "cert.issue" || strings.Contains(trail[0].After, holderID) {
		t.Errorf("audit %+v, %v", trail, err)
	}
	verifyOK(t, s)
}

func TestIssueCertificateRefusals(t *testing.T) {
	noKey, _ := newHall(t)
	if err := noKey.SetCertificateURL(ctx, admin, "https://zwfw.example.gov.cn"); err != nil {
		t.Fatal(err)
	}
	noURL, _ := newHall(t)
	ring := certkeys.Open(t.TempDir())
	addKey(t, noURL, ring)
	good, _, goodRing := certHall(t)
	tests := []struct {
		name   string
		s      *store.Store
		mutate func(*store.CertificateRequest)
		err    error
		want   []string
	}{
		{"no signing key", noKey, nil, store.ErrNotConfigured, []string{"no active certificate signing key", "hallctl cert key rotate"}},
		{"no address", noURL, nil, store.ErrNotConfigured, []string{"hallctl cert set-url"}},
		{"no holder name", good, func(r *store.CertificateRequest) { r.HolderName = " " }, store.ErrInvalid, []string{"holder's name"}},
		{"no holder ID", good, func(r *store.CertificateRequest) { r.HolderID = "" }, store.ErrInvalid, []string{"ID number"}},
		{"empty field", good, func(r *store.CertificateRequest) { r.Fields[1].Value = "" }, store.ErrInvalid, []string{`"面积" is empty`}},
		{"field twice", good, func(r *store.CertificateRequest) { r.Fields[1].Name = "坐落" }, store.ErrInvalid, []string{`"坐落" is given twice`}},
		{"bad type code", good, func(r *store.CertificateRequest) { r.Type = "bdc" }, store.ErrInvalid, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := certReq()
			if tt.mutate != nil {
				tt.mutate(&req)
			}
			keys := store.KeySource(goodRing)
			if tt.s == noURL {
				keys = ring
			}
			_, err := tt.s.IssueCertificate(ctx, admin, req, keys)
			wantErr(t, err, tt.err, tt.want...)
		})
	}
	if n := count(t, rawDB(t, good), "SELECT COUNT(*) FROM certificates"); n != 0 {
		t.Errorf("%d certificates stored by refused requests", n)
	}
}

func TestRotateAndRevokeKeys(t *testing.T) {
	s, clk, ring := certHall(t)
	old := issueCert(t, s, ring)
	clk.Advance(time.Hour)
	second := addKey(t, s, ring)
	newer := issueCert(t, s, ring)
	if newer.KID != second.KID || old.KID == newer.KID {
		t.Fatalf("kids: old %s, new %s, active %s", old.KID, newer.KID, second.KID)
	}
	keys, err := s.SigningKeys(ctx)
	if err != nil || len(keys) != 2 || keys[0].Status != cert.KeyRetired || !keys[0].ValidUntil.Equal(keys[1].ValidFrom) ||
		keys[1].Status != cert.KeyActive {
		t.Fatalf("keys after rotation %+v, %v", keys, err)
	}
	before, _ := s.TrustList(ctx)
	for _, c := range []store.Certificate{old, newer} {
		if _, err := verify(t, s, c, clk.Now()); err != nil {
			t.Errorf("after rotation, certificate of key %s: %v", c.KID, err)
		}
	}
	if err := s.RevokeSigningKey(ctx, admin, old.KID, "key file copied off the server"); err != nil {
		t.Fatal(err)
	}
	after, _ := s.TrustList(ctx)
	if after.Version() <= before.Version() {
		t.Errorf("trust list version %d after revocation, was %d", after.Version(), before.Version())
	}
	if _, err := verify(t, s, old, clk.Now()); !errors.Is(err, cert.ErrKeyRevoked) {
		t.Errorf("certificate of the revoked key: %v, want ErrKeyRevoked", err)
	}
	if _, err := verify(t, s, newer, clk.Now()); err != nil {
		t.Errorf("certificate of the active key: %v", err)
	}
	wantErr(t, s.RevokeSigningKey(ctx, admin, old.KID, "again"), store.ErrConflict, "revoked already")
	wantErr(t, s.RevokeSigningKey(ctx, admin, cert.KID{1}, "x"), store.ErrNotFound, "hallctl cert key list")
	wantErr(t, s.RevokeSigningKey(ctx, admin, newer.KID, " "), store.ErrInvalid, "say why")
	// Revoking the active key leaves none: issuing waits for a new key.
	if err := s.RevokeSigningKey(ctx, admin, newer.KID, "test"); err != nil {
		t.Fatal(err)
	}
	_, err = s.IssueCertificate(ctx, admin, certReq(), ring)
	wantErr(t, err, store.ErrNotConfigured, "no active certificate signing key")
	verifyOK(t, s)
}

func TestRevokeCertificateAndPrints(t *testing.T) {
	s, clk, ring := certHall(t)
	c := issueCert(t, s, ring)
	kiosk := store.Actor{Name: "kiosk:K1", Role: "kiosk", Device: "K1"}
	for want := 1; want <= 3; want++ {
		got, err := s.RecordPrint(ctx, kiosk, c.Serial, want)
		if err != nil || got.Prints != want {
			t.Fatalf("print %d: %d prints, %v", want, got.Prints, err)
		}
	}
	// A copy rendered while another print was recorded is refused: its
	// number is taken.
	_, err := s.RecordPrint(ctx, kiosk, c.Serial, 3)
	wantErr(t, err, store.ErrConflict, "printed meanwhile")
	var prints []store.CertificatePrint
	prints, err = s.CertificatePrints(ctx, c.Serial)
	if err != nil || len(prints) != 3 || prints[2].Copy != 3 || prints[0].Device != "K1" || prints[0].Actor != "kiosk:K1" {
		t.Errorf("prints %+v, %v", prints, err)
	}
	clk.Advance(time.Hour)
	revoked, err := s.RevokeCertificate(ctx, admin, c.Serial, "申请人提供虚假材料，依法撤销")
	if err != nil || !revoked.Revoked() || revoked.RevokedBy != admin.Name {
		t.Fatalf("revoke: %+v, %v", revoked, err)
	}
	if _, err := verify(t, s, c, clk.Now()); !errors.Is(err, cert.ErrRevoked) {
		t.Errorf("verify a revoked certificate: %v, want ErrRevoked", err)
	}
	_, err = s.RevokeCertificate(ctx, admin, c.Serial, "again")
	wantErr(t, err, store.ErrConflict, "was revoked on")
	_, err = s.RecordPrint(ctx, kiosk, c.Serial, 4)
	wantErr(t, err, store.ErrConflict, "cannot be printed")
	_, err = s.RevokeCertificate(ctx, admin, c.Serial, "")
	wantErr(t, err, store.ErrInvalid, "say why")
	_, err = s.RecordPrint(ctx, kiosk, cert.NewSerial(), 1)
	wantErr(t, err, store.ErrNotFound)
	trail, _ := s.AuditTrail(ctx, "certificate", c.Serial.String())
	var actions []string
	for _, r := range trail {
		actions = append(actions, r.Action)
	}
	if strings.Join(actions, ",") != "cert.issue,cert.print,cert.print,cert.print,cert.revoke" {
		t.Errorf("audit actions %v", actions)
	}
}

// makeApp accepts an application for a certificate-producing item and
// brings it to 决定.
func makeApp(t *testing.T, s *store.Store, a store.Actor) store.Application {
	t.Helper()
	req := acceptReq("王晓红", "hash-wang")
	req.Item = "ZR-BDC-001"
	app, err := s.AcceptApplication(ctx, a, req)
	if err != nil {
		t.Fatal(err)
	}
	for _, step := range []application.Step{application.Review, application.Decide} {
		if app, err = s.RecordApplicationEvent(ctx, a, app.Number, application.Event{Kind: application.EvAdvance, Step: step}, nil); err != nil {
			t.Fatal(err)
		}
	}
	return app
}

func TestCertificateMadeAtMakeStep(t *testing.T) {
	s, _, ring := certHall(t)
	a := staff(t, s, "wang", "counter", 3)
	app := makeApp(t, s, a)
	opener := func(sealed []byte) (string, error) { return holderID, nil }
	all := map[string]string{"不动产单元号": "520115 001001 GB00001 F00010001", "坐落": "贵阳市观山湖区长岭北路 1 号 1 栋 1 单元 101",
		"权利类型": "国有建设用地使用权/房屋所有权", "用途": "城镇住宅用地/住宅", "面积": "共有宗地面积 5000 ㎡/房屋建筑面积 89.5 ㎡"}
	without := func(name string) map[string]string {
		m := map[string]string{}
		for k, v := range all {
			if k != name {
				m[k] = v
			}
		}
		return m
	}
	with := func(name, v string) map[string]string {
		m := without("")
		m[name] = v
		return m
	}
	make := application.Event{Kind: application.EvAdvance, Step: application.Make}
	refusals := []struct {
		name  string
		maker *store.CertificateMaker
		want  []string
	}{
		{"no fields", nil, []string{"produces a 不动产权证书", "坐落"}},
		{"a field missing", &store.CertificateMaker{Keys: ring, Fields: without("用途"), HolderID: opener}, []string{"needs 用途"}},
		{"a field blank", &store.CertificateMaker{Keys: ring, Fields: with("面积", " "), HolderID: opener}, []string{"needs 面积"}},
		{"an unknown field", &store.CertificateMaker{Keys: ring, Fields: with("楼层", "1"), HolderID: opener}, []string{`no field "楼层"`}},
	}
	for _, tt := range refusals {
		t.Run(tt.name, func(t *testing.T) {
			_, err := s.RecordApplicationEvent(ctx, a, app.Number, make, tt.maker)
			wantErr(t, err, store.ErrInvalid, tt.want...)
			again, _ := s.ApplicationByNumber(ctx, app.Number)
			if again.State.Step != application.Decide {
				t.Errorf("refused 制证 moved the application to %s", again.State.Step)
			}
		})
	}
	// Fields given at another step are refused too.
	_, err := s.RecordApplicationEvent(ctx, a, app.Number, application.Event{Kind: application.EvExtend, Days: 1, Note: "x"},
		&store.CertificateMaker{Keys: ring, Fields: all, HolderID: opener})
	wantErr(t, err, store.ErrInvalid, "only when advancing to 制证")

	got, err := s.RecordApplicationEvent(ctx, a, app.Number, make, &store.CertificateMaker{Keys: ring, Fields: all, HolderID: opener})
	if err != nil || got.State.Step != application.Make {
		t.Fatalf("制证: %+v, %v", got.State, err)
	}
	certs, err := s.CertificatesOfApplication(ctx, app.Number)
	if err != nil || len(certs) != 1 {
		t.Fatalf("certificates of %s: %+v, %v", app.Number, certs, err)
	}
	c := certs[0]
	if c.Type != "BDC-QZ" || c.HolderName != "王晓红" || c.ApplicationNumber != app.Number || len(c.Fields) != 5 ||
		c.Fields[0].Name != "不动产单元号" || c.Fields[4].Name != "面积" || !c.Expires.IsZero() || c.IssuedBy != "wang" {
		t.Errorf("certificate %+v", c)
	}
	if _, err := verify(t, s, c, c.IssuedAt); err != nil {
		t.Errorf("verify: %v", err)
	}
	byHolder, err := s.CertificatesByHolder(ctx, "hash-wang")
	if err != nil || len(byHolder) != 1 || byHolder[0].Serial != c.Serial {
		t.Errorf("by holder: %+v, %v", byHolder, err)
	}
	// An item without a certificate advances without one, and refuses fields.
	plain, err := s.AcceptApplication(ctx, a, acceptReq("李四", "hash-li"))
	if err != nil {
		t.Fatal(err)
	}
	for _, step := range []application.Step{application.Review, application.Decide, application.Make} {
		if _, err := s.RecordApplicationEvent(ctx, a, plain.Number, application.Event{Kind: application.EvAdvance, Step: step}, nil); err != nil {
			t.Fatalf("%s: %v", step, err)
		}
	}
}

func TestExpiryAfterYears(t *testing.T) {
	at := func(y int, m time.Month, d, h int) time.Time { return time.Date(y, m, d, h, 0, 0, 0, queue.Location) }
	tests := []struct {
		issued time.Time
		years  int
		want   time.Time
	}{
		{at(2026, 11, 26, 15), 0, time.Time{}},
		{at(2026, 11, 26, 15), 5, at(2031, 11, 26, 0)},
		{at(2028, 2, 29, 9), 1, at(2029, 3, 1, 0)}, // no 29 February: the day after
		{at(2026, 12, 31, 23), 3, at(2029, 12, 31, 0)},
		{time.Date(2026, 11, 26, 17, 0, 0, 0, time.UTC), 1, at(2027, 11, 27, 0)}, // already the 27th in the hall
	}
	for _, tt := range tests {
		if got := store.ExpiryAfterYears(tt.issued, tt.years); !got.Equal(tt.want) {
			t.Errorf("ExpiryAfterYears(%v, %d) = %v, want %v", tt.issued, tt.years, got, tt.want)
		}
	}
}

func TestImportTrustList(t *testing.T) {
	s, clk, ring := certHall(t)
	own, _ := s.SigningKeys(ctx)
	other, err := cert.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	otherKey := other.TrustedKey("520100-ZWFW", clk.Now().Add(-time.Hour))
	list := func(version int64, keys ...cert.TrustedKey) *cert.TrustList {
		l, err := cert.NewTrustList(version, keys)
		if err != nil {
			t.Fatal(err)
		}
		return l
	}
	res, err := s.ImportTrustList(ctx, admin, list(5, otherKey, own[0]))
	if err != nil || res.OtherHalls != 1 || res.IgnoredOwn != 1 || len(res.RevokedOwn) != 0 {
		t.Fatalf("import: %+v, %v", res, err)
	}
	// A certificate of the other hall now verifies here.
	rec := cert.Record{Type: "YYZZ", Title: "营业执照", Issuer: "520100-ZWFW", Serial: cert.NewSerial(), Version: 1,
		IssuedAt: clk.Now(), HolderName: "贵阳某某科技有限公司", HolderID: "91520100MA6H000001"}
	msg, err := cert.Issue(other, rec.Claims())
	if err != nil {
		t.Fatal(err)
	}
	trust, _ := s.TrustList(ctx)
	if _, err := cert.Verify(ctx, cert.EncodeURL("https://x", msg), trust, clk.Now(), nil); err != nil {
		t.Errorf("other hall's certificate after import: %v", err)
	}
	refusals := []struct {
		name string
		list *cert.TrustList
		err  error
		want string
	}{
		{"same version", list(5, otherKey), store.ErrConflict, "not newer"},
		{"older version", list(4, otherKey), store.ErrConflict, "not newer"},
		{"a key this hall does not have", list(6, otherKey, func() cert.TrustedKey {
			k, _ := cert.GenerateKey()
			return k.TrustedKey("520000-ZWFW", clk.Now())
		}()), store.ErrInvalid, "keys it does not have"},
		{"this hall's key under another hall's code", list(6, otherKey, func() cert.TrustedKey {
			k := own[0]
			k.Hall = "520300-ZWFW"
			return k
		}()), store.ErrInvalid, "would not hold together"},
	}
	for _, tt := range refusals {
		_, err := s.ImportTrustList(ctx, admin, tt.list)
		wantErr(t, err, tt.err, tt.want)
	}
	// The province revokes this hall's key: the hall stops trusting it.
	c := issueCert(t, s, ring)
	revokedOwn := own[0]
	revokedOwn.Status, revokedOwn.Note = cert.KeyRevoked, "reported leaked"
	res, err = s.ImportTrustList(ctx, admin, list(7, otherKey, revokedOwn))
	if err != nil || len(res.RevokedOwn) != 1 {
		t.Fatalf("import with revocation: %+v, %v", res, err)
	}
	if _, err := verify(t, s, c, clk.Now()); !errors.Is(err, cert.ErrKeyRevoked) {
		t.Errorf("after the province revoked the key: %v", err)
	}
	exported, err := s.ExportTrustList(ctx)
	if err != nil {
		t.Fatal(err)
	}
	back, err := cert.ParseTrustList(exported)
	if err != nil || len(back.Keys()) != 2 {
		t.Errorf("exported list: %v, %v", back, err)
	}
	verifyOK(t, s)
}

// TestRotateWithinOneSecond: keys made in the same second (a script that
// runs init then rotate) still give a valid trust list, and a certificate
// issued in that second verifies.
func TestRotateWithinOneSecond(t *testing.T) {
	s, clk, ring := certHall(t) // key 1 at t0
	before := issueCert(t, s, ring)
	addKey(t, s, ring) // key 2, same instant
	addKey(t, s, ring) // key 3, same instant
	trust, err := s.TrustList(ctx)
	if err != nil {
		t.Fatalf("trust list after three keys in one second: %v", err)
	}
	if n := len(trust.Keys()); n != 3 {
		t.Errorf("%d keys in the trust list, want 3", n)
	}
	after := issueCert(t, s, ring)
	for _, c := range []store.Certificate{before, after} {
		if _, err := verify(t, s, c, clk.Now().Add(5*time.Second)); err != nil {
			t.Errorf("certificate of key %s issued at %v: %v", c.KID, c.IssuedAt, err)
		}
	}
	// A revoked key's certificates are not printed any more.
	if err := s.RevokeSigningKey(ctx, admin, before.KID, "test"); err != nil {
		t.Fatal(err)
	}
	got, err := s.CertificateBySerial(ctx, before.Serial)
	if err != nil || !got.KeyRevoked {
		t.Fatalf("certificate of a revoked key: KeyRevoked %v, %v", got.KeyRevoked, err)
	}
	_, err = s.RecordPrint(ctx, admin, before.Serial, 1)
	wantErr(t, err, store.ErrConflict, "key that has been revoked", "reissue")
}

// TestWithdrawnAfterMakeRevokes: a certificate made at 制证 is revoked when
// the application then ends rejected or withdrawn.
func TestWithdrawnAfterMakeRevokes(t *testing.T) {
	s, _, ring := certHall(t)
	a := staff(t, s, "wang", "counter", 3)
	app := makeApp(t, s, a)
	fields := map[string]string{"不动产单元号": "1", "坐落": "贵阳", "权利类型": "房屋所有权", "用途": "住宅", "面积": "80"}
	opener := func([]byte) (string, error) { return holderID, nil }
	if _, err := s.RecordApplicationEvent(ctx, a, app.Number, application.Event{Kind: application.EvAdvance, Step: application.Make},
		&store.CertificateMaker{Keys: ring, Fields: fields, HolderID: opener}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.RecordApplicationEvent(ctx, a, app.Number, application.Event{Kind: application.EvComplete,
		Outcome: application.Withdrawn, Note: "申请人撤回"}, nil); err != nil {
		t.Fatal(err)
	}
	certs, err := s.CertificatesOfApplication(ctx, app.Number)
	if err != nil || len(certs) != 1 || !certs[0].Revoked() || certs[0].RevokeReason != "申请已撤回" {
		t.Fatalf("certificates after withdrawal: %+v, %v", certs, err)
	}
	if _, err := verify(t, s, certs[0], certs[0].IssuedAt); !errors.Is(err, cert.ErrRevoked) {
		t.Errorf("verify after withdrawal: %v, want ErrRevoked", err)
	}
}
