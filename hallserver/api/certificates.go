package api

import "time"

// Certificate is a certificate (证照) the hall issued, as staff and the
// holder see it. The holder's ID number appears only masked.
type Certificate struct {
	Serial       string             `json:"serial"`
	Identifier   string             `json:"identifier"` // 电子证照-style identifier
	Type         string             `json:"type"`
	Title        string             `json:"title"`
	Version      int                `json:"version"`
	IssuedAt     time.Time          `json:"issued_at"`
	Expires      time.Time          `json:"expires,omitzero"` // absent: does not expire
	HolderName   string             `json:"holder_name"`
	HolderMasked string             `json:"holder_masked"`
	Fields       []CertificateField `json:"fields"`
	Application  string             `json:"application,omitempty"` // the application it was made for
	IssuedBy     string             `json:"issued_by"`
	Revoked      bool               `json:"revoked"`
	RevokedAt    time.Time          `json:"revoked_at,omitzero"`
	RevokeReason string             `json:"revoke_reason,omitempty"`
	Prints       int                `json:"prints"`      // copies printed so far
	KeyRevoked   bool               `json:"key_revoked"` // its signing key was revoked: it no longer verifies, reissue it
	QRText       string             `json:"qr_text"`     // the QR code's text: the online check's URL
}

// CertificateField is one printed field of a certificate.
type CertificateField struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// CertificateLookupRequest finds a holder's certificates by ID number (in
// the body, never in a URL).
type CertificateLookupRequest struct {
	HolderID string `json:"holder_id"`
}

// PrintRequest proves, at a kiosk, that the certificate is printed for its
// holder: the ID number read from their card. Staff leave it out.
type PrintRequest struct {
	HolderID string `json:"holder_id,omitempty"`
}

// RevokeRequest says why a certificate is revoked.
type RevokeRequest struct {
	Reason string `json:"reason"`
}

// Certificate check statuses, as GET /C/{code} reports them.
const (
	CheckValid       = "valid"         // genuine, current, not revoked
	CheckRevoked     = "revoked"       // genuine but revoked by the hall
	CheckExpired     = "expired"       // genuine but past its validity
	CheckNotYetValid = "not_yet_valid" // issued in the future: a clock is wrong
	CheckUnknown     = "unknown"       // a good signature, but this hall has no record of it
	CheckInvalid     = "invalid"       // forged, altered, damaged, or signed by an untrusted or revoked key
)

// CertificateCheck is the online verification of a certificate's QR code.
// The signed fields are present whenever the signature is good (every
// status but invalid).
type CertificateCheck struct {
	Status        string    `json:"status"`
	Reason        string    `json:"reason"` // for people, in English
	Serial        string    `json:"serial,omitempty"`
	Identifier    string    `json:"identifier,omitempty"`
	Type          string    `json:"type,omitempty"`
	Title         string    `json:"title,omitempty"`
	HolderName    string    `json:"holder_name,omitempty"`
	HolderIDLast4 string    `json:"holder_id_last4,omitempty"`
	Issuer        string    `json:"issuer,omitempty"`
	IssuerName    string    `json:"issuer_name,omitempty"`
	IssuedAt      time.Time `json:"issued_at,omitzero"`
	Expires       time.Time `json:"expires,omitzero"`
	KID           string    `json:"kid,omitempty"`
	RevokedAt     time.Time `json:"revoked_at,omitzero"`
	RevokeReason  string    `json:"revoke_reason,omitempty"`
	// RecordMatches is true when the hall's record of the certificate
	// digests to the digest signed in the code: paper and record agree.
	RecordMatches bool `json:"record_matches"`
}
