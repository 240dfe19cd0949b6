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

// BenchmarkEd25519Verify is one bare crypto/ed25519.Verify of a message of
// the size of the COSE Sig_structure, with nothing else: what the signature
// cost Verify before verifyingKey.
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

// BenchmarkVerifyingKey is BenchmarkEd25519Verify with a trust list's
// verifyingKey, its table built: the ceiling for BenchmarkVerify.
func BenchmarkVerifyingKey(b *testing.B) {
	s := seededSigner(1)
	vk, err := newVerifyingKey(s.PublicKey())
	if err != nil {
		b.Fatal(err)
	}
	msg := make([]byte, 130)
	sig := ed25519.Sign(s.priv, msg)
	vk.verify(sig, msg) // builds the tables
	b.ReportAllocs()
	for b.Loop() {
		if !vk.verify(sig, msg) {
			b.Fatal("bad signature")
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "verifies/s")
}

// BenchmarkPointTable builds one key's table, which its first
// verification pays for.
func BenchmarkPointTable(b *testing.B) {
	vk, err := newVerifyingKey(seededSigner(1).PublicKey())
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		newPointTable(&vk.negA)
	}
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
