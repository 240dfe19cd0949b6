package cert

import (
	"context"
	"crypto/ed25519"
	"testing"
)

// BenchmarkVerify is one offline verification of a typical certificate's
// QR text: Base32, COSE_Sign1 and claims decoding, one Ed25519 check.
// Verifications per second per core = 1e9 / ns/op (run with -cpu 1).
func BenchmarkVerify(b *testing.B) {
	s := seededSigner(1)
	trust := trustFor(b, hallCode, s)
	url := issueURL(b, s, typicalClaims())
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Verify(ctx, url, trust, now, nil); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "verifies/s")
}

// BenchmarkEd25519Verify is the ceiling for BenchmarkVerify on this
// machine: one bare crypto/ed25519.Verify of a message of the same size as
// the COSE Sig_structure, with nothing else.
func BenchmarkEd25519Verify(b *testing.B) {
	s := seededSigner(1)
	pub := s.PublicKey()
	msg := make([]byte, 130)
	sig := ed25519.Sign(s.priv, msg)
	for b.Loop() {
		if !ed25519.Verify(pub, msg, sig) {
			b.Fatal("bad signature")
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "verifies/s")
}

// BenchmarkIssue signs a typical certificate and encodes its URL.
func BenchmarkIssue(b *testing.B) {
	s := seededSigner(1)
	c := typicalClaims()
	b.ReportAllocs()
	for b.Loop() {
		msg, err := Issue(s, c)
		if err != nil {
			b.Fatal(err)
		}
		_ = EncodeURL(baseURL, msg)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "issues/s")
}

// BenchmarkRecordDigest digests a typical record.
func BenchmarkRecordDigest(b *testing.B) {
	r := typicalRecord()
	b.ReportAllocs()
	for b.Loop() {
		RecordDigest(r)
	}
}
