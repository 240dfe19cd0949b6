package devicetest

import (
	"bytes"
	"io"
	"strings"
	"testing"
	"time"
)

func TestPlayback(t *testing.T) {
	p := &Playback{Ops: []Exchange{
		{Write: []byte{1, 2}, Read: []byte{9, 8, 7}},
		{Write: []byte{3}},
	}}
	buf := make([]byte, 2)
	if n, err := p.Read(buf); n != 0 || !IsTimeout(err) {
		t.Fatalf("read before any write = %d, %v; want a timeout", n, err)
	}
	if _, err := p.Write([]byte{1, 2}); err != nil {
		t.Fatal(err)
	}
	if n, _ := p.Read(buf); n != 2 || !bytes.Equal(buf, []byte{9, 8}) {
		t.Fatalf("first read % X", buf[:n])
	}
	if err := p.Close(); err == nil || !strings.Contains(err.Error(), "1 of 2 exchanges") {
		t.Fatalf("Close with the script half played: %v", err)
	}
	if n, _ := p.Read(buf); n != 1 || buf[0] != 7 {
		t.Fatalf("second read % X", buf[:n])
	}
	if _, err := p.Write([]byte{4}); err == nil || !strings.Contains(err.Error(), "exchange 1") {
		t.Fatalf("wrong write: %v", err)
	}
	if err := p.Close(); err == nil {
		t.Fatal("Close forgot the mismatch")
	}
}

func TestRecordReplays(t *testing.T) {
	script := []Exchange{{Write: []byte("ab"), Read: []byte("ba")}, {Write: []byte("xyz"), Read: []byte("zyx")}}
	rec := &Record{RW: &Playback{Ops: script}}
	for _, op := range script {
		if _, err := rec.Write(op.Write); err != nil {
			t.Fatal(err)
		}
		if got, _ := io.ReadAll(io.LimitReader(rec, int64(len(op.Read)))); !bytes.Equal(got, op.Read) {
			t.Fatalf("read %q, want %q", got, op.Read)
		}
	}
	if len(rec.Ops) != 2 || !bytes.Equal(rec.Ops[1].Write, []byte("xyz")) || !bytes.Equal(rec.Ops[1].Read, []byte("zyx")) {
		t.Fatalf("recorded %q", rec.Ops)
	}
	replay := &Playback{Ops: rec.Ops}
	replay.Write([]byte("ab"))
	replay.Write([]byte("xyz"))
	if got, _ := io.ReadAll(io.LimitReader(replay, 5)); string(got) != "bazyx" {
		t.Fatalf("replayed %q", got)
	}
	if err := replay.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestPTYCarriesBytesRaw(t *testing.T) {
	p, err := OpenPTY()
	if err != nil {
		t.Skipf("no pty on this machine: %v", err)
	}
	defer p.Close()
	// Every byte value must pass unchanged both ways (no CR/LF mapping, no echo).
	all := make([]byte, 256)
	for i := range all {
		all[i] = byte(i)
	}
	tty, err := openRaw(p.Path)
	if err != nil {
		t.Fatal(err)
	}
	defer tty.Close()
	go p.Master.Write(all)
	got := make([]byte, 0, 256)
	tty.SetReadDeadline(time.Now().Add(5 * time.Second))
	buf := make([]byte, 256)
	for len(got) < 256 {
		n, err := tty.Read(buf)
		if err != nil {
			t.Fatalf("after %d bytes: %v", len(got), err)
		}
		got = append(got, buf[:n]...)
	}
	if !bytes.Equal(got, all) {
		t.Fatalf("bytes changed on the way through the pty")
	}
}

func TestLineWriterPaces(t *testing.T) {
	var buf bytes.Buffer
	l := &LineWriter{W: &buf, Baud: 9600}
	start := time.Now()
	l.Write(make([]byte, 96)) // 96 bytes × 10 bits / 9600 baud = 100 ms on the wire
	if took := time.Since(start); took < 90*time.Millisecond {
		t.Fatalf("96 bytes at 9600 baud took %v; a line cannot be faster than 100 ms", took)
	}
	if buf.Len() != 96 {
		t.Fatalf("wrote %d bytes", buf.Len())
	}
	if ByteTime(115200) != 86805*time.Nanosecond {
		t.Fatalf("ByteTime(115200) = %v", ByteTime(115200))
	}
}
