package exchange

import (
	"encoding/json"
	"testing"
)

func keyed(keys ...string) []Event {
	out := make([]Event, len(keys))
	for i, k := range keys {
		out[i] = Event{Key: k, Kind: KindAuditHead, Aggregate: "audit", Seq: int64(i + 1), OccurredAt: at, Data: json.RawMessage(`{}`)}
	}
	return out
}

// TestBatchKey: the key is the documented digest of the hall and the
// events' keys, stable across releases (a hall restarted onto a new
// version must name the same batch the same way).
func TestBatchKey(t *testing.T) {
	base := BatchKey("520000-ZWFW", keyed("1-1", "1-2", "1-3"))
	// SHA-256("520000-ZWFW" 0 "1-1" 0 "1-2" 0 "1-3"), first 16 bytes in hex.
	if want := "batch-07f4e4e65174fa2004b7b282182c1440"; base != want {
		t.Fatalf("BatchKey = %s, want %s", base, want)
	}
	changedData := keyed("1-1", "1-2", "1-3")
	changedData[1].Data, changedData[1].Seq, changedData[1].Kind = json.RawMessage(`{"x":1}`), 99, KindTicketSummary
	tests := []struct {
		name   string
		key    string
		differ bool
	}{
		{"the same events", BatchKey("520000-ZWFW", keyed("1-1", "1-2", "1-3")), false},
		{"only keys count", BatchKey("520000-ZWFW", changedData), false},
		{"another order", BatchKey("520000-ZWFW", keyed("1-2", "1-1", "1-3")), true},
		{"another hall", BatchKey("520100-ZWFW", keyed("1-1", "1-2", "1-3")), true},
		{"one event fewer", BatchKey("520000-ZWFW", keyed("1-1", "1-2")), true},
		{"keys split elsewhere", BatchKey("520000-ZWFW", keyed("1-11", "-2", "1-3")), true},
		{"the hall's code running into a key", BatchKey("520000-ZWF", keyed("W1-1", "1-2", "1-3")), true},
	}
	for _, tt := range tests {
		if (tt.key != base) != tt.differ {
			t.Errorf("%s: %s vs %s, want differ=%v", tt.name, tt.key, base, tt.differ)
		}
	}
	if BatchKey("520000-ZWFW", nil) == BatchKey("520100-ZWFW", nil) {
		t.Error("empty batches of two halls have one key")
	}
}
