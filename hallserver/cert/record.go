package cert

import (
	"crypto/rand"
	"crypto/sha256"
	"strings"
	"time"

	"golang.org/x/text/unicode/norm"
)

// Record is the full certificate as the hall keeps it: everything printed,
// including what the QR code leaves out. The QR code binds it by
// RecordDigest, so an online verifier that has the record from the hall's
// database can prove the paper and the record match.
type Record struct {
	// Type is the certificate type code, e.g. "BDC-ZM".
	Type string
	// Title is the certificate title as printed, e.g. "不动产登记证明".
	Title string
	// Issuer is the issuing hall's code.
	Issuer string
	// Serial identifies this issued certificate. A reissue or correction is
	// a new certificate: a new serial and the next Version, and the old
	// serial is revoked.
	Serial Serial
	// Version counts issues of the same certificate, from 1.
	Version int
	// IssuedAt and Expires are as in Claims.
	IssuedAt time.Time
	Expires  time.Time
	// StatusIndex is the position in the hall's status list.
	StatusIndex uint64
	// HolderName is the holder's name as printed.
	HolderName string
	// HolderID is the holder's full ID number. Only its last 4 characters
	// go into the QR code.
	HolderID string
	// Salt is random bytes kept with the record (NewSalt). It enters the
	// digest so that the digest in a QR code, which anyone can read, cannot
	// be used to guess the full ID number or other personal fields by trying
	// candidates.
	Salt []byte
	// Fields are all other printed fields by name, e.g. "坐落", "面积".
	Fields map[string]string
}

// NewSalt returns 16 random bytes for Record.Salt.
func NewSalt() []byte {
	b := make([]byte, 16)
	rand.Read(b) // never fails (crypto/rand, Go 1.24+)
	return b
}

// recordDigestDomain starts every digested record, so a digest of a record
// can never equal a digest of some other OneStop structure, and the record
// encoding can change later under a new name.
const recordDigestDomain = "onestop/cert/record/v1"

// wireRecord is the canonical form of a Record for RecordDigest.
type wireRecord struct {
	Domain      string            `cbor:"0,keyasint"`
	Type        string            `cbor:"1,keyasint"`
	Title       string            `cbor:"2,keyasint"`
	Issuer      string            `cbor:"3,keyasint"`
	Serial      []byte            `cbor:"4,keyasint"`
	Version     int64             `cbor:"5,keyasint"`
	IssuedAt    int64             `cbor:"6,keyasint"`
	Expires     int64             `cbor:"7,keyasint"`
	StatusIndex uint64            `cbor:"8,keyasint"`
	HolderName  string            `cbor:"9,keyasint"`
	HolderID    string            `cbor:"10,keyasint"`
	Salt        []byte            `cbor:"11,keyasint"`
	Fields      map[string]string `cbor:"12,keyasint"`
}

// RecordDigest is the first 16 bytes of SHA-256 over the record's canonical
// encoding, a deterministic CBOR map (RFC 8949 core deterministic encoding,
// fxamacker/cbor CoreDetEncOptions) with every key always present:
//
//	0 "onestop/cert/record/v1"   5 version       10 holder ID number
//	1 type code                  6 issued-at     11 salt (bytes)
//	2 title                      7 expires       12 fields (map text → text)
//	3 issuer (hall code)         8 status index
//	4 serial (12 bytes)          9 holder name
//
// Times are Unix seconds (expires 0 when zero). Text is NFC-normalized and
// trimmed of surrounding space, and the ID number uppercased, so the same
// certificate keyed twice digests the same; a nil Salt or Fields digests as
// empty. The issuer and an online verifier call this same function; another
// program must encode exactly this map.
func RecordDigest(rec Record) []byte {
	w := wireRecord{
		Domain:      recordDigestDomain,
		Type:        rec.Type,
		Title:       canonText(rec.Title),
		Issuer:      rec.Issuer,
		Serial:      rec.Serial[:],
		Version:     int64(rec.Version),
		IssuedAt:    rec.IssuedAt.Unix(),
		StatusIndex: rec.StatusIndex,
		HolderName:  canonText(rec.HolderName),
		HolderID:    strings.ToUpper(canonText(rec.HolderID)),
		Salt:        rec.Salt,
		Fields:      make(map[string]string, len(rec.Fields)),
	}
	if w.Salt == nil {
		w.Salt = []byte{}
	}
	if !rec.Expires.IsZero() {
		w.Expires = rec.Expires.Unix()
	}
	for k, v := range rec.Fields {
		w.Fields[canonText(k)] = canonText(v)
	}
	b, err := detEnc.Marshal(w)
	if err != nil {
		// Only strings, integers, byte strings and a map of strings: the
		// encoder cannot fail on these.
		panic("cert: encoding record: " + err.Error())
	}
	sum := sha256.Sum256(b)
	return sum[:DigestSize]
}

// canonText is text as digested: NFC, without surrounding white space.
func canonText(s string) string { return norm.NFC.String(strings.TrimSpace(s)) }

// Claims returns the claims for the record's QR code: its codes, times,
// serial, status index, the holder's name and last 4 ID characters, the
// title, and RecordDigest. Issue validates them.
func (rec Record) Claims() Claims {
	id := []rune(strings.ToUpper(canonText(rec.HolderID)))
	if n := len(id); n > 4 {
		id = id[n-4:]
	}
	return Claims{
		Issuer:        rec.Issuer,
		IssuedAt:      rec.IssuedAt.Truncate(time.Second),
		Expires:       rec.Expires.Truncate(time.Second),
		Serial:        rec.Serial,
		Type:          rec.Type,
		Digest:        RecordDigest(rec),
		StatusIndex:   rec.StatusIndex,
		HolderName:    canonText(rec.HolderName),
		HolderIDLast4: string(id),
		Title:         canonText(rec.Title),
	}
}
