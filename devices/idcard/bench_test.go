package idcard_test

import (
	"context"
	"testing"
	"time"

	"onestop/devices/devicetest"
	"onestop/devices/idcard"
)

// BenchmarkReadCardOverPTY reads a card (find, select, read) from the
// simulator sending at 115200 baud, and reports how close that comes to
// the line rate: min-ms/op is the time the bytes take on the wire both
// ways (10 bits a byte), ratio is measured / min (target ≤ 1.25).
func BenchmarkReadCardOverPTY(b *testing.B) {
	const baud = 115200
	rig := newSimRig(b, baud, &idcard.Opts{}, nil)
	ctx := context.Background()
	sample := devicetest.IDCardSamples()[devicetest.IDCardSampleHan]
	rig.sim.PlaceCard(sample)
	if _, err := rig.r.Read(ctx); err != nil { // warm up
		b.Fatal(err)
	}
	before := rig.sim.Stats()
	var elapsed time.Duration
	b.ResetTimer()
	for b.Loop() {
		b.StopTimer()
		rig.sim.PlaceCard(sample) // a new placement: find succeeds again
		b.StartTimer()
		start := time.Now()
		if _, err := rig.r.Read(ctx); err != nil {
			b.Fatal(err)
		}
		elapsed += time.Since(start)
	}
	after := rig.sim.Stats()
	n := float64(b.N)
	wire := float64(after.BytesIn+after.BytesOut-before.BytesIn-before.BytesOut) / n
	minimum := wire * 10 / baud // seconds
	measured := elapsed.Seconds() / n
	b.ReportMetric(wire, "wire-bytes/op")
	b.ReportMetric(minimum*1000, "min-ms/op")
	b.ReportMetric(measured*1000, "ms/read")
	b.ReportMetric(measured/minimum, "ratio")
}
