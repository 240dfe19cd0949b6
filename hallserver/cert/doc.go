// Package cert issues and verifies the QR code printed on a certificate
// (证照), as designed in shared/design/CERTIFICATES.md: deterministic CBOR
// claims with integer keys, signed as a tagged COSE_Sign1 (RFC 9052) with
// Ed25519 (EdDSA) through github.com/veraison/go-cose, carried in an
// uppercase "HTTPS://HOST/C/<BASE32>" URL so the QR code stays in
// alphanumeric mode.
//
// The hall server holds one Signer per hall and calls Issue; a kiosk, hallctl
// or a third party calls Verify with the province's TrustList, offline, and
// the hall server's online check adds a StatusChecker for revocation of single
// certificates. The claim keys are listed at Claims; the full certificate
// record is bound to the QR code by RecordDigest, and Record.Identifier gives
// the GB/T 36901-shaped 电子证照 identifier.
//
// Keys: a key id (KID) is the first 8 bytes of SHA-256 of the raw Ed25519
// public key. Verify tries every trusted key with the certificate's KID, then
// checks that the key belongs to the issuing hall and that its validity period
// covered the time of issue. Rotating a key leaves what the older key signed
// valid; marking a key revoked invalidates everything it ever signed.
//
// Speed: a kiosk must verify 20,000 codes a second per core, more than
// crypto/ed25519.Verify alone manages on a small CPU. So Verify checks the
// COSE_Sign1 bytes in place against the one encoding Issue writes (instead
// of decoding them with go-cose and encoding them again), hashes the
// Sig_structure without building it, and checks the signature with a table
// of multiples of the trusted key, built on the key's first verification
// and shared by every trust list that holds the key (see verifyingKey). The
// verdict is crypto/ed25519's and go-cose's, which the tests hold it to;
// Issue still signs with go-cose.
//
// Nothing in this package reads a clock: callers pass now.
package cert
