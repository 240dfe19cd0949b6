package cert

import (
	"bytes"
	"encoding/hex"
	"testing"
	"time"
)

func TestRecordDigest(t *testing.T) {
	base := typicalRecord()
	d := RecordDigest(base)
	if len(d) != DigestSize {
		t.Fatalf("digest has %d bytes", len(d))
	}
	// pinned: an online verifier in another program must compute the same
	golden(t, "typical-digest.hex", []byte(hex.EncodeToString(d)+"\n"))

	same := []struct {
		name   string
		change func(r *Record)
	}{
		{"fields rebuilt in another order", func(r *Record) {
			f := map[string]string{}
			for _, k := range []string{"其他", "坐落", "不动产单元号", "证明权利或事项"} {
				f[k] = base.Fields[k]
			}
			r.Fields = f
		}},
		{"lower-case x in ID", func(r *Record) { r.HolderID = "52010219900307123x" }},
		{"surrounding space", func(r *Record) { r.HolderName = " 王小明 " }},
		{"NFD text", func(r *Record) {
			r.Fields = map[string]string{"其他": "e\u0301", "坐落": base.Fields["坐落"], "不动产单元号": base.Fields["不动产单元号"], "证明权利或事项": base.Fields["证明权利或事项"]}
		}},
		{"other time zone", func(r *Record) { r.IssuedAt = r.IssuedAt.UTC() }},
		{"sub-second issue time", func(r *Record) { r.IssuedAt = r.IssuedAt.Add(300 * time.Millisecond) }},
	}
	nfc := base
	nfc.Fields = map[string]string{"其他": "\u00e9", "坐落": base.Fields["坐落"], "不动产单元号": base.Fields["不动产单元号"], "证明权利或事项": base.Fields["证明权利或事项"]}
	for _, tt := range same {
		t.Run("same/"+tt.name, func(t *testing.T) {
			r := typicalRecord()
			tt.change(&r)
			want := d
			if tt.name == "NFD text" {
				want = RecordDigest(nfc)
			}
			if !bytes.Equal(RecordDigest(r), want) {
				t.Error("digest changed")
			}
		})
	}

	differ := []struct {
		name   string
		change func(r *Record)
	}{
		{"type", func(r *Record) { r.Type = "BDC-ZS" }},
		{"title", func(r *Record) { r.Title = "不动产权证书" }},
		{"issuer", func(r *Record) { r.Issuer = otherHall }},
		{"serial", func(r *Record) { r.Serial[11]++ }},
		{"version", func(r *Record) { r.Version = 2 }},
		{"issued", func(r *Record) { r.IssuedAt = r.IssuedAt.Add(time.Second) }},
		{"expires", func(r *Record) { r.Expires = r.IssuedAt.AddDate(1, 0, 0) }},
		{"status index", func(r *Record) { r.StatusIndex++ }},
		{"name", func(r *Record) { r.HolderName = "王晓明" }},
		{"ID birth date", func(r *Record) { r.HolderID = "52010219900308123X" }},
		{"salt", func(r *Record) { r.Salt = NewSalt() }},
		{"no salt", func(r *Record) { r.Salt = nil }},
		{"field value", func(r *Record) { r.Fields = map[string]string{"坐落": "贵阳市"} }},
		{"field moved to another name", func(r *Record) {
			r.Fields = map[string]string{"其他": base.Fields["坐落"], "坐落": base.Fields["其他"], "不动产单元号": base.Fields["不动产单元号"], "证明权利或事项": base.Fields["证明权利或事项"]}
		}},
		{"no fields", func(r *Record) { r.Fields = nil }},
	}
	for _, tt := range differ {
		t.Run("differ/"+tt.name, func(t *testing.T) {
			r := typicalRecord()
			tt.change(&r)
			if bytes.Equal(RecordDigest(r), d) {
				t.Error("digest did not change")
			}
		})
	}
}

func TestRecordClaims(t *testing.T) {
	r := typicalRecord()
	r.IssuedAt = r.IssuedAt.Add(999 * time.Millisecond)
	c := r.Claims()
	if c.HolderIDLast4 != "123X" || c.HolderName != "王小明" || c.Title != "不动产登记证明" || c.IssuedAt.Nanosecond() != 0 ||
		c.Issuer != hallCode || c.Type != "BDC-ZM" || c.Serial != r.Serial || c.StatusIndex != 1234 || !bytes.Equal(c.Digest, RecordDigest(r)) {
		t.Fatalf("%+v", c)
	}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	r.HolderID = "G1234"
	if c := r.Claims(); c.HolderIDLast4 != "1234" {
		t.Errorf("passport: %q", c.HolderIDLast4)
	}
	r.HolderID = "12"
	if c := r.Claims(); c.HolderIDLast4 != "12" {
		t.Errorf("short: %q", c.HolderIDLast4)
	}
}
