package main

import (
	"context"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"

	"onestop/hallserver/exchange"
	"onestop/hallserver/store"
)

// certHall is a hall that can issue certificates.
func certHall(t *testing.T) string {
	t.Helper()
	dir := newHall(t)
	if _, err := hallctl(t, "", "cert", "set-url", "--data", dir, "https://zwfw.example.gov.cn"); err != nil {
		t.Fatal(err)
	}
	return dir
}

var issueArgs = []string{"--type", "YYZZ", "--holder-name", "贵阳某某科技有限公司", "--holder-id", "91520100MA6H000001",
	"--field", "统一社会信用代码=91520100MA6H000001", "--field", "名称=贵阳某某科技有限公司", "--field", "类型=有限责任公司",
	"--field", "法定代表人=王晓红", "--field", "注册资本=100 万元", "--field", "住所=贵阳市观山湖区", "--field", "经营范围=软件开发"}

// issue runs hallctl cert issue and returns the QR text it printed and
// the PDF's path.
func issue(t *testing.T, dir string, extra ...string) (qr, pdf string) {
	t.Helper()
	pdf = filepath.Join(t.TempDir(), "cert.pdf")
	out, err := hallctl(t, "", append(append([]string{"cert", "issue", "--data", dir, "--out", pdf}, issueArgs...), extra...)...)
	if err != nil {
		t.Fatalf("cert issue: %v\n%s", err, out)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	return lines[len(lines)-1], pdf
}

// scan rasterises the PDF's page and decodes its QR code, as a phone
// would from the paper. 300 dpi, as a phone photo of an A4 page resolves
// it: a typical certificate code is version 14 at level Q, 0.4 mm a
// module, which gozxing misreads at 150 dpi (2.4 pixels a module).
func scan(t *testing.T, pdf string) string {
	t.Helper()
	if _, err := exec.LookPath("pdftoppm"); err != nil {
		t.Fatalf("pdftoppm is needed to read the printed page back (Debian: apt-get install poppler-utils; scripts/test installs it): %v", err)
	}
	prefix := filepath.Join(t.TempDir(), "page")
	if out, err := exec.Command("pdftoppm", "-r", "300", "-png", "-singlefile", pdf, prefix).CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v\n%s", err, out)
	}
	f, err := os.Open(prefix + ".png")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		t.Fatal(err)
	}
	res, err := qrcode.NewQRCodeReader().Decode(bmp, map[gozxing.DecodeHintType]any{gozxing.DecodeHintType_TRY_HARDER: true})
	if err != nil {
		t.Fatalf("no QR code read from the printed page: %v", err)
	}
	return res.GetText()
}

// TestCertificateFromPaper issues a certificate, reads its QR code back
// from the rendered page, and verifies what was read; then every way it
// must fail.
func TestCertificateFromPaper(t *testing.T) {
	dir := certHall(t)
	qr, pdf := issue(t, dir)
	scanned := scan(t, pdf)
	if scanned != qr {
		t.Fatalf("the paper's QR code reads\n%s\nbut hallctl printed\n%s", scanned, qr)
	}
	if !strings.HasPrefix(scanned, "HTTPS://ZWFW.EXAMPLE.GOV.CN/C/") {
		t.Errorf("QR text %q", scanned)
	}
	trust := filepath.Join(t.TempDir(), "trust.json")
	if _, err := hallctl(t, "", "cert", "trust", "export", "--data", dir, "--out", trust); err != nil {
		t.Fatal(err)
	}
	for _, source := range [][]string{{"--data", dir}, {"--trust", trust}} {
		out, err := hallctl(t, "", append(append([]string{"cert", "verify"}, source...), scanned)...)
		if err != nil {
			t.Fatalf("verify %v: %v", source, err)
		}
		for _, want := range []string{"营业执照 (YYZZ)", "贵阳某某科技有限公司", "ending 0001", "520100-TEST", "VALID"} {
			if !strings.Contains(out, want) {
				t.Errorf("verify %v: output lacks %q:\n%s", source, want, out)
			}
		}
	}
	// From standard input, as a scanner pipes it.
	if _, err := hallctl(t, scanned+"\n", "cert", "verify", "--trust", trust, "-"); err != nil {
		t.Errorf("verify from stdin: %v", err)
	}

	// One changed character anywhere in the code fails.
	code := scanned[strings.LastIndex(scanned, "/")+1:]
	base := scanned[:len(scanned)-len(code)]
	for _, i := range []int{0, len(code) / 3, len(code) / 2, len(code) - 2} {
		b := []byte(code)
		if b[i] == 'A' {
			b[i] = 'B'
		} else {
			b[i] = 'A'
		}
		_, err := hallctl(t, "", "cert", "verify", "--trust", trust, base+string(b))
		if err == nil || !strings.Contains(err.Error(), "NOT VALID") ||
			!strings.Contains(err.Error(), "altered or forged") && !strings.Contains(err.Error(), "not a readable certificate code") {
			t.Errorf("character %d changed: %v, want NOT VALID: altered/forged or unreadable", i, err)
		}
	}

	// Another hall's trust list does not know the key.
	other := certHall(t)
	otherTrust := filepath.Join(t.TempDir(), "other.json")
	if _, err := hallctl(t, "", "cert", "trust", "export", "--data", other, "--out", otherTrust); err != nil {
		t.Fatal(err)
	}
	_, err := hallctl(t, "", "cert", "verify", "--trust", otherTrust, scanned)
	wantCertErr(t, err, "signed by a key that is not in the trust list")

	// Expired: a certificate valid through 2027-06-30, checked after.
	expQR, _ := issue(t, dir, "--expires", "2027-06-30")
	if _, err := hallctl(t, "", "cert", "verify", "--trust", trust, "--at", "2027-06-30T23:59:00+08:00", expQR); err != nil {
		t.Errorf("on its last day: %v", err)
	}
	_, err = hallctl(t, "", "cert", "verify", "--trust", trust, "--at", "2027-07-01T00:00:00+08:00", expQR)
	wantCertErr(t, err, "the certificate has expired")

	// Revoked: the hall's records say so; a trust list alone cannot.
	serial := regexp.MustCompile(`serial: +(\S+)`)
	out, err := hallctl(t, "", "cert", "verify", "--data", dir, scanned)
	if err != nil {
		t.Fatal(err)
	}
	s := serial.FindStringSubmatch(out)[1]
	if _, err := hallctl(t, "", "cert", "revoke", "--data", dir, "--serial", s, "--reason", "营业执照已注销"); err != nil {
		t.Fatal(err)
	}
	_, err = hallctl(t, "", "cert", "verify", "--data", dir, scanned)
	wantCertErr(t, err, "the hall has revoked this certificate")

	// A revoked key: everything it signed fails, with either source.
	keys, err := hallctl(t, "", "cert", "key", "list", "--data", dir)
	if err != nil {
		t.Fatal(err)
	}
	kid := strings.Fields(strings.Split(keys, "\n")[1])[0]
	if _, err := hallctl(t, "", "cert", "key", "rotate", "--data", dir, "--note", "yearly"); err != nil {
		t.Fatal(err)
	}
	fresh, _ := issue(t, dir)
	if _, err := hallctl(t, "", "cert", "key", "revoke", "--data", dir, "--kid", kid, "--reason", "copied off the server"); err != nil {
		t.Fatal(err)
	}
	_, err = hallctl(t, "", "cert", "verify", "--data", dir, expQR)
	wantCertErr(t, err, "the signing key has been revoked")
	if _, err := hallctl(t, "", "cert", "verify", "--data", dir, fresh); err != nil {
		t.Errorf("a certificate of the new key: %v", err)
	}
	// Reprints are recorded.
	reprint := filepath.Join(t.TempDir(), "again.pdf")
	fs := serial.FindStringSubmatch(mustVerify(t, dir, fresh))[1]
	if out, err := hallctl(t, "", "cert", "print", "--data", dir, "--serial", fs, "--out", reprint); err != nil || !strings.Contains(out, "copy 2") {
		t.Errorf("reprint: %q, %v", out, err)
	}
}

func mustVerify(t *testing.T, dir, qr string) string {
	t.Helper()
	out, err := hallctl(t, "", "cert", "verify", "--data", dir, qr)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func wantCertErr(t *testing.T, err error, word string) {
	t.Helper()
	if err == nil || !strings.Contains(err.Error(), "NOT VALID") || !strings.Contains(err.Error(), word) {
		t.Errorf("verify: %v, want NOT VALID … %s", err, word)
	}
}

func TestCertCommandRefusals(t *testing.T) {
	dir := newHall(t)
	pdf := filepath.Join(t.TempDir(), "x.pdf")
	tests := []struct {
		args []string
		want string
	}{
		{append([]string{"cert", "issue", "--data", dir, "--out", pdf}, issueArgs...), "hallctl cert set-url"},
		{[]string{"cert", "issue", "--data", dir, "--type", "ZZZ", "--holder-name", "a", "--holder-id", "520102199007140243", "--out", pdf}, "--title"},
		{[]string{"cert", "issue", "--data", dir, "--type", "YYZZ", "--out", pdf}, "needs --type, --holder-name"},
		{[]string{"cert", "issue", "--data", dir, "--field", "novalue"}, "NAME=VALUE"},
		{[]string{"cert", "verify", "--data", dir}, "needs the QR text"},
		{[]string{"cert", "verify", "--data", dir, "--trust", "x", "CODE"}, "one of --data DIR or --trust FILE"},
		{[]string{"cert", "verify", "--data", dir, "HTTPS://X/C/NOTACODE!"}, "NOT VALID"},
		{[]string{"cert", "set-url", "--data", dir, "zwfw.example.gov.cn"}, "give the scheme and host"},
		{[]string{"cert", "revoke", "--data", dir, "--serial", "AAAAAAAAAAAAAAAAAAAA", "--reason", "x"}, "no certificate"},
		{[]string{"cert", "key", "revoke", "--data", dir, "--kid", "0011223344556677", "--reason", "x"}, "no signing key"},
		{[]string{"cert", "key", "burn"}, `cert key "burn"`},
		{[]string{"cert", "frobnicate"}, `cert "frobnicate"`},
	}
	for _, tt := range tests {
		_, err := hallctl(t, "", tt.args...)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%v: %v, want an error with %q", tt.args, err, tt.want)
		}
	}
	if _, err := os.Stat(pdf); !os.IsNotExist(err) {
		t.Errorf("a refused issue wrote %s", pdf)
	}
}

// TestVerifyOtherHallsCertificate: with the other hall's keys imported, a
// hall verifies that hall's certificates offline, without asking its own
// records about them.
func TestVerifyOtherHallsCertificate(t *testing.T) {
	here := certHall(t)
	there := t.TempDir()
	if _, err := hallctl(t, "", "init", "--data", there, "--hall-code", "520300-ZWFW", "--name", "遵义市政务服务中心",
		"--public-url", "https://zwfw.zunyi.example.gov.cn"); err != nil {
		t.Fatal(err)
	}
	qr, _ := issue(t, there)
	list := filepath.Join(t.TempDir(), "zunyi.json")
	if _, err := hallctl(t, "", "cert", "trust", "export", "--data", there, "--out", list); err != nil {
		t.Fatal(err)
	}
	if _, err := hallctl(t, "", "cert", "verify", "--data", here, qr); err == nil {
		t.Fatal("verified another hall's certificate before trusting its keys")
	}
	if out, err := hallctl(t, "", "cert", "trust", "import", "--data", here, list); err != nil || !strings.Contains(out, "1 keys of other halls") {
		t.Fatalf("import: %q, %v", out, err)
	}
	out, err := hallctl(t, "", "cert", "verify", "--data", here, qr)
	if err != nil || !strings.Contains(out, "520300-ZWFW") || !strings.Contains(out, "VALID") {
		t.Fatalf("verify the other hall's certificate: %q, %v", out, err)
	}
	// The province's trust document lists it as revoked by its hall: the
	// offline check says so.
	serial := regexp.MustCompile(`serial: +(\S+)`).FindStringSubmatch(out)
	if serial == nil {
		t.Fatalf("no serial in %q", out)
	}
	raw, err := os.ReadFile(list)
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(context.Background(), here, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = st.ApplyProvinceTrust(context.Background(), exchange.TrustDocument{Format: exchange.TrustDocumentFormat, Version: 9,
		TrustList: raw, Revocations: []exchange.Revocation{{Hall: "520300-ZWFW", Serial: serial[1], RevokedAt: time.Now(), Reason: "营业执照已注销"}}})
	st.Close()
	if err != nil {
		t.Fatal(err)
	}
	out, err = hallctl(t, "", "cert", "verify", "--data", here, qr)
	if err == nil || !strings.Contains(err.Error(), "NOT VALID") || !strings.Contains(err.Error(), "营业执照已注销") {
		t.Fatalf("verify a certificate the province lists as revoked: %q, %v", out, err)
	}
}

// TestIssueWithIDFromStdin keeps the ID number out of the command line.
func TestIssueWithIDFromStdin(t *testing.T) {
	dir := certHall(t)
	pdf := filepath.Join(t.TempDir(), "c.pdf")
	args := []string{"cert", "issue", "--data", dir, "--out", pdf, "--holder-id-stdin"}
	for i := 0; i < len(issueArgs); i++ {
		if issueArgs[i] == "--holder-id" {
			i++
			continue
		}
		args = append(args, issueArgs[i])
	}
	out, err := hallctl(t, "91520100MA6H000001\n", args...)
	if err != nil || !strings.Contains(out, "issued 营业执照") {
		t.Fatalf("issue with the ID on stdin: %q, %v", out, err)
	}
}
