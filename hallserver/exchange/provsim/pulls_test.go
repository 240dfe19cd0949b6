package provsim

import (
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"onestop/hallserver/catalogue"
	"onestop/hallserver/cert"
	"onestop/hallserver/exchange"
)

// signingKey is a signing_key.changed event for pub.
func signingKey(key string, seq int64, pub ed25519.PublicKey, status string, until time.Time) exchange.Event {
	kid := cert.KeyID(pub).String()
	return event(key, exchange.KindSigningKey, "signing_key:"+kid, seq, exchange.SigningKeyChanged{
		KID: kid, PublicKey: base64.StdEncoding.EncodeToString(pub), Status: status,
		ValidFrom: at.Add(-time.Hour), ValidUntil: until})
}

func revokedCert(key string, seq int64, serial string) exchange.Event {
	return event(key, exchange.KindCertificateRevoked, "certificate:"+serial, seq, exchange.CertificateRevoked{
		Serial: serial, RevokedAt: at, Reason: "issued in error"})
}

func newPub(t *testing.T) ed25519.PublicKey {
	pub, _, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	return pub
}

// TestTrustDocument: the document verifies with the province's key, says
// what the halls sent, and its version goes up on changes only.
func TestTrustDocument(t *testing.T) {
	tp := newProvince(t, Options{})
	a, b := tp.hall(hallA), tp.hall(hallB)
	pubA1, pubA2, pubB := newPub(t), newPub(t), newPub(t)

	pull := func(have int64) exchange.TrustResponse {
		t.Helper()
		var r exchange.TrustResponse
		a.get(fmt.Sprintf("%s?have=%d", exchange.PathTrust, have), &r)
		return r
	}
	open := func(r exchange.TrustResponse) (exchange.TrustDocument, *cert.TrustList) {
		t.Helper()
		if err := exchange.VerifyDocument(tp.PublicKey(), r.Document, r.Signature); err != nil {
			t.Fatal(err)
		}
		var d exchange.TrustDocument
		if err := json.Unmarshal(r.Document, &d); err != nil {
			t.Fatal(err)
		}
		list, err := cert.ParseTrustList(d.TrustList)
		if err != nil {
			t.Fatal(err)
		}
		if d.Format != exchange.TrustDocumentFormat || d.Version != r.Version || list.Version() != r.Version {
			t.Fatalf("document %s, answer version %d", r.Document, r.Version)
		}
		return d, list
	}

	first := pull(0)
	if first.Version != 1 {
		t.Fatalf("a new province's trust version is %d", first.Version)
	}
	if _, list := open(first); len(list.Keys()) != 0 {
		t.Fatalf("keys in a new province's list: %v", list.Keys())
	}
	if again := pull(0); string(again.Document) != string(first.Document) || again.Signature != first.Signature {
		t.Fatal("the same version was signed twice differently")
	}
	if r := pull(1); !r.Unchanged || r.Document != nil || r.Version != 1 {
		t.Fatalf("have=1: %+v", r)
	}

	steps := []struct {
		name    string
		do      func()
		bump    bool
		keys    map[string]cert.KeyStatus // kid → status
		revoked int
	}{
		{"a ticket changes nothing", func() { a.push(ticket("t-1", 1, "A001")) }, false, map[string]cert.KeyStatus{}, 0},
		{"hall A's first key", func() { a.push(signingKey("s-1", 2, pubA1, "active", time.Time{})) }, true,
			map[string]cert.KeyStatus{kidOf(pubA1): cert.KeyActive}, 0},
		{"the same key again (duplicate)", func() { a.push(signingKey("s-1", 2, pubA1, "active", time.Time{})) }, false,
			map[string]cert.KeyStatus{kidOf(pubA1): cert.KeyActive}, 0},
		{"rotation in one push: one version", func() {
			a.push(signingKey("s-2", 3, pubA1, "retired", at), signingKey("s-3", 4, pubA2, "active", time.Time{}))
		}, true, map[string]cert.KeyStatus{kidOf(pubA1): cert.KeyRetired, kidOf(pubA2): cert.KeyActive}, 0},
		{"a late copy of an older state changes nothing", func() { a.push(signingKey("s-9", 9, pubA1, "active", time.Time{})) }, false,
			map[string]cert.KeyStatus{kidOf(pubA1): cert.KeyRetired, kidOf(pubA2): cert.KeyActive}, 0},
		{"hall B's key", func() { b.push(signingKey("s-1", 1, pubB, "active", time.Time{})) }, true,
			map[string]cert.KeyStatus{kidOf(pubA1): cert.KeyRetired, kidOf(pubA2): cert.KeyActive, kidOf(pubB): cert.KeyActive}, 0},
		{"hall B sending hall A's key is rejected", func() {
			if got := b.push(signingKey("s-2", 2, pubA2, "active", time.Time{})); got[0] != rejected {
				t.Fatalf("hall B claiming hall A's key: %v", got)
			}
		}, false, map[string]cert.KeyStatus{kidOf(pubA1): cert.KeyRetired, kidOf(pubA2): cert.KeyActive, kidOf(pubB): cert.KeyActive}, 0},
		{"a certificate revoked", func() { a.push(revokedCert("c-1", 5, "SERIAL1")) }, true,
			map[string]cert.KeyStatus{kidOf(pubA1): cert.KeyRetired, kidOf(pubA2): cert.KeyActive, kidOf(pubB): cert.KeyActive}, 1},
		{"the province revokes hall B's key", func() {
			if err := tp.RevokeKey(context.Background(), hallB.Code, kidOf(pubB), "leaked, case 2026-031"); err != nil {
				t.Fatal(err)
			}
		}, true, map[string]cert.KeyStatus{kidOf(pubA1): cert.KeyRetired, kidOf(pubA2): cert.KeyActive, kidOf(pubB): cert.KeyRevoked}, 1},
		{"the same revocation again changes nothing", func() {
			if err := tp.RevokeKey(context.Background(), hallB.Code, kidOf(pubB), "leaked, case 2026-031"); err != nil {
				t.Fatal(err)
			}
		}, false, map[string]cert.KeyStatus{kidOf(pubA1): cert.KeyRetired, kidOf(pubA2): cert.KeyActive, kidOf(pubB): cert.KeyRevoked}, 1},
		{"hall B still calling it active does not undo the province", func() { b.push(signingKey("s-3", 3, pubB, "active", time.Time{})) }, false,
			map[string]cert.KeyStatus{kidOf(pubA1): cert.KeyRetired, kidOf(pubA2): cert.KeyActive, kidOf(pubB): cert.KeyRevoked}, 1},
	}
	version := first.Version
	// One test, not subtests: the halls' helpers fail the parent test.
	for _, st := range steps {
		st.do()
		r := pull(version)
		if !st.bump {
			if !r.Unchanged || r.Version != version {
				t.Fatalf("%s: version %d → %+v, want unchanged", st.name, version, r.Version)
			}
			r = pull(0)
		} else if r.Unchanged || r.Version != version+1 {
			t.Fatalf("%s: version %d → %d, want %d", st.name, version, r.Version, version+1)
		}
		version = r.Version
		d, list := open(r)
		got := map[string]cert.KeyStatus{}
		for _, k := range list.Keys() {
			got[k.KID.String()] = k.Status
		}
		if fmt.Sprint(got) != fmt.Sprint(st.keys) {
			t.Fatalf("%s: keys %v, want %v", st.name, got, st.keys)
		}
		if len(d.Revocations) != st.revoked {
			t.Fatalf("%s: revocations %+v", st.name, d.Revocations)
		}
	}
	// A document signed by another key does not verify.
	r := pull(0)
	_, other, _ := ed25519.GenerateKey(nil)
	if err := exchange.VerifyDocument(tp.PublicKey(), r.Document, exchange.SignDocument(other, r.Document)); err == nil {
		t.Fatal("a document signed by another key verified")
	}
	if err := tp.RevokeKey(context.Background(), hallA.Code, kidOf(pubB), ""); !errors.Is(err, ErrNotFound) {
		t.Fatalf("revoking another hall's key: %v", err)
	}
}

func kidOf(pub ed25519.PublicKey) string { return cert.KeyID(pub).String() }

// TestSigningKeyRejections: keys that cannot go into a trust list are
// rejected, and the list stays valid.
func TestSigningKeyRejections(t *testing.T) {
	tp := newProvince(t, Options{})
	h := tp.hall(hallA)
	pub := newPub(t)
	wrongKID := signingKey("s-1", 1, pub, "active", time.Time{})
	wrongKID.Data = []byte(strings.Replace(string(wrongKID.Data), kidOf(pub), "0123456789abcdef", 1))
	short := signingKey("s-2", 2, pub, "active", time.Time{})
	short.Data = []byte(strings.Replace(string(short.Data), base64.StdEncoding.EncodeToString(pub), "AAAA", 1))
	tests := []exchange.Event{
		wrongKID,
		short,
		signingKey("s-3", 3, pub, "retired", time.Time{}),                        // retired without valid_until
		signingKey("s-4", 4, make(ed25519.PublicKey, 32), "active", time.Time{}), // small order
	}
	for _, e := range tests {
		if got := h.push(e); got[0] != rejected {
			t.Errorf("%s: %v, want rejected", e.Data, got)
		}
	}
	var r exchange.TrustResponse
	h.get(exchange.PathTrust, &r)
	if r.Version != 1 {
		t.Fatalf("trust version %d after rejected keys", r.Version)
	}
}

// TestCatalogueVersions: version 1 is the first catalogue; publishing
// makes the next; have=N answers unchanged when not newer.
func TestCatalogueVersions(t *testing.T) {
	seed, err := catalogue.Seed()
	if err != nil {
		t.Fatal(err)
	}
	first := *seed
	first.Version = "2026.test"
	tp := newProvince(t, Options{Catalogue: &first})
	h := tp.hall(hallA)
	pull := func(have int64) exchange.CatalogueResponse {
		var r exchange.CatalogueResponse
		h.get(fmt.Sprintf("%s?have=%d", exchange.PathCatalogue, have), &r)
		return r
	}
	r := pull(0)
	c, err := catalogue.Parse(r.Catalogue)
	if err != nil || r.Version != 1 || c.Version != "2026.test" {
		t.Fatalf("version %d, catalogue %v: %v", r.Version, c, err)
	}
	if r := pull(1); !r.Unchanged || r.Catalogue != nil || r.Version != 1 {
		t.Fatalf("have=1: %+v", r)
	}
	second := first
	second.Version = "2026.2"
	if v, err := tp.PublishCatalogue(context.Background(), &second); err != nil || v != 2 {
		t.Fatalf("publish: %d %v", v, err)
	}
	if r := pull(1); r.Version != 2 || r.Unchanged {
		t.Fatalf("have=1 after publishing: %+v", r)
	}
	// Through /admin: an invalid catalogue is refused, a valid one is
	// version 3.
	put := func(body string) (int, string) {
		req, _ := http.NewRequest(http.MethodPut, tp.srv.URL+"/admin/catalogue", strings.NewReader(body))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var m map[string]any
		json.NewDecoder(resp.Body).Decode(&m)
		return resp.StatusCode, fmt.Sprint(m)
	}
	if status, body := put(`{"version":"","departments":[{"code":"GA"}]}`); status != 400 {
		t.Fatalf("an invalid catalogue: %d %s", status, body)
	}
	third, _ := json.Marshal(func() catalogue.Catalogue { c := first; c.Version = "2026.3"; return c }())
	if status, body := put(string(third)); status != 200 || !strings.Contains(body, "version:3") {
		t.Fatalf("a valid catalogue: %d %s", status, body)
	}
	if r := pull(2); r.Version != 3 {
		t.Fatalf("after PUT: %+v", r.Version)
	}
	tp.reopen()
	h = tp.hall(hallA)
	if r := pull(0); r.Version != 3 {
		t.Fatalf("after a restart: version %d", r.Version)
	}
	if a, _ := h.do(http.MethodGet, exchange.PathCatalogue+"?have=-1", nil, nil, nil); a.status != 400 {
		t.Fatalf("have=-1 answered %d", a.status)
	}
}

// TestApplicationUpdates: a hall pages through its own updates by cursor.
func TestApplicationUpdates(t *testing.T) {
	tp := newProvince(t, Options{})
	ctx := context.Background()
	var cursorsA []int64
	for i := range 5 {
		u := exchange.ApplicationUpdate{Number: fmt.Sprintf("APP-%d", i), Kind: "advance", Step: "review", By: "省市场监管局"}
		c, err := tp.AddApplicationUpdate(ctx, hallA.Code, u)
		if err != nil {
			t.Fatal(err)
		}
		cursorsA = append(cursorsA, c)
		if i == 2 { // B's updates interleave
			if _, err := tp.AddApplicationUpdate(ctx, hallB.Code, exchange.ApplicationUpdate{Number: "B-1", Kind: "resume", By: "x"}); err != nil {
				t.Fatal(err)
			}
		}
	}
	h := tp.hall(hallA)
	var got []int64
	after, pages := int64(0), 0
	for {
		var r exchange.ApplicationUpdatesResponse
		h.get(fmt.Sprintf("%s?after=%d&limit=2", exchange.PathApplicationUpdates, after), &r)
		pages++
		for _, u := range r.Updates {
			if !strings.HasPrefix(u.Number, "APP-") || u.At.IsZero() {
				t.Fatalf("update %+v", u)
			}
			got = append(got, u.Cursor)
		}
		if len(r.Updates) > 0 && r.Next != r.Updates[len(r.Updates)-1].Cursor || len(r.Updates) == 0 && r.Next != after {
			t.Fatalf("next %d after %+v", r.Next, r)
		}
		after = r.Next
		if !r.More {
			break
		}
		if pages > 10 {
			t.Fatal("paging does not end")
		}
	}
	if fmt.Sprint(got) != fmt.Sprint(cursorsA) || pages != 3 {
		t.Fatalf("cursors %v in %d pages, want %v in 3", got, pages, cursorsA)
	}
	// Resuming from the last cursor finds nothing new, then the next one.
	var r exchange.ApplicationUpdatesResponse
	h.get(fmt.Sprintf("%s?after=%d", exchange.PathApplicationUpdates, after), &r)
	if len(r.Updates) != 0 || r.More || r.Next != after {
		t.Fatalf("nothing new: %+v", r)
	}
	c, err := tp.AddApplicationUpdate(ctx, hallA.Code, exchange.ApplicationUpdate{Number: "APP-9", Kind: "extend", Days: 5, By: "x"})
	if err != nil {
		t.Fatal(err)
	}
	h.get(fmt.Sprintf("%s?after=%d", exchange.PathApplicationUpdates, after), &r)
	if len(r.Updates) != 1 || r.Updates[0].Cursor != c || r.Next != c {
		t.Fatalf("the next update: %+v", r)
	}
	// The hall refuses it: the province records why.
	h.push(event("u-1", exchange.KindUpdateRefused, "update", 1, exchange.UpdateRefused{Cursor: c, Number: "APP-9", Reason: "completed already", At: at}))
	v, err := tp.HallView(ctx, hallA.Code)
	if err != nil {
		t.Fatal(err)
	}
	if v.Updates[0].Update.Cursor != c || v.Updates[0].RefusedReason != "completed already" {
		t.Fatalf("view %+v", v.Updates[0])
	}
	// Hall B sees its own only.
	var rb exchange.ApplicationUpdatesResponse
	tp.hall(hallB).get(exchange.PathApplicationUpdates, &rb)
	if len(rb.Updates) != 1 || rb.Updates[0].Number != "B-1" {
		t.Fatalf("hall B: %+v", rb)
	}
	for _, q := range []string{"?limit=0", "?after=x", "?limit=-3"} {
		if a, _ := h.do(http.MethodGet, exchange.PathApplicationUpdates+q, nil, nil, nil); a.status != 400 {
			t.Errorf("%s answered %d", q, a.status)
		}
	}
	// Through /admin.
	for _, tt := range []struct {
		hall, body string
		status     int
	}{
		{hallA.Code, `{"number":"APP-1","kind":"complete","outcome":"approved","by":"省厅"}`, 201},
		{hallA.Code, `{"number":"APP-1","kind":"complete","by":"省厅"}`, 400},
		{hallA.Code, `{"number":"APP-1","kind":"advance","step":"review","by":"x","cursor":5}`, 400},
		{hallA.Code, `{"number":"APP-1","kind":"fly","by":"x"}`, 400},
		{"999999-NONE", `{"number":"APP-1","kind":"resume","by":"x"}`, 404},
	} {
		resp, err := http.Post(tp.srv.URL+"/admin/halls/"+tt.hall+"/application-updates", "application/json", strings.NewReader(tt.body))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tt.status {
			t.Errorf("%s: %d, want %d", tt.body, resp.StatusCode, tt.status)
		}
	}
}

// TestAuditHeads: a head that disagrees with one received before flags
// the hall.
func TestAuditHeads(t *testing.T) {
	tests := []struct {
		name     string
		heads    []exchange.Event
		mismatch bool
	}{
		{"a consistent chain", []exchange.Event{
			auditHead("h-1", 1, 10, hex64('a'), 0, ""),
			auditHead("h-2", 2, 20, hex64('b'), 10, hex64('a')),
			auditHead("h-3", 3, 35, hex64('c'), 20, hex64('b')),
		}, false},
		{"a previous head rewritten", []exchange.Event{
			auditHead("h-1", 1, 10, hex64('a'), 0, ""),
			auditHead("h-2", 2, 20, hex64('b'), 10, hex64('f')),
		}, true},
		{"the head went back", []exchange.Event{
			auditHead("h-1", 1, 10, hex64('a'), 0, ""),
			auditHead("h-2", 2, 20, hex64('b'), 10, hex64('a')),
			auditHead("h-3", 3, 15, hex64('c'), 10, hex64('a')),
		}, true},
		{"the same record anchored with another hash", []exchange.Event{
			auditHead("h-1", 1, 10, hex64('a'), 0, ""),
			auditHead("h-2", 2, 10, hex64('d'), 0, ""),
		}, true},
		{"a head whose previous one never arrived", []exchange.Event{
			auditHead("h-2", 2, 20, hex64('b'), 10, hex64('a')),
		}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tp := newProvince(t, Options{})
			h := tp.hall(hallA)
			for _, e := range tt.heads {
				h.push(e)
			}
			s := tp.stats()
			if s.Halls[hallA.Code].AuditMismatch != tt.mismatch || s.Halls[hallB.Code].AuditMismatch {
				t.Fatalf("audit_mismatch %v, want %v", s.Halls[hallA.Code].AuditMismatch, tt.mismatch)
			}
			v, err := tp.HallView(context.Background(), hallA.Code)
			if err != nil {
				t.Fatal(err)
			}
			if (len(v.AuditMismatches) > 0) != tt.mismatch {
				t.Fatalf("mismatches %+v", v.AuditMismatches)
			}
		})
	}
}

// TestHallView: the view per kind, over HTTP.
func TestHallView(t *testing.T) {
	tp := newProvince(t, Options{})
	h := tp.hall(hallA)
	rating := func(key string, seq, id int64, level int, when time.Time) exchange.Event {
		return event(key, exchange.KindRatingRecorded, "rating-of:ticket:2026-11-26/A001", seq, exchange.RatingRecorded{
			ID: id, Target: "ticket:2026-11-26/A001", Level: level, Channel: "kiosk", At: when})
	}
	h.push(ticket("t-1", 1, "A001"), ticket("t-2", 2, "A002"),
		rating("r-1", 3, 1, 1, at), rating("r-2", 4, 2, 5, at.Add(time.Hour)),
		event("f-1", exchange.KindRatingFollowup, "rating-of:ticket:2026-11-26/A001", 5, exchange.RatingFollowup{RatingID: 1, Stage: "called_back", By: "lisi", At: at}),
		event("c-1", exchange.KindCertificateIssued, "certificate:S1", 6, exchange.CertificateIssued{Serial: "S1", KID: "k", Type: "YYZZ", IssuedAt: at, RecordSHA256: hex64('e')}),
		revokedCert("c-2", 7, "S1"))
	resp, err := http.Get(tp.srv.URL + "/debug/halls/" + hallA.Code)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var v HallView
	if err := json.NewDecoder(resp.Body).Decode(&v); err != nil {
		t.Fatal(err)
	}
	if len(v.Tickets) != 1 || v.Tickets[0].Count != 2 || v.Tickets[0].MeanWaitS != 300 {
		t.Errorf("tickets %+v", v.Tickets)
	}
	if len(v.Ratings) != 1 || v.Ratings[0].Level != 5 || v.Ratings[0].RatingID != 2 || v.Ratings[0].Ratings != 2 {
		t.Errorf("ratings %+v", v.Ratings)
	}
	if len(v.Followups) != 1 || len(v.Certificates) != 1 || v.Certificates[0].RevokedAt.IsZero() || v.Certificates[0].Type != "YYZZ" {
		t.Errorf("follow-ups %+v certificates %+v", v.Followups, v.Certificates)
	}
	if v.Counts.Applied != 7 {
		t.Errorf("counts %+v", v.Counts)
	}
	resp2, err := http.Get(tp.srv.URL + "/debug/halls/999999-NONE")
	if err != nil {
		t.Fatal(err)
	}
	resp2.Body.Close()
	if resp2.StatusCode != 404 {
		t.Errorf("an unknown hall's view: %d", resp2.StatusCode)
	}
}
