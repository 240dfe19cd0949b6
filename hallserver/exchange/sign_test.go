package exchange

import (
	"bytes"
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

var (
	testSecret = bytes.Repeat([]byte{0x5a}, 32)
	testNow    = time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
)

func secrets(hall string) ([]byte, error) {
	switch hall {
	case "520000-ZWFW":
		return testSecret, nil
	case "520100-ZWFW":
		return bytes.Repeat([]byte{0x11}, 32), nil
	}
	return nil, ErrUnknownHall
}

// signed is a request as the province receives it, signed by hall at
// signedAt for body.
func signed(method, target, hall string, body []byte, signedAt time.Time) *http.Request {
	r := httptest.NewRequest(method, target, bytes.NewReader(body))
	SignRequest(r.Header, method, PathQuery(r), hall, secretFor(hall), body, signedAt)
	return r
}

func secretFor(hall string) []byte {
	s, err := secrets(hall)
	if err != nil {
		return bytes.Repeat([]byte{0x77}, 32)
	}
	return s
}

func TestVerifyRequest(t *testing.T) {
	body := []byte(`{"hall":"520000-ZWFW","events":[]}`)
	tests := []struct {
		name    string
		req     func() (*http.Request, []byte)
		want    error // nil: accepted
		wantMsg string
	}{
		{"a signed push", func() (*http.Request, []byte) {
			return signed("POST", PathEvents, "520000-ZWFW", body, testNow), body
		}, nil, ""},
		{"a signed pull with a query", func() (*http.Request, []byte) {
			return signed("GET", PathApplicationUpdates+"?after=5&limit=10", "520000-ZWFW", nil, testNow), nil
		}, nil, ""},
		{"an escaped path", func() (*http.Request, []byte) {
			return signed("GET", "/exchange/v1/x%2Fy?a=%20", "520000-ZWFW", nil, testNow), nil
		}, nil, ""},
		{"signed 5 minutes ago (the edge)", func() (*http.Request, []byte) {
			return signed("POST", PathEvents, "520000-ZWFW", body, testNow.Add(-MaxSkew)), body
		}, nil, ""},
		{"signed 5 minutes ahead (the edge)", func() (*http.Request, []byte) {
			return signed("POST", PathEvents, "520000-ZWFW", body, testNow.Add(MaxSkew)), body
		}, nil, ""},
		{"too old", func() (*http.Request, []byte) {
			return signed("POST", PathEvents, "520000-ZWFW", body, testNow.Add(-MaxSkew-time.Second)), body
		}, ErrStale, "NTP"},
		{"from the future", func() (*http.Request, []byte) {
			return signed("POST", PathEvents, "520000-ZWFW", body, testNow.Add(MaxSkew+time.Second)), body
		}, ErrStale, "NTP"},
		{"a timestamp that is not a number", func() (*http.Request, []byte) {
			r := signed("POST", PathEvents, "520000-ZWFW", body, testNow)
			r.Header.Set(HeaderTimestamp, "yesterday")
			return r, body
		}, ErrStale, "Unix seconds"},
		{"the body altered", func() (*http.Request, []byte) {
			return signed("POST", PathEvents, "520000-ZWFW", body, testNow), append(bytes.Clone(body), ' ')
		}, ErrSignatureInvalid, "changed on the way"},
		{"the method altered", func() (*http.Request, []byte) {
			r := signed("POST", PathEvents, "520000-ZWFW", body, testNow)
			r.Method = "PUT"
			return r, body
		}, ErrSignatureInvalid, ""},
		{"the path altered", func() (*http.Request, []byte) {
			r := signed("GET", PathCatalogue, "520000-ZWFW", nil, testNow)
			r.URL.Path = PathTrust
			return r, nil
		}, ErrSignatureInvalid, ""},
		{"the query altered", func() (*http.Request, []byte) {
			r := signed("GET", PathCatalogue+"?have=3", "520000-ZWFW", nil, testNow)
			r.URL.RawQuery = "have=0"
			return r, nil
		}, ErrSignatureInvalid, ""},
		{"the query reordered", func() (*http.Request, []byte) {
			r := signed("GET", PathApplicationUpdates+"?after=1&limit=2", "520000-ZWFW", nil, testNow)
			r.URL.RawQuery = "limit=2&after=1"
			return r, nil
		}, ErrSignatureInvalid, ""},
		{"the query dropped", func() (*http.Request, []byte) {
			r := signed("GET", PathCatalogue+"?have=3", "520000-ZWFW", nil, testNow)
			r.URL.RawQuery = ""
			return r, nil
		}, ErrSignatureInvalid, ""},
		{"the timestamp altered", func() (*http.Request, []byte) {
			r := signed("POST", PathEvents, "520000-ZWFW", body, testNow)
			r.Header.Set(HeaderTimestamp, strconv.FormatInt(testNow.Unix()+1, 10))
			return r, body
		}, ErrSignatureInvalid, ""},
		{"the nonce altered", func() (*http.Request, []byte) {
			r := signed("POST", PathEvents, "520000-ZWFW", body, testNow)
			r.Header.Set(HeaderNonce, NewNonce())
			return r, body
		}, ErrSignatureInvalid, ""},
		{"another hall named with this hall's signature", func() (*http.Request, []byte) {
			r := signed("POST", PathEvents, "520000-ZWFW", body, testNow)
			r.Header.Set(HeaderHall, "520100-ZWFW")
			return r, body
		}, ErrSignatureInvalid, "520100-ZWFW"},
		{"signed with another hall's secret", func() (*http.Request, []byte) {
			r := httptest.NewRequest("POST", PathEvents, bytes.NewReader(body))
			SignRequest(r.Header, "POST", PathEvents, "520100-ZWFW", testSecret, body, testNow)
			return r, body
		}, ErrSignatureInvalid, ""},
		{"the signature's version changed", func() (*http.Request, []byte) {
			r := signed("POST", PathEvents, "520000-ZWFW", body, testNow)
			r.Header.Set(HeaderSignature, strings.Replace(r.Header.Get(HeaderSignature), "v1=", "v2=", 1))
			return r, body
		}, ErrSignatureInvalid, ""},
		{"a short nonce", func() (*http.Request, []byte) {
			r := signed("POST", PathEvents, "520000-ZWFW", body, testNow)
			r.Header.Set(HeaderNonce, "abc")
			return r, body
		}, ErrSignatureInvalid, "16–64"},
		{"an unknown hall", func() (*http.Request, []byte) {
			return signed("POST", PathEvents, "999999-NONE", body, testNow), body
		}, ErrUnknownHall, ""},
		{"an unknown hall with a stale clock is stale first", func() (*http.Request, []byte) {
			return signed("POST", PathEvents, "999999-NONE", body, testNow.Add(-time.Hour)), body
		}, ErrStale, ""},
	}
	for _, h := range []string{HeaderHall, HeaderTimestamp, HeaderNonce, HeaderSignature} {
		tests = append(tests, struct {
			name    string
			req     func() (*http.Request, []byte)
			want    error
			wantMsg string
		}{"without " + h, func() (*http.Request, []byte) {
			r := signed("POST", PathEvents, "520000-ZWFW", body, testNow)
			r.Header.Del(h)
			return r, body
		}, ErrUnsigned, h})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, b := tt.req()
			s, err := VerifyRequest(r, b, secrets, testNow)
			if tt.want == nil {
				if err != nil {
					t.Fatal(err)
				}
				if s.Hall != r.Header.Get(HeaderHall) || s.Nonce != r.Header.Get(HeaderNonce) || s.At.Unix() != mustAtoi(r.Header.Get(HeaderTimestamp)) {
					t.Fatalf("signed %+v", s)
				}
				return
			}
			if !errors.Is(err, tt.want) {
				t.Fatalf("error %v, want %v", err, tt.want)
			}
			if !strings.Contains(err.Error(), tt.wantMsg) {
				t.Fatalf("error %q does not say %q", err, tt.wantMsg)
			}
		})
	}
}

func mustAtoi(s string) int64 {
	n, _ := strconv.ParseInt(s, 10, 64)
	return n
}

// TestSignatureFormula recomputes a signature from the documented string
// to sign, so the wire format cannot change unnoticed.
func TestSignatureFormula(t *testing.T) {
	body := []byte(`{"hall":"520000-ZWFW","events":[]}`)
	h := http.Header{}
	SignRequest(h, "POST", "/exchange/v1/events?x=1", "520000-ZWFW", testSecret, body, testNow)
	sum := sha256.Sum256(body)
	msg := "ONESTOP-EXCHANGE-V1\nPOST\n/exchange/v1/events?x=1\n520000-ZWFW\n" + strconv.FormatInt(testNow.Unix(), 10) + "\n" +
		h.Get(HeaderNonce) + "\n" + hex.EncodeToString(sum[:])
	m := hmac.New(sha256.New, testSecret)
	m.Write([]byte(msg))
	if want := "v1=" + hex.EncodeToString(m.Sum(nil)); h.Get(HeaderSignature) != want {
		t.Fatalf("signature %s, want %s", h.Get(HeaderSignature), want)
	}
	if h.Get(HeaderHall) != "520000-ZWFW" || h.Get(HeaderTimestamp) != "1795687200" {
		t.Fatalf("headers %v", h)
	}
	if !regexp.MustCompile(`^[0-9a-f]{32}$`).MatchString(h.Get(HeaderNonce)) {
		t.Fatalf("nonce %q", h.Get(HeaderNonce))
	}
}

func TestNewNonce(t *testing.T) {
	seen := map[string]bool{}
	for range 1000 {
		n := NewNonce()
		if len(n) != 32 || seen[n] {
			t.Fatalf("nonce %q (seen: %v)", n, seen[n])
		}
		seen[n] = true
	}
}

func TestPathQuery(t *testing.T) {
	tests := []struct{ target, want string }{
		{"/exchange/v1/events", "/exchange/v1/events"},
		{"/exchange/v1/catalogue?have=3", "/exchange/v1/catalogue?have=3"},
		{"/a%2Fb?q=%20x&r", "/a%2Fb?q=%20x&r"},
		{"/exchange/v1/trust?", "/exchange/v1/trust"},
	}
	for _, tt := range tests {
		if got := PathQuery(httptest.NewRequest("GET", tt.target, nil)); got != tt.want {
			t.Errorf("PathQuery(%s) = %s, want %s", tt.target, got, tt.want)
		}
	}
}

func TestDecodeSecret(t *testing.T) {
	raw := []byte("0123456789abcdef0123456789abcdef\xff\xfe")
	tests := []struct {
		name, in, wantErr string
	}{
		{"standard", base64.StdEncoding.EncodeToString(raw), ""},
		{"standard without padding", base64.RawStdEncoding.EncodeToString(raw), ""},
		{"URL alphabet", base64.URLEncoding.EncodeToString(raw), ""},
		{"URL alphabet without padding", base64.RawURLEncoding.EncodeToString(raw), ""},
		{"with a newline", base64.StdEncoding.EncodeToString(raw) + "\n", ""},
		{"too short", base64.StdEncoding.EncodeToString(raw[:31]), "at least 32"},
		{"not base64", "not a secret!", "not base64"},
		{"empty", "", "at least 32"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := DecodeSecret(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || !bytes.Equal(got, raw) {
				t.Fatalf("%x %v", got, err)
			}
		})
	}
}

func TestDocumentSignature(t *testing.T) {
	pub, priv, _ := ed25519.GenerateKey(nil)
	otherPub, otherPriv, _ := ed25519.GenerateKey(nil)
	doc := []byte(`{"format":"onestop-province-trust/v1","version":3}`)
	sig := SignDocument(priv, doc)
	tests := []struct {
		name string
		pub  ed25519.PublicKey
		doc  []byte
		sig  string
		ok   bool
	}{
		{"as signed", pub, doc, sig, true},
		{"the document altered", pub, append(bytes.Clone(doc), ' '), sig, false},
		{"another province's key", otherPub, doc, sig, false},
		{"signed by another key", pub, doc, SignDocument(otherPriv, doc), false},
		{"a plain Ed25519 signature (no domain prefix)", pub, doc, base64.StdEncoding.EncodeToString(ed25519.Sign(priv, doc)), false},
		{"a malformed signature", pub, doc, "!!", false},
		{"a short signature", pub, doc, base64.StdEncoding.EncodeToString([]byte("short")), false},
		{"a short public key", pub[:16], doc, sig, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := VerifyDocument(tt.pub, tt.doc, tt.sig); (err == nil) != tt.ok {
				t.Fatalf("VerifyDocument: %v, want ok=%v", err, tt.ok)
			}
		})
	}
}

func TestDecodePublicKey(t *testing.T) {
	pub, _, _ := ed25519.GenerateKey(nil)
	tests := []struct {
		in string
		ok bool
	}{
		{base64.StdEncoding.EncodeToString(pub), true},
		{" " + base64.StdEncoding.EncodeToString(pub) + "\n", true},
		{base64.StdEncoding.EncodeToString(pub[:31]), false},
		{hex.EncodeToString(pub), false},
		{"", false},
	}
	for _, tt := range tests {
		got, err := DecodePublicKey(tt.in)
		if (err == nil) != tt.ok || tt.ok && !got.Equal(pub) {
			t.Errorf("DecodePublicKey(%q) = %x, %v", tt.in, got, err)
		}
	}
}

// TestGuideExample checks the worked example of docs/province-exchange.md.
func TestGuideExample(t *testing.T) {
	secret, err := DecodeSecret("MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=")
	if err != nil {
		t.Fatal(err)
	}
	body := []byte(`{"hall":"520000-ZWFW","events":[{"key":"1-42","kind":"ticket.summary","aggregate":"ticket:42","seq":42,"occurred_at":"2026-11-26T09:20:00Z","data":{"day":"2026-11-26","number":"A001","queue":"A","state":"done","issued_at":"2026-11-26T09:00:00Z","called_at":"2026-11-26T09:05:00Z","started_at":"2026-11-26T09:06:00Z","finished_at":"2026-11-26T09:20:00Z","wait_s":300,"serve_s":840,"recalls":0}}]}`)
	if sum := sha256.Sum256(body); hex.EncodeToString(sum[:]) != "a078567111b0b06d651a21d48236dd555b7162688e58fdefccb215fe31a21638" {
		t.Fatalf("body digest %x", sum)
	}
	r := httptest.NewRequest("POST", PathEvents, bytes.NewReader(body))
	r.Header.Set(HeaderHall, "520000-ZWFW")
	r.Header.Set(HeaderTimestamp, "1795687200")
	r.Header.Set(HeaderNonce, "3f9c2a7be0d14c5a8e6b1f0d2c4a9e71")
	r.Header.Set(HeaderSignature, "v1=8e1830689718b82d6e9c74bd8c47e31b496985b388afec43bbb9e907e892f1c2")
	s, err := VerifyRequest(r, body, func(string) ([]byte, error) { return secret, nil }, time.Date(2026, 11, 26, 10, 0, 30, 0, time.UTC))
	if err != nil || s.Hall != "520000-ZWFW" {
		t.Fatalf("%+v %v", s, err)
	}
	var push PushRequest
	if err := json.Unmarshal(body, &push); err != nil {
		t.Fatal(err)
	}
	if k := BatchKey(push.Hall, push.Events); k != "batch-decdf3e53ef90ec09db1dbf8b7d3e5af" {
		t.Fatalf("batch key %s", k)
	}
	if n, err := CheckEvent(push.Events[0]); err != nil || n != "ticket:2026-11-26/A001" {
		t.Fatalf("natural key %q %v", n, err)
	}
}
