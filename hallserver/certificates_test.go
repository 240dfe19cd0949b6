package hallserver

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/base32"
	"encoding/base64"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"onestop/hallserver/api"
	"onestop/hallserver/auth"
	"onestop/hallserver/cert"
	"onestop/hallserver/pii"
	"onestop/hallserver/store"
)

const certHolderID = "520102199007140243"

// issueCertificate issues a certificate to 张三 directly through the store.
func (h *testHall) issueCertificate(t *testing.T, mutate ...func(*store.CertificateRequest)) store.Certificate {
	t.Helper()
	vault := h.srv.cfg.Vault
	sealed, err := vault.Seal(certHolderID)
	if err != nil {
		t.Fatal(err)
	}
	req := store.CertificateRequest{Type: "YYZZ", Title: "营业执照", HolderName: "张三", HolderID: certHolderID,
		HolderHash: vault.LookupHash(certHolderID), HolderSealed: sealed, HolderMasked: pii.Mask(certHolderID),
		Fields: []store.CertificateField{{Name: "名称", Value: "贵阳某某科技有限公司"}, {Name: "住所", Value: "贵阳市观山湖区"}}}
	for _, m := range mutate {
		m(&req)
	}
	c, err := h.st.IssueCertificate(context.Background(), store.System, req, h.keys)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func base32Of(t *testing.T, c store.Certificate) string {
	return base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(c.COSE)
}

// check fetches the online check of a code as JSON.
func (h *testHall) check(t *testing.T, code string) api.CertificateCheck {
	t.Helper()
	var out api.CertificateCheck
	h.call(t, anonymous, "GET", "/C/"+code+"?format=json", "", http.StatusOK, &out)
	return out
}

// page fetches the online check's page with the Accept-Language given.
func (h *testHall) page(t *testing.T, path, lang string) string {
	t.Helper()
	req, err := http.NewRequest("GET", h.ts.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept", "text/html")
	if lang != "" {
		req.Header.Set("Accept-Language", lang)
	}
	res := h.roundTrip(t, req)
	body := string(bodyOf(res))
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("GET %s: %d %s", path, res.StatusCode, res.Header.Get("Content-Type"))
	}
	// The CSP allows exactly the page's own style block, by its hash.
	style := body[strings.Index(body, "<style>")+len("<style>") : strings.Index(body, "</style>")]
	sum := sha256.Sum256([]byte(style))
	want := "style-src 'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
	if csp := res.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") || !strings.Contains(csp, want) {
		t.Errorf("page CSP %q, want %s", csp, want)
	}
	return body
}

// TestCertificateAtMakeStep takes an application for a certificate-producing
// item through 制证 over HTTP, then checks, prints, revokes its certificate.
func TestCertificateAtMakeStep(t *testing.T) {
	h := newTestHall(t, true)
	counter, super, kiosk := h.as(auth.Counter), h.as(auth.Supervisor), h.as(auth.Kiosk)
	var app api.Application
	h.call(t, counter, "POST", "/api/v1/applications", jsonBody(api.AcceptApplicationRequest{Item: "ZR-BDC-005",
		ApplicantName: "张三", ApplicantID: certHolderID}), http.StatusCreated, &app)
	for _, step := range []string{"review", "decide"} {
		h.call(t, counter, "POST", "/api/v1/applications/"+app.Number+"/events", `{"kind":"advance","step":"`+step+`"}`, http.StatusOK, nil)
	}
	events := "/api/v1/applications/" + app.Number + "/events"
	res := h.do(t, counter, "POST", events, `{"kind":"advance","step":"make"}`)
	wantError(t, res, http.StatusBadRequest, codeInvalid)
	fields := map[string]string{"证明权利或事项": "预告登记（预购商品房）", "坐落": "贵阳市观山湖区长岭北路 8 号 2 栋 1 单元 1801", "不动产单元号": "520115 002003 GB00012 F00021801"}
	h.call(t, counter, "POST", events, jsonBody(api.ApplicationEventRequest{Kind: "advance", Step: "make", CertificateFields: fields}), http.StatusOK, &app)
	if app.Step != "make" || len(app.Certificates) != 1 {
		t.Fatalf("after 制证: step %s, certificates %+v", app.Step, app.Certificates)
	}
	c := app.Certificates[0]
	if c.Type != "BDC-ZM" || c.Title != "不动产登记证明" || c.HolderName != "张三" || c.HolderMasked != pii.Mask(certHolderID) ||
		c.Application != app.Number || len(c.Fields) != 3 || c.Fields[0].Name != "证明权利或事项" || c.Revoked {
		t.Errorf("certificate %+v", c)
	}
	if !strings.HasPrefix(c.QRText, strings.ToUpper(h.ts.URL)+"/C/") {
		t.Fatalf("QR text %q, want the hall's address", c.QRText)
	}
	code := c.QRText[strings.LastIndex(c.QRText, "/")+1:]

	// The online check, by the QR's own URL (as a phone camera opens it).
	res, err := h.ts.Client().Get(c.QRText + "?format=json")
	if err != nil {
		t.Fatal(err)
	}
	if b := bodyOf(res); res.StatusCode != http.StatusOK || !bytes.Contains(b, []byte(`"status":"valid"`)) {
		t.Fatalf("GET the QR URL: %d %s", res.StatusCode, b)
	}
	got := h.check(t, code)
	if got.Status != api.CheckValid || got.HolderName != "张三" || got.HolderIDLast4 != "0243" || got.Serial != c.Serial ||
		got.Identifier != c.Identifier || got.IssuerName != "测试政务服务中心" || !got.RecordMatches {
		t.Errorf("check %+v", got)
	}
	zh := h.page(t, "/C/"+code, "")
	for _, want := range []string{"证照有效", "张三", "0243", "不动产登记证明", c.Serial, "lang=en"} {
		if !strings.Contains(zh, want) {
			t.Errorf("Chinese page lacks %q", want)
		}
	}
	if strings.Contains(zh, certHolderID) || strings.Contains(zh, "坐落") {
		t.Error("the page shows more than the signed fields")
	}
	for _, lang := range []string{"en-GB,en;q=0.9", ""} {
		path := "/C/" + code
		if lang == "" {
			path += "?lang=en"
		}
		if en := h.page(t, path, lang); !strings.Contains(en, "Valid certificate") || !strings.Contains(en, `lang="en"`) {
			t.Errorf("English page (%q) is not in English", lang)
		}
	}

	// The kiosk finds it by ID card and prints it; every print counts.
	var mine []api.Certificate
	h.call(t, kiosk, "POST", "/api/v1/certificates/lookup", `{"holder_id":"`+certHolderID+`"}`, http.StatusOK, &mine)
	if len(mine) != 1 || mine[0].Serial != c.Serial {
		t.Fatalf("lookup: %+v", mine)
	}
	h.call(t, kiosk, "POST", "/api/v1/certificates/lookup", `{"holder_id":"110101199003074514"}`, http.StatusOK, &mine)
	if len(mine) != 0 {
		t.Errorf("someone else's lookup found %+v", mine)
	}
	// A kiosk prints only for the holder: someone else's card is refused.
	wantError(t, h.do(t, kiosk, "POST", "/api/v1/certificates/"+c.Serial+"/print", ""), http.StatusForbidden, codeForbidden)
	wantError(t, h.do(t, kiosk, "POST", "/api/v1/certificates/"+c.Serial+"/print", `{"holder_id":"110101199003074514"}`),
		http.StatusForbidden, codeForbidden)
	// A kiosk reading the application by number does not see it.
	var kioskView api.Application
	h.call(t, kiosk, "GET", "/api/v1/applications/"+app.Number, "", http.StatusOK, &kioskView)
	if len(kioskView.Certificates) != 0 {
		t.Errorf("a kiosk sees the certificates of an application by number: %+v", kioskView.Certificates)
	}
	for copyNo := 1; copyNo <= 2; copyNo++ {
		res := h.do(t, kiosk, "POST", "/api/v1/certificates/"+c.Serial+"/print", `{"holder_id":"`+certHolderID+`"}`)
		pdf := bodyOf(res)
		if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "application/pdf" || !bytes.HasPrefix(pdf, []byte("%PDF-")) ||
			res.Header.Get("X-Print-Copy") != string(rune('0'+copyNo)) {
			t.Fatalf("print %d: %d %s copy %s", copyNo, res.StatusCode, res.Header.Get("Content-Type"), res.Header.Get("X-Print-Copy"))
		}
	}
	var one api.Certificate
	h.call(t, counter, "GET", "/api/v1/certificates/"+c.Serial, "", http.StatusOK, &one)
	if one.Prints != 2 {
		t.Errorf("prints %d, want 2", one.Prints)
	}

	// Revoked: the check says so with the reason, and printing stops.
	h.call(t, super, "POST", "/api/v1/certificates/"+c.Serial+"/revoke", `{"reason":"预告登记已注销"}`, http.StatusOK, &one)
	if !one.Revoked || one.RevokeReason != "预告登记已注销" {
		t.Errorf("revoked %+v", one)
	}
	if got := h.check(t, code); got.Status != api.CheckRevoked || got.RevokeReason != "预告登记已注销" {
		t.Errorf("check after revocation %+v", got)
	}
	if page := h.page(t, "/C/"+code, ""); !strings.Contains(page, "证照已撤销") || !strings.Contains(page, "预告登记已注销") {
		t.Error("the page does not say revoked, with the reason")
	}
	wantError(t, h.do(t, kiosk, "POST", "/api/v1/certificates/"+c.Serial+"/print", `{"holder_id":"`+certHolderID+`"}`), http.StatusConflict, codeConflict)
	wantError(t, h.do(t, super, "POST", "/api/v1/certificates/"+c.Serial+"/revoke", `{"reason":"again"}`), http.StatusConflict, codeConflict)
	wantError(t, h.do(t, super, "POST", "/api/v1/certificates/"+c.Serial+"/revoke", `{"reason":""}`), http.StatusBadRequest, codeInvalid)
	wantError(t, h.do(t, counter, "GET", "/api/v1/certificates/NOT-A-SERIAL", ""), http.StatusBadRequest, codeInvalid)
	wantError(t, h.do(t, counter, "GET", "/api/v1/certificates/"+cert.NewSerial().String(), ""), http.StatusNotFound, codeNotFound)
}

// TestCertificateCheckVerdicts covers every verdict of the online check.
func TestCertificateCheckVerdicts(t *testing.T) {
	h := newTestHall(t, false)
	good := h.issueCertificate(t)
	expiring := h.issueCertificate(t, func(r *store.CertificateRequest) { r.Expires = testStart.Add(48 * time.Hour) })
	// A certificate signed with the hall's key that the hall has no record of.
	kid, err := h.st.ActiveSigningKey(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	signer, err := h.keys.Signer(kid)
	if err != nil {
		t.Fatal(err)
	}
	rec := cert.Record{Type: "YYZZ", Title: "营业执照", Issuer: "520000-TEST", Serial: cert.NewSerial(), Version: 1,
		IssuedAt: testStart, HolderName: "李四", HolderID: "110101199003074514"}
	ghost, err := cert.Issue(signer, rec.Claims())
	if err != nil {
		t.Fatal(err)
	}
	// A certificate of a key no one trusts.
	stranger, _ := cert.GenerateKey()
	forged, _ := cert.Issue(stranger, rec.Claims())
	b32 := base32.StdEncoding.WithPadding(base32.NoPadding)
	tamper := func(s string) string {
		b := []byte(s)
		i := len(b) / 2
		if b[i] == 'A' {
			b[i] = 'B'
		} else {
			b[i] = 'A'
		}
		return string(b)
	}
	tests := []struct {
		name  string
		code  string
		later time.Duration
		want  string
	}{
		{"genuine", base32Of(t, good), 0, api.CheckValid},
		{"lower case, as some scanners send it", strings.ToLower(base32Of(t, good)), 0, api.CheckValid},
		{"one character changed", tamper(base32Of(t, good)), 0, api.CheckInvalid},
		{"not base32", "NOT-A-CODE!", 0, api.CheckInvalid},
		{"untrusted key", b32.EncodeToString(forged), 0, api.CheckInvalid},
		{"no record of it", b32.EncodeToString(ghost), 0, api.CheckUnknown},
		{"before expiry", base32Of(t, expiring), 24 * time.Hour, api.CheckValid},
		{"after expiry", base32Of(t, expiring), 72 * time.Hour, api.CheckExpired},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h.clock.set(testStart.Add(tt.later))
			got := h.check(t, tt.code)
			if got.Status != tt.want || got.Reason == "" {
				t.Errorf("check: %+v, want status %s", got, tt.want)
			}
			if tt.want == api.CheckInvalid && (got.HolderName != "" || got.Serial != "") {
				t.Errorf("an invalid code shows signed fields: %+v", got)
			}
		})
	}
	// A record changed behind the hall's back no longer matches the paper.
	db, err := sql.Open("sqlite", "file:"+h.st.Path()+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec("UPDATE certificates SET holder_name = '王五' WHERE serial = ?", good.Serial.String()); err != nil {
		t.Fatal(err)
	}
	h.clock.set(testStart)
	if got := h.check(t, base32Of(t, good)); got.Status != api.CheckUnknown || got.RecordMatches {
		t.Errorf("check of a changed record: %+v", got)
	}
}

func TestTrustListServed(t *testing.T) {
	h := newTestHall(t, false)
	res := h.do(t, anonymous, "GET", "/api/v1/trust-list", "")
	body, _ := io.ReadAll(res.Body)
	list, err := cert.ParseTrustList(body)
	if err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("trust list: %d %v", res.StatusCode, err)
	}
	kid, _ := h.st.ActiveSigningKey(context.Background())
	keys := list.Keys()
	if len(keys) != 1 || keys[0].KID != kid || keys[0].Hall != "520000-TEST" || keys[0].Status != cert.KeyActive {
		t.Errorf("keys %+v", keys)
	}
}

func (c *testClock) set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}
