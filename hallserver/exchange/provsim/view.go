package provsim

import (
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"time"

	"onestop/hallserver/exchange"
)

// AppliedEvent is an event that took effect at the province.
type AppliedEvent struct {
	Key        string          `json:"key"`
	Kind       string          `json:"kind"`
	Aggregate  string          `json:"aggregate"`
	Seq        int64           `json:"seq"`
	NaturalKey string          `json:"natural_key"`
	AppliedAt  time.Time       `json:"applied_at"`
	Data       json.RawMessage `json:"data"`
}

// Applied returns every event applied for the hall, in the order applied.
// An event answered "duplicate" is not in it (its first copy is).
func (p *Province) Applied(ctx context.Context, hall string) ([]AppliedEvent, error) {
	rows, err := p.rdb.QueryContext(ctx, `SELECT key, kind, aggregate, seq, natural_key, applied_at, data
		FROM applied WHERE hall = ? ORDER BY id`, hall)
	if err != nil {
		return nil, fmt.Errorf("provsim: read applied events: %w", err)
	}
	defer rows.Close()
	out := []AppliedEvent{}
	for rows.Next() {
		var e AppliedEvent
		var at int64
		var data []byte
		if err := rows.Scan(&e.Key, &e.Kind, &e.Aggregate, &e.Seq, &e.NaturalKey, &at, &data); err != nil {
			return nil, fmt.Errorf("provsim: read applied events: %w", err)
		}
		e.AppliedAt, e.Data = fromMS(at), data
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("provsim: read applied events: %w", err)
	}
	return out, nil
}

// viewLimit caps each list of a HallView (newest first).
const viewLimit = 1000

// HallView is what the province knows of one hall (GET /debug/halls/{code}).
// Each list holds at most 1,000 entries, newest first.
type HallView struct {
	Code            string                 `json:"code"`
	Name            string                 `json:"name"`
	Counts          HallStats              `json:"counts"`
	AuditMismatches []AuditMismatch        `json:"audit_mismatches"`
	Tickets         []TicketDay            `json:"tickets"`
	Ratings         []RatingView           `json:"ratings"`
	Followups       []FollowupView         `json:"followups"`
	Applications    []ApplicationView      `json:"applications"`
	Certificates    []CertificateView      `json:"certificates"`
	SigningKeys     []SigningKeyView       `json:"signing_keys"`
	AuditHeads      []AuditHeadView        `json:"audit_heads"`
	Updates         []ApplicationUpdateRow `json:"application_updates"`
}

// AuditMismatch is one sign that a hall's audit history was rewritten.
type AuditMismatch struct {
	Detail string    `json:"detail"`
	At     time.Time `json:"at"`
}

// TicketDay counts one day's tickets that ended in one state.
type TicketDay struct {
	Day        string  `json:"day"`
	State      string  `json:"state"`
	Count      int64   `json:"count"`
	MeanWaitS  float64 `json:"mean_wait_s"`
	MeanServeS float64 `json:"mean_serve_s"`
}

// RatingView is the latest rating of one target (re-ratings replace).
type RatingView struct {
	Target   string    `json:"target"`
	RatingID int64     `json:"rating_id"`
	Level    int       `json:"level"`
	At       time.Time `json:"at"`
	Ratings  int64     `json:"ratings"` // how many ratings of the target arrived
}

// FollowupView is a step of a bad rating's follow-up.
type FollowupView struct {
	RatingID int64     `json:"rating_id"`
	Stage    string    `json:"stage"`
	By       string    `json:"by"`
	At       time.Time `json:"at"`
}

// ApplicationView is an application as its latest event left it.
type ApplicationView struct {
	Number    string    `json:"number"`
	Item      string    `json:"item"`
	LastIndex int       `json:"last_index"`
	Kind      string    `json:"kind"`
	Step      string    `json:"step"`
	Status    string    `json:"status"`
	Outcome   string    `json:"outcome,omitempty"`
	Events    int64     `json:"events"`
	UpdatedAt time.Time `json:"updated_at"`
}

// CertificateView is a certificate: issued, revoked, or both.
type CertificateView struct {
	Serial       string    `json:"serial"`
	KID          string    `json:"kid,omitempty"`
	Type         string    `json:"type,omitempty"`
	Title        string    `json:"title,omitempty"`
	Application  string    `json:"application,omitempty"`
	IssuedAt     time.Time `json:"issued_at,omitzero"`
	RecordSHA256 string    `json:"record_sha256,omitempty"`
	RevokedAt    time.Time `json:"revoked_at,omitzero"`
	Reason       string    `json:"reason,omitempty"`
}

// SigningKeyView is one of the hall's signing keys as the hall last said.
type SigningKeyView struct {
	KID             string    `json:"kid"`
	PublicKey       string    `json:"public_key"`
	Status          string    `json:"status"`
	ValidFrom       time.Time `json:"valid_from"`
	ValidUntil      time.Time `json:"valid_until,omitzero"`
	Note            string    `json:"note,omitempty"`
	ProvinceRevoked string    `json:"province_revoked,omitempty"` // the province's note when it revoked the key
}

// AuditHeadView is an anchored audit head.
type AuditHeadView struct {
	LastID     int64     `json:"last_id"`
	Hash       string    `json:"hash"`
	PrevID     int64     `json:"prev_id,omitempty"`
	PrevHash   string    `json:"prev_hash,omitempty"`
	At         time.Time `json:"at"`
	ReceivedAt time.Time `json:"received_at"`
}

// ApplicationUpdateRow is an update the province queued for the hall,
// and the hall's refusal of it if any.
type ApplicationUpdateRow struct {
	Update        exchange.ApplicationUpdate `json:"update"`
	RefusedReason string                     `json:"refused_reason,omitempty"`
	RefusedAt     time.Time                  `json:"refused_at,omitzero"`
}

// HallView returns what the province knows of a hall.
func (p *Province) HallView(ctx context.Context, code string) (HallView, error) {
	h, ok := p.hall(code)
	if !ok {
		return HallView{}, fmt.Errorf("%w: hall %s", ErrNotFound, code)
	}
	v := HallView{Code: h.Code, Name: h.Name}
	st, err := p.Stats(ctx)
	if err != nil {
		return v, err
	}
	v.Counts = st.Halls[code]
	q := func(what, query string, scan func(*sql.Rows) error) error {
		rows, err := p.rdb.QueryContext(ctx, query, code, viewLimit)
		if err != nil {
			return fmt.Errorf("provsim: read %s of %s: %w", what, code, err)
		}
		defer rows.Close()
		for rows.Next() {
			if err := scan(rows); err != nil {
				return fmt.Errorf("provsim: read %s of %s: %w", what, code, err)
			}
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("provsim: read %s of %s: %w", what, code, err)
		}
		return nil
	}
	v.AuditMismatches = []AuditMismatch{}
	v.Tickets = []TicketDay{}
	v.Ratings = []RatingView{}
	v.Followups = []FollowupView{}
	v.Applications = []ApplicationView{}
	v.Certificates = []CertificateView{}
	v.SigningKeys = []SigningKeyView{}
	v.AuditHeads = []AuditHeadView{}
	v.Updates = []ApplicationUpdateRow{}
	err = q("audit mismatches", "SELECT detail, at FROM audit_mismatches WHERE hall = ? ORDER BY id DESC LIMIT ?", func(r *sql.Rows) error {
		var m AuditMismatch
		var at int64
		err := r.Scan(&m.Detail, &at)
		m.At = fromMS(at)
		v.AuditMismatches = append(v.AuditMismatches, m)
		return err
	})
	if err == nil {
		err = q("tickets", "SELECT day, state, count, wait_sum, serve_sum FROM tickets WHERE hall = ? ORDER BY day DESC, state LIMIT ?", func(r *sql.Rows) error {
			var t TicketDay
			var wait, serve int64
			err := r.Scan(&t.Day, &t.State, &t.Count, &wait, &serve)
			if t.Count > 0 {
				t.MeanWaitS, t.MeanServeS = float64(wait)/float64(t.Count), float64(serve)/float64(t.Count)
			}
			v.Tickets = append(v.Tickets, t)
			return err
		})
	}
	if err == nil {
		err = q("ratings", "SELECT target, rating_id, level, at, ratings FROM ratings WHERE hall = ? ORDER BY at DESC LIMIT ?", func(r *sql.Rows) error {
			var x RatingView
			var at int64
			err := r.Scan(&x.Target, &x.RatingID, &x.Level, &at, &x.Ratings)
			x.At = fromMS(at)
			v.Ratings = append(v.Ratings, x)
			return err
		})
	}
	if err == nil {
		err = q("follow-ups", "SELECT rating_id, stage, by_whom, at FROM rating_followups WHERE hall = ? ORDER BY at DESC LIMIT ?", func(r *sql.Rows) error {
			var x FollowupView
			var at int64
			err := r.Scan(&x.RatingID, &x.Stage, &x.By, &at)
			x.At = fromMS(at)
			v.Followups = append(v.Followups, x)
			return err
		})
	}
	if err == nil {
		err = q("applications", `SELECT number, item, last_index, kind, step, status, outcome, events, updated_at
			FROM applications WHERE hall = ? ORDER BY updated_at DESC LIMIT ?`, func(r *sql.Rows) error {
			var x ApplicationView
			var at int64
			err := r.Scan(&x.Number, &x.Item, &x.LastIndex, &x.Kind, &x.Step, &x.Status, &x.Outcome, &x.Events, &at)
			x.UpdatedAt = fromMS(at)
			v.Applications = append(v.Applications, x)
			return err
		})
	}
	if err == nil {
		err = q("certificates", `SELECT serial, kid, type, title, application, issued_at, record_sha256, revoked_at, reason
			FROM certificates WHERE hall = ? ORDER BY max(issued_at, revoked_at) DESC LIMIT ?`, func(r *sql.Rows) error {
			var x CertificateView
			var issued, revoked int64
			err := r.Scan(&x.Serial, &x.KID, &x.Type, &x.Title, &x.Application, &issued, &x.RecordSHA256, &revoked, &x.Reason)
			x.IssuedAt, x.RevokedAt = fromMS(issued), fromMS(revoked)
			v.Certificates = append(v.Certificates, x)
			return err
		})
	}
	if err == nil {
		err = q("signing keys", `SELECT k.kid, k.public_key, k.status, k.valid_from, k.valid_until, k.note, COALESCE(r.note, '')
			FROM signing_keys k LEFT JOIN key_revocations r ON r.hall = k.hall AND r.kid = k.kid
			WHERE k.hall = ? ORDER BY k.valid_from DESC LIMIT ?`, func(r *sql.Rows) error {
			var x SigningKeyView
			var pub []byte
			var from, until int64
			err := r.Scan(&x.KID, &pub, &x.Status, &from, &until, &x.Note, &x.ProvinceRevoked)
			x.PublicKey, x.ValidFrom, x.ValidUntil = base64.StdEncoding.EncodeToString(pub), fromMS(from), fromMS(until)
			v.SigningKeys = append(v.SigningKeys, x)
			return err
		})
	}
	if err == nil {
		err = q("audit heads", "SELECT last_id, hash, prev_id, prev_hash, at, received_at FROM audit_heads WHERE hall = ? ORDER BY last_id DESC LIMIT ?", func(r *sql.Rows) error {
			var x AuditHeadView
			var at, rec int64
			err := r.Scan(&x.LastID, &x.Hash, &x.PrevID, &x.PrevHash, &at, &rec)
			x.At, x.ReceivedAt = fromMS(at), fromMS(rec)
			v.AuditHeads = append(v.AuditHeads, x)
			return err
		})
	}
	if err == nil {
		err = q("application updates", `SELECT cursor, body, refused_reason, refused_at FROM application_updates
			WHERE hall = ? ORDER BY cursor DESC LIMIT ?`, func(r *sql.Rows) error {
			var x ApplicationUpdateRow
			var body []byte
			var cursor, at int64
			if err := r.Scan(&cursor, &body, &x.RefusedReason, &at); err != nil {
				return err
			}
			if err := json.Unmarshal(body, &x.Update); err != nil {
				return err
			}
			x.Update.Cursor, x.RefusedAt = cursor, fromMS(at)
			v.Updates = append(v.Updates, x)
			return nil
		})
	}
	return v, err
}
