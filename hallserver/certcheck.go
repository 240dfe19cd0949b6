package hallserver

import (
	"bytes"
	"context"
	"crypto/sha256"
	_ "embed"
	"encoding/base64"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"strings"
	"time"

	"onestop/hallserver/api"
	"onestop/hallserver/auth"
	"onestop/hallserver/cert"
	"onestop/hallserver/queue"
	"onestop/hallserver/store"
)

// checkCertificate is the online check a phone camera opens from a
// certificate's QR code, GET /C/{code}: a page in Chinese (English with
// ?lang=en or an English browser) saying valid, revoked, expired, unknown
// or invalid with the signed fields, or JSON for machines (?format=json,
// or Accept: application/json).
func (s *Server) checkCertificate(w http.ResponseWriter, r *http.Request, _ auth.Principal) {
	check, unavailable := s.verifyCertificate(r.Context(), r.PathValue("code"))
	if wantsJSON(r) {
		if unavailable {
			// No verdict for now: machines ask again. (People get the
			// page, which says to try again later.)
			w.Header().Set("Retry-After", "30")
			writeError(w, http.StatusServiceUnavailable, codeUnavailable, check.Reason)
			return
		}
		writeJSON(w, http.StatusOK, check)
		return
	}
	page, err := s.checkPage(r, check)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src '"+checkStyleHash+"'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'")
	w.Write(page)
}

// verifyCertificate checks a certificate code against this hall's trust
// list, then, for this hall's own certificates, against its records:
// revoked, unknown (a good signature the hall has no record of), and
// whether the record still digests to what was signed.
//
// unavailable is true when the hall could not read what it needed (its
// trust list, its records): the verdict is then "unknown" for now.
func (s *Server) verifyCertificate(ctx context.Context, code string) (check api.CertificateCheck, unavailable bool) {
	trust, err := s.st.TrustList(ctx)
	if err != nil {
		s.log.Error("certificate check: trust list", "err", err)
		return api.CertificateCheck{Status: api.CheckUnknown, Reason: "the hall cannot read its trust list right now; try again later"}, true
	}
	v, err := cert.Verify(ctx, code, trust, s.now(), nil)
	check = api.CertificateCheck{Status: api.CheckValid, Reason: "genuine and in force"}
	switch {
	case err == nil:
	case errors.Is(err, cert.ErrExpired):
		check.Status, check.Reason = api.CheckExpired, "genuine, but its validity has ended"
	case errors.Is(err, cert.ErrNotYetValid):
		check.Status, check.Reason = api.CheckNotYetValid, "genuine, but it says it was issued in the future: a clock is wrong"
	default:
		return api.CertificateCheck{Status: api.CheckInvalid, Reason: invalidReason(err)}, false
	}
	c := v.Claims
	check.Serial, check.Type, check.Title, check.HolderName = c.Serial.String(), c.Type, c.Title, c.HolderName
	check.HolderIDLast4, check.Issuer, check.IssuedAt, check.Expires = c.HolderIDLast4, c.Issuer, c.IssuedAt, c.Expires
	check.KID = v.Key.KID.String()
	hall, err := s.st.Hall(ctx)
	if err != nil {
		s.log.Error("certificate check: hall", "err", err)
		check.Status, check.Reason = api.CheckUnknown, "the hall cannot read its records right now; try again later"
		return check, true
	}
	if c.Issuer != hall.Code {
		return s.checkOtherHall(ctx, check)
	}
	check.IssuerName = hall.Name
	rec, err := s.st.CertificateBySerial(ctx, c.Serial)
	if errors.Is(err, store.ErrNotFound) {
		return api.CertificateCheck{Status: api.CheckUnknown, Serial: check.Serial, Issuer: check.Issuer, IssuerName: hall.Name,
			Reason: "signed with this hall's key, but the hall has no record of it: report it to the hall"}, false
	}
	if err != nil {
		s.log.Error("certificate check: record", "err", err)
		check.Status, check.Reason = api.CheckUnknown, "the hall cannot read its records right now; try again later"
		return check, true
	}
	check.Identifier = rec.Identifier
	holderID, err := s.cfg.Vault.Open(rec.HolderSealed)
	if err != nil {
		// The vault, not the record: a wrong or missing key file.
		s.log.Error("certificate check: cannot open the holder's sealed ID number (check the pii key)", "serial", check.Serial, "err", err)
		check.Status, check.Reason = api.CheckUnknown, "the hall cannot read its records right now; try again later"
		return check, true
	}
	check.RecordMatches = bytes.Equal(cert.RecordDigest(rec.Record(hall.Code, holderID)), c.Digest)
	if !check.RecordMatches {
		s.log.Error("certificate check: the record differs from the signed certificate", "serial", check.Serial)
		check.Status, check.Reason = api.CheckUnknown, "the hall's record of this certificate differs from what was signed: report it to the hall"
		return check, false
	}
	if rec.Revoked() {
		check.Status, check.Reason = api.CheckRevoked, "genuine, but revoked by the hall: "+rec.RevokeReason
		check.RevokedAt, check.RevokeReason = rec.RevokedAt, rec.RevokeReason
	}
	return check, false
}

// checkOtherHall finishes the check of a genuine certificate another
// hall issued: this hall has no record of it, only the revocations the
// province's signed trust document listed when it was last pulled.
func (s *Server) checkOtherHall(ctx context.Context, check api.CertificateCheck) (api.CertificateCheck, bool) {
	rev, revoked, err := s.st.ProvinceRevocation(ctx, check.Serial)
	if err == nil && !revoked {
		var ps store.ProvinceState
		if ps, err = s.st.ProvinceState(ctx); err == nil {
			if ps.TrustVersion == 0 {
				check.Reason += "; issued by another hall, which alone knows whether it was revoked (this hall has no revocation list from the province yet)"
			} else {
				check.Reason += fmt.Sprintf("; issued by another hall and not on the province's revocation list (version %d)", ps.TrustVersion)
			}
			return check, false
		}
	}
	if err != nil {
		s.log.Error("certificate check: province revocations", "err", err)
		check.Status, check.Reason = api.CheckUnknown, "the hall cannot read its records right now; try again later"
		return check, true
	}
	if rev.Hall != check.Issuer {
		// A serial is random; another hall's revocation of the same one
		// would be a forgery or a mix-up: say so rather than guess.
		s.log.Error("certificate check: the province lists the serial as revoked by another hall", "serial", check.Serial,
			"issuer", check.Issuer, "revoked_by", rev.Hall)
		check.Status, check.Reason = api.CheckUnknown, "the province's revocation list names another hall for this certificate: report it to the hall"
		return check, false
	}
	check.Status, check.Reason = api.CheckRevoked, "genuine, but revoked by the issuing hall (from the province's revocation list): "+rev.Reason
	check.RevokedAt, check.RevokeReason = rev.RevokedAt, rev.Reason
	return check, false
}

// invalidReason says in plain words why a code failed.
func invalidReason(err error) string {
	switch {
	case errors.Is(err, cert.ErrMalformed):
		return "this is not a readable certificate code: it is damaged or was changed"
	case errors.Is(err, cert.ErrUnknownKey):
		return "signed with a key no hall in the trust list has: not a genuine certificate"
	case errors.Is(err, cert.ErrBadSignature):
		return "the signature does not match the contents: the certificate was altered or forged"
	case errors.Is(err, cert.ErrKeyRevoked):
		return "signed with a key that has been revoked: not valid"
	case errors.Is(err, cert.ErrIssuerMismatch):
		return "the signing key belongs to another hall than the one named: not genuine"
	case errors.Is(err, cert.ErrKeyNotValid):
		return "the signing key was not in use when the certificate says it was issued: not genuine"
	}
	return "cannot be verified"
}

func wantsJSON(r *http.Request) bool {
	if f := r.URL.Query().Get("format"); f != "" {
		return f == "json"
	}
	accept := r.Header.Get("Accept")
	return strings.Contains(accept, "application/json") && !strings.Contains(accept, "text/html")
}

//go:embed pages/check.html
var checkHTML string

//go:embed pages/check.css
var checkCSS string

var (
	checkTemplate  = template.Must(template.New("check").Parse(checkHTML))
	checkStyleHash = func() string {
		sum := sha256.Sum256([]byte(checkCSS))
		return "sha256-" + base64.StdEncoding.EncodeToString(sum[:])
	}()
)

// checkText is the page's fixed wording in one language.
type checkText struct {
	Title, Signed, Compare, OtherLang, Footer                                 string
	Valid, Revoked, Expired, NotYet, Unknown, Invalid                         string
	ValidMsg, RevokedMsg, ExpiredMsg, NotYetMsg, UnknownMsg, InvalidMsg       string
	LTitle, LHolder, LHolderID, LType, LSerial, LIdentifier, LIssuer, LIssued string
	LExpires, LNoExpiry, LRevokedAt, LReason                                  string
}

var checkTexts = map[string]checkText{
	"zh": {Title: "证照核验", Signed: "证照签名信息", Compare: "请与纸质证照逐项核对，身份证号只显示后四位。", OtherLang: "English",
		Footer: "本页由发证大厅根据二维码中的电子签名核验生成。",
		Valid:  "证照有效", Revoked: "证照已撤销", Expired: "证照已过期", NotYet: "证照尚未生效", Unknown: "无法确认", Invalid: "核验未通过",
		ValidMsg: "电子签名正确，证照真实有效。", RevokedMsg: "电子签名正确，但该证照已被发证大厅撤销。", ExpiredMsg: "电子签名正确，但证照已超过有效期。",
		NotYetMsg: "电子签名正确，但签发时间晚于当前时间，请检查设备时间。", UnknownMsg: "无法确认该证照的状态，请联系发证大厅。",
		InvalidMsg: "二维码内容与签名不符或无法识别，该证照可能被篡改或伪造。",
		LTitle:     "证照名称", LHolder: "持证人", LHolderID: "身份证号后四位", LType: "证照类型", LSerial: "证照编号", LIdentifier: "证照标识",
		LIssuer: "发证机关", LIssued: "签发时间", LExpires: "有效期至", LNoExpiry: "长期", LRevokedAt: "撤销时间", LReason: "撤销原因"},
	"en": {Title: "Certificate check", Signed: "Signed certificate details", Compare: "Compare every line with the paper; only the last four characters of the ID number are shown.",
		OtherLang: "中文", Footer: "This page was made by the issuing hall from the digital signature in the QR code.",
		Valid: "Valid certificate", Revoked: "Certificate revoked", Expired: "Certificate expired", NotYet: "Not yet valid", Unknown: "Cannot confirm", Invalid: "Check failed",
		ValidMsg: "The digital signature is correct: the certificate is genuine and in force.", RevokedMsg: "The signature is correct, but the issuing hall has revoked this certificate.",
		ExpiredMsg: "The signature is correct, but the certificate's validity has ended.", NotYetMsg: "The signature is correct, but it says it was issued in the future: check the device's clock.",
		UnknownMsg: "The status of this certificate cannot be confirmed: contact the issuing hall.", InvalidMsg: "The code does not match its signature or cannot be read: the certificate may have been altered or forged.",
		LTitle: "Title", LHolder: "Holder", LHolderID: "ID number, last 4", LType: "Type", LSerial: "Serial", LIdentifier: "Identifier",
		LIssuer: "Issued by", LIssued: "Issued", LExpires: "Valid until", LNoExpiry: "No expiry", LRevokedAt: "Revoked", LReason: "Reason"},
}

type checkField struct{ Label, Value string }

// checkPage renders the check as HTML in the reader's language.
func (s *Server) checkPage(r *http.Request, c api.CertificateCheck) ([]byte, error) {
	lang := pageLang(r)
	t := checkTexts[lang]
	other := "en"
	if lang == "en" {
		other = "zh"
	}
	q := r.URL.Query()
	q.Set("lang", other)
	data := struct {
		Lang, OtherLang, OtherLangURL, Class, Mark, Verdict, Explain string
		Style                                                        template.CSS
		T                                                            checkText
		Fields                                                       []checkField
	}{Lang: map[string]string{"zh": "zh-CN", "en": "en"}[lang], OtherLang: other, OtherLangURL: r.URL.Path + "?" + q.Encode(),
		Style: template.CSS(checkCSS), T: t}
	switch c.Status {
	case api.CheckValid:
		data.Class, data.Mark, data.Verdict, data.Explain = "valid", "✓", t.Valid, t.ValidMsg
	case api.CheckRevoked:
		data.Class, data.Mark, data.Verdict, data.Explain = "bad", "✗", t.Revoked, t.RevokedMsg
	case api.CheckExpired:
		data.Class, data.Mark, data.Verdict, data.Explain = "warn", "!", t.Expired, t.ExpiredMsg
	case api.CheckNotYetValid:
		data.Class, data.Mark, data.Verdict, data.Explain = "warn", "!", t.NotYet, t.NotYetMsg
	case api.CheckUnknown:
		data.Class, data.Mark, data.Verdict, data.Explain = "warn", "?", t.Unknown, t.UnknownMsg
	default:
		data.Class, data.Mark, data.Verdict, data.Explain = "bad", "✗", t.Invalid, t.InvalidMsg
	}
	if lang == "en" && (c.Status == api.CheckUnknown || c.Status == api.CheckInvalid) {
		data.Explain += " (" + c.Reason + ")" // the reasons are in English
	}
	add := func(label, value string) {
		if value != "" {
			data.Fields = append(data.Fields, checkField{label, value})
		}
	}
	if c.Title != "" {
		add(t.LTitle, c.Title)
		add(t.LHolder, c.HolderName)
		add(t.LHolderID, c.HolderIDLast4)
		add(t.LSerial, c.Serial)
		add(t.LIdentifier, c.Identifier)
		issuer := c.Issuer
		if c.IssuerName != "" {
			issuer = c.IssuerName + " (" + c.Issuer + ")"
		}
		add(t.LIssuer, issuer)
		add(t.LIssued, formatCheckTime(c.IssuedAt))
		if c.Expires.IsZero() {
			add(t.LExpires, t.LNoExpiry)
		} else {
			add(t.LExpires, c.Expires.Add(-time.Second).In(queue.Location).Format("2006-01-02"))
		}
		if c.Status == api.CheckRevoked {
			add(t.LRevokedAt, formatCheckTime(c.RevokedAt))
			add(t.LReason, c.RevokeReason)
		}
	}
	var out bytes.Buffer
	if err := checkTemplate.Execute(&out, data); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

func formatCheckTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(queue.Location).Format("2006-01-02 15:04")
}

// pageLang is "en" when asked for (?lang=en) or when the browser prefers
// English to Chinese; "zh" otherwise.
func pageLang(r *http.Request) string {
	switch r.URL.Query().Get("lang") {
	case "en":
		return "en"
	case "zh":
		return "zh"
	}
	al := strings.ToLower(r.Header.Get("Accept-Language"))
	en, zh := strings.Index(al, "en"), strings.Index(al, "zh")
	if en >= 0 && (zh < 0 || en < zh) {
		return "en"
	}
	return "zh"
}
