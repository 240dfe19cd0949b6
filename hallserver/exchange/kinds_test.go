package exchange

import (
	"encoding/json"
	"errors"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"
)

var at = time.Date(2026, 11, 26, 9, 30, 0, 0, time.UTC)

// ev is an event of kind with data (a JSON string).
func ev(kind, data string) Event {
	return Event{Key: "1-1", Kind: kind, Aggregate: "agg", Seq: 1, OccurredAt: at, Data: json.RawMessage(data)}
}

const hash = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

func TestCheckEvent(t *testing.T) {
	tests := []struct {
		name    string
		e       Event
		natural string // the natural key, or
		wantErr string // what the error says
	}{
		// ticket.summary
		{"ticket: done", ev(KindTicketSummary, `{"day":"2026-11-26","number":"A001","queue":"A","state":"done","issued_at":"2026-11-26T09:00:00Z","finished_at":"2026-11-26T09:20:00Z","wait_s":300}`),
			"ticket:2026-11-26/A001", ""},
		{"ticket: no-show", ev(KindTicketSummary, `{"day":"2026-11-26","number":"B002","queue":"B","state":"no_show","issued_at":"2026-11-26T09:00:00Z","finished_at":"2026-11-26T09:20:00Z"}`),
			"ticket:2026-11-26/B002", ""},
		{"ticket: not an end state", ev(KindTicketSummary, `{"day":"2026-11-26","number":"A001","queue":"A","state":"waiting","issued_at":"2026-11-26T09:00:00Z","finished_at":"2026-11-26T09:20:00Z"}`),
			"", "not an end state"},
		{"ticket: no number", ev(KindTicketSummary, `{"day":"2026-11-26","queue":"A","state":"done","issued_at":"2026-11-26T09:00:00Z","finished_at":"2026-11-26T09:20:00Z"}`),
			"", "number is missing"},
		{"ticket: no finish", ev(KindTicketSummary, `{"day":"2026-11-26","number":"A001","queue":"A","state":"cancelled","issued_at":"2026-11-26T09:00:00Z"}`),
			"", "finished_at is missing"},
		// rating.recorded
		{"rating", ev(KindRatingRecorded, `{"id":7,"target":"ticket:2026-11-26/A001","level":5,"channel":"kiosk","at":"2026-11-26T09:30:00Z"}`), "rating:7", ""},
		{"re-rating", ev(KindRatingRecorded, `{"id":8,"replaces":7,"target":"ticket:2026-11-26/A001","level":4,"channel":"phone","at":"2026-11-27T09:30:00Z"}`), "rating:8", ""},
		{"rating: level 0", ev(KindRatingRecorded, `{"id":7,"target":"t","level":0,"channel":"kiosk","at":"2026-11-26T09:30:00Z"}`), "", "level 0 is not 1–5"},
		{"rating: level 6", ev(KindRatingRecorded, `{"id":7,"target":"t","level":6,"channel":"kiosk","at":"2026-11-26T09:30:00Z"}`), "", "level 6"},
		{"rating: no id", ev(KindRatingRecorded, `{"target":"t","level":3,"channel":"kiosk","at":"2026-11-26T09:30:00Z"}`), "", "id must be positive"},
		// rating.followup
		{"follow-up: called back", ev(KindRatingFollowup, `{"rating_id":7,"stage":"called_back","by":"lisi","at":"2026-11-26T09:30:00Z"}`), "rating:7/called_back", ""},
		{"follow-up: resolved", ev(KindRatingFollowup, `{"rating_id":7,"stage":"resolved","by":"lisi","at":"2026-11-26T09:30:00Z"}`), "rating:7/resolved", ""},
		{"follow-up: another stage", ev(KindRatingFollowup, `{"rating_id":7,"stage":"forgotten","by":"lisi","at":"2026-11-26T09:30:00Z"}`), "", "stage"},
		{"follow-up: by nobody", ev(KindRatingFollowup, `{"rating_id":7,"stage":"resolved","at":"2026-11-26T09:30:00Z"}`), "", "by is missing"},
		// application.event
		{"application: accepted", ev(KindApplicationEvent, `{"number":"520000-20261126-00001","index":1,"item":"GA-001","kind":"accept","step":"accept","status":"in_progress","actor":"wangfang","legal_days":20,"promised_days":10,"at":"2026-11-26T09:30:00Z"}`),
			"application:520000-20261126-00001#1", ""},
		{"application: no index", ev(KindApplicationEvent, `{"number":"N","item":"GA-001","kind":"accept","step":"accept","status":"in_progress","actor":"w","at":"2026-11-26T09:30:00Z"}`), "", "index must be positive"},
		{"application: no actor", ev(KindApplicationEvent, `{"number":"N","index":2,"item":"GA-001","kind":"advance","step":"review","status":"in_progress","at":"2026-11-26T09:30:00Z"}`), "", "actor is missing"},
		// application.update_refused
		{"update refused", ev(KindUpdateRefused, `{"cursor":12,"number":"N","reason":"completed already","at":"2026-11-26T09:30:00Z"}`), "update:12/refused", ""},
		{"update refused: no reason", ev(KindUpdateRefused, `{"cursor":12,"number":"N","at":"2026-11-26T09:30:00Z"}`), "", "reason is missing"},
		{"update refused: no cursor", ev(KindUpdateRefused, `{"number":"N","reason":"r","at":"2026-11-26T09:30:00Z"}`), "", "cursor must be positive"},
		// certificate.issued / revoked
		{"certificate issued", ev(KindCertificateIssued, `{"serial":"S1","kid":"0011223344556677","type":"YYZZ","title":"营业执照","issued_at":"2026-11-26T09:30:00Z","valid_from":"2026-11-26T09:30:00Z","record_sha256":"`+hash+`"}`),
			"certificate:S1/issued", ""},
		{"certificate issued: no digest", ev(KindCertificateIssued, `{"serial":"S1","kid":"k","type":"YYZZ","issued_at":"2026-11-26T09:30:00Z"}`), "", "record_sha256 is missing"},
		{"certificate revoked", ev(KindCertificateRevoked, `{"serial":"S1","revoked_at":"2026-11-26T09:30:00Z","reason":"issued in error"}`), "certificate:S1/revoked", ""},
		{"certificate revoked: no reason", ev(KindCertificateRevoked, `{"serial":"S1","revoked_at":"2026-11-26T09:30:00Z"}`), "", "reason is missing"},
		// signing_key.changed
		{"signing key active", ev(KindSigningKey, `{"kid":"0011223344556677","public_key":"AAAA","status":"active","valid_from":"2026-11-26T09:30:00Z"}`), "signing_key:0011223344556677/active", ""},
		{"signing key retired", ev(KindSigningKey, `{"kid":"0011223344556677","public_key":"AAAA","status":"retired","valid_from":"2026-11-26T09:30:00Z","valid_until":"2026-12-26T09:30:00Z"}`), "signing_key:0011223344556677/retired", ""},
		{"signing key: unknown status", ev(KindSigningKey, `{"kid":"k","public_key":"AAAA","status":"lost","valid_from":"2026-11-26T09:30:00Z"}`), "", "status \"lost\""},
		{"signing key: no valid_from", ev(KindSigningKey, `{"kid":"k","public_key":"AAAA","status":"active"}`), "", "valid_from is missing"},
		// audit.head
		{"audit head", ev(KindAuditHead, `{"last_id":120,"hash":"`+hash+`","prev_id":100,"prev_hash":"`+hash+`","at":"2026-11-26T09:30:00Z"}`), "audit:120", ""},
		{"first audit head", ev(KindAuditHead, `{"last_id":1,"hash":"`+hash+`","at":"2026-11-26T09:30:00Z"}`), "audit:1", ""},
		{"audit head: a short hash", ev(KindAuditHead, `{"last_id":1,"hash":"abc","at":"2026-11-26T09:30:00Z"}`), "", "64 hex digits"},
		{"audit head: prev without its hash", ev(KindAuditHead, `{"last_id":2,"hash":"`+hash+`","prev_id":1,"at":"2026-11-26T09:30:00Z"}`), "", "64 hex digits"},
		{"audit head: no last_id", ev(KindAuditHead, `{"hash":"`+hash+`","at":"2026-11-26T09:30:00Z"}`), "", "last_id must be positive"},
		// the envelope
		{"no key", func() Event { e := ev(KindRatingFollowup, `{}`); e.Key = ""; return e }(), "", "key must be"},
		{"a key of 101 characters", func() Event { e := ev(KindRatingFollowup, `{}`); e.Key = strings.Repeat("k", 101); return e }(), "", "key must be"},
		{"no aggregate", func() Event { e := ev(KindRatingFollowup, `{}`); e.Aggregate = ""; return e }(), "", "aggregate"},
		{"seq 0", func() Event { e := ev(KindRatingFollowup, `{}`); e.Seq = 0; return e }(), "", "seq > 0"},
		{"no time", func() Event { e := ev(KindRatingFollowup, `{}`); e.OccurredAt = time.Time{}; return e }(), "", "occurred_at"},
		{"an unknown kind", ev("ticket.teleported", `{}`), "", `unknown kind "ticket.teleported"`},
		{"data that is not an object", ev(KindTicketSummary, `[1,2]`), "", "ticket.summary data"},
		{"no data", ev(KindTicketSummary, ``), "", "ticket.summary data"},
		{"a field of the wrong type", ev(KindRatingRecorded, `{"id":"seven"}`), "", "rating.recorded data"},
	}
	covered := map[string]bool{}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := CheckEvent(tt.e)
			if tt.wantErr != "" {
				if !errors.Is(err, ErrInvalidEvent) || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want ErrInvalidEvent saying %q", err, tt.wantErr)
				}
				if got != "" {
					t.Fatalf("natural key %q with an error", got)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.natural {
				t.Fatalf("natural key %q, want %q", got, tt.natural)
			}
			covered[tt.e.Kind] = true
		})
	}
	for _, k := range SortedKinds() {
		if !covered[k] {
			t.Errorf("kind %s has no valid case", k)
		}
	}
}

// TestNaturalKeyIgnoresTheEnvelope: two copies of the same record under
// other keys, aggregates and times have the same natural key.
func TestNaturalKeyIgnoresTheEnvelope(t *testing.T) {
	a := ev(KindTicketSummary, `{"day":"2026-11-26","number":"A001","queue":"A","state":"done","issued_at":"2026-11-26T09:00:00Z","finished_at":"2026-11-26T09:20:00Z"}`)
	b := a
	b.Key, b.Aggregate, b.Seq, b.OccurredAt = "2-99", "ticket:42", 99, at.Add(time.Hour)
	na, errA := CheckEvent(a)
	nb, errB := CheckEvent(b)
	if errA != nil || errB != nil || na != nb {
		t.Fatalf("%q %v / %q %v", na, errA, nb, errB)
	}
}

func TestKinds(t *testing.T) {
	kinds := SortedKinds()
	if len(kinds) != 9 || !sort.StringsAreSorted(kinds) {
		t.Fatalf("kinds %v", kinds)
	}
	for _, k := range []string{KindTicketSummary, KindRatingRecorded, KindRatingFollowup, KindApplicationEvent, KindUpdateRefused,
		KindCertificateIssued, KindCertificateRevoked, KindSigningKey, KindAuditHead} {
		if !KnownKind(k) || !slices.Contains(kinds, k) {
			t.Errorf("kind %s unknown", k)
		}
	}
	if KnownKind("ticket") || KnownKind("") {
		t.Error("an unknown kind is known")
	}
}
