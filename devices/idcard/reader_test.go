package idcard_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"strings"
	"testing"
	"time"

	"onestop/devices/devicetest"
	"onestop/devices/idcard"
)

// The request frames, written out from the protocol document.
var (
	reqReset      = pre(0x00, 0x03, 0x10, 0xFF, 0xEC)
	reqSAMStatus  = pre(0x00, 0x03, 0x11, 0xFF, 0xED)
	reqSAMID      = pre(0x00, 0x03, 0x12, 0xFF, 0xEE)
	reqFind       = pre(0x00, 0x03, 0x20, 0x01, 0x22)
	reqSelect     = pre(0x00, 0x03, 0x20, 0x02, 0x21)
	reqRead       = pre(0x00, 0x03, 0x30, 0x01, 0x32)
	reqAddress    = pre(0x00, 0x03, 0x30, 0x03, 0x30)
	reqManagement = pre(0x00, 0x03, 0x30, 0x05, 0x36)
	reqReadFP     = pre(0x00, 0x03, 0x30, 0x10, 0x23)
	reqBaud57600  = pre(0x00, 0x03, 0x60, 0x01, 0x62)
	reqMaxRF50    = pre(0x00, 0x04, 0x61, 0xFF, 0x50, 0xCA)
)

var (
	respOK      = pre(0x00, 0x04, 0x00, 0x00, 0x90, 0x94)
	respFound   = pre(0x00, 0x08, 0x00, 0x00, 0x9F, 0x00, 0x00, 0x00, 0x00, 0x97)
	respNoCard  = pre(0x00, 0x04, 0x00, 0x00, 0x80, 0x84)
	respNoEntry = pre(0x00, 0x04, 0x00, 0x00, 0x91, 0x95)
)

// playback runs f on a Reader over a Playback of ops and checks the
// script was played through.
func playback(t *testing.T, ops []devicetest.Exchange, opts *idcard.Opts, f func(r *idcard.Reader)) {
	t.Helper()
	if opts == nil {
		opts = &idcard.Opts{HeaderTimeout: 50 * time.Millisecond, TotalTimeout: 100 * time.Millisecond}
	}
	p := &devicetest.Playback{Ops: ops}
	f(idcard.New(p, opts))
	if err := p.Close(); err != nil {
		t.Error(err)
	}
}

func samIDBytes(a, b uint16, c, d, e uint32) []byte {
	var x []byte
	x = binary.LittleEndian.AppendUint16(x, a)
	x = binary.LittleEndian.AppendUint16(x, b)
	x = binary.LittleEndian.AppendUint32(x, c)
	x = binary.LittleEndian.AppendUint32(x, d)
	return binary.LittleEndian.AppendUint32(x, e)
}

// TestCommandsPlayback plays every command at the byte level.
func TestCommandsPlayback(t *testing.T) {
	ctx := context.Background()
	samples := devicetest.IDCardSamples()
	tujia := samples[devicetest.IDCardSampleTujia] // has a fingerprint
	han := samples[devicetest.IDCardSampleHan]     // has none
	serial := []byte{1, 2, 3, 4, 5, 6, 7, 8}
	mgmt := bytes.Repeat([]byte{0x5A}, 28)
	tests := []struct {
		name string
		ops  []devicetest.Exchange
		run  func(r *idcard.Reader) error
	}{
		{"reset", []devicetest.Exchange{{Write: reqReset, Read: respOK}}, func(r *idcard.Reader) error {
			return r.Reset(ctx)
		}},
		{"SAM status", []devicetest.Exchange{{Write: reqSAMStatus, Read: respOK}}, func(r *idcard.Reader) error {
			return r.SAMStatus(ctx)
		}},
		{"SAM ID", []devicetest.Exchange{{Write: reqSAMID, Read: idcard.EncodeResponse(idcard.StatusOK, samIDBytes(5, 1, 20101215, 11223344, 1234567890))}}, func(r *idcard.Reader) error {
			id, err := r.SAMID(ctx)
			if err == nil && id != "05.01-20101215-0011223344-1234567890" {
				t.Errorf("SAMID = %q", id)
			}
			return err
		}},
		{"find card: found", []devicetest.Exchange{{Write: reqFind, Read: respFound}}, func(r *idcard.Reader) error {
			found, err := r.FindCard(ctx)
			if err == nil && !found {
				t.Error("FindCard = false on 0x9F")
			}
			return err
		}},
		{"find card: no card", []devicetest.Exchange{{Write: reqFind, Read: respNoCard}}, func(r *idcard.Reader) error {
			found, err := r.FindCard(ctx)
			if found {
				t.Error("FindCard = true on 0x80")
			}
			return err
		}},
		{"select card", []devicetest.Exchange{{Write: reqSelect, Read: idcard.EncodeResponse(idcard.StatusOK, serial)}}, func(r *idcard.Reader) error {
			sn, err := r.SelectCard(ctx)
			if err == nil && !bytes.Equal(sn, serial) {
				t.Errorf("SelectCard = % X", sn)
			}
			return err
		}},
		{"read card", []devicetest.Exchange{{Write: reqRead, Read: idcard.EncodeResponse(idcard.StatusOK, devicetest.IDCardReadData(han, false))}}, func(r *idcard.Reader) error {
			c, err := r.ReadCard(ctx)
			if err == nil && (c.IDNumber != han.IDNumber || !bytes.Equal(c.Photo, han.Photo) || c.Fingerprint != nil) {
				t.Errorf("ReadCard = %+v", c)
			}
			return err
		}},
		{"read card with fingerprint", []devicetest.Exchange{{Write: reqReadFP, Read: idcard.EncodeResponse(idcard.StatusOK, devicetest.IDCardReadData(tujia, true))}}, func(r *idcard.Reader) error {
			c, err := r.ReadCardWithFingerprint(ctx)
			if err == nil && (c.Name != "田茂林" || !bytes.Equal(c.Fingerprint, tujia.Fingerprint) || !bytes.Equal(c.Photo, tujia.Photo)) {
				t.Errorf("ReadCardWithFingerprint = %+v", c)
			}
			return err
		}},
		{"read card with fingerprint, card has none", []devicetest.Exchange{{Write: reqReadFP, Read: idcard.EncodeResponse(idcard.StatusOK, devicetest.IDCardReadData(han, true))}}, func(r *idcard.Reader) error {
			c, err := r.ReadCardWithFingerprint(ctx)
			if err == nil && (c.Fingerprint != nil || len(c.Photo) != 1024) {
				t.Errorf("ReadCardWithFingerprint = fingerprint %d bytes, photo %d", len(c.Fingerprint), len(c.Photo))
			}
			return err
		}},
		{"read additional address", []devicetest.Exchange{{Write: reqAddress, Read: idcard.EncodeResponse(idcard.StatusOK, devicetest.IDCardAddressText("贵州省凯里市北京东路36号"))}}, func(r *idcard.Reader) error {
			a, err := r.ReadAdditionalAddress(ctx)
			if err == nil && a != "贵州省凯里市北京东路36号" {
				t.Errorf("ReadAdditionalAddress = %q", a)
			}
			return err
		}},
		{"read additional address: none", []devicetest.Exchange{{Write: reqAddress, Read: respNoEntry}}, func(r *idcard.Reader) error {
			a, err := r.ReadAdditionalAddress(ctx)
			if a != "" {
				t.Errorf("ReadAdditionalAddress = %q", a)
			}
			return err
		}},
		{"read management number", []devicetest.Exchange{{Write: reqManagement, Read: idcard.EncodeResponse(idcard.StatusOK, mgmt)}}, func(r *idcard.Reader) error {
			m, err := r.ReadManagementNumber(ctx)
			if err == nil && !bytes.Equal(m, mgmt) {
				t.Errorf("ReadManagementNumber = % X", m)
			}
			return err
		}},
		{"set SAM baud", []devicetest.Exchange{{Write: reqBaud57600, Read: respOK}}, func(r *idcard.Reader) error {
			return r.SetSAMBaud(ctx, 57600)
		}},
		{"set max RF frame", []devicetest.Exchange{{Write: reqMaxRF50, Read: respOK}}, func(r *idcard.Reader) error {
			return r.SetMaxRFFrame(ctx, 0x50)
		}},
		{"raw command", []devicetest.Exchange{{Write: reqSAMStatus, Read: respNoCard}}, func(r *idcard.Reader) error {
			resp, err := r.Command(ctx, 0x11, 0xFF, nil)
			if err == nil && (resp.Status != idcard.StatusNoCard || resp.SW1 != 0 || resp.SW2 != 0 || len(resp.Data) != 0) {
				t.Errorf("Command = %+v", resp)
			}
			return err
		}},
		{"read: find, select, read", []devicetest.Exchange{
			{Write: reqFind, Read: respFound},
			{Write: reqSelect, Read: idcard.EncodeResponse(idcard.StatusOK, serial)},
			{Write: reqRead, Read: idcard.EncodeResponse(idcard.StatusOK, devicetest.IDCardReadData(han, false))},
		}, func(r *idcard.Reader) error {
			c, err := r.Read(ctx)
			if err == nil && (c.Name != han.Name || c.Nation != "汉") {
				t.Errorf("Read = %+v", c)
			}
			return err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			playback(t, tt.ops, nil, func(r *idcard.Reader) {
				if err := tt.run(r); err != nil {
					t.Errorf("error: %v", err)
				}
			})
		})
	}
}

func TestSetSAMBaudCodes(t *testing.T) {
	for code, baud := range idcard.Bauds {
		req := idcard.EncodeRequest(0x60, byte(code), nil)
		playback(t, []devicetest.Exchange{{Write: req, Read: respOK}}, nil, func(r *idcard.Reader) {
			if err := r.SetSAMBaud(context.Background(), baud); err != nil {
				t.Errorf("SetSAMBaud(%d): %v", baud, err)
			}
		})
	}
	if err := idcard.New(&devicetest.Playback{}, nil).SetSAMBaud(context.Background(), 4800); err == nil {
		t.Error("SetSAMBaud(4800) sent a command")
	}
}

// TestEveryStatusPlayback answers commands with every SW3 code.
func TestEveryStatusPlayback(t *testing.T) {
	ctx := context.Background()
	once := &idcard.Opts{HeaderTimeout: 50 * time.Millisecond, Attempts: 1}
	for _, st := range idcard.Statuses {
		resp := idcard.EncodeResponse(st, nil)
		t.Run(st.MessageEN(), func(t *testing.T) {
			playback(t, []devicetest.Exchange{{Write: reqSAMStatus, Read: resp}}, once, func(r *idcard.Reader) {
				err := r.SAMStatus(ctx)
				if st == idcard.StatusOK {
					if err != nil {
						t.Errorf("SAMStatus on 0x90: %v", err)
					}
					return
				}
				var got idcard.Status
				if !errors.Is(err, st) || !errors.As(err, &got) || got != st {
					t.Errorf("SAMStatus on 0x%02X = %v", byte(st), err)
				}
				if err != nil && !strings.HasPrefix(err.Error(), "idcard: SAM status: ") {
					t.Errorf("message %q", err)
				}
			})
			playback(t, []devicetest.Exchange{{Write: reqFind, Read: resp}}, once, func(r *idcard.Reader) {
				found, err := r.FindCard(ctx)
				switch st {
				case idcard.StatusFound:
					if !found || err != nil {
						t.Errorf("FindCard on 0x9F = %v, %v", found, err)
					}
				case idcard.StatusNoCard:
					if found || err != nil {
						t.Errorf("FindCard on 0x80 = %v, %v", found, err)
					}
				default:
					if found || !errors.Is(err, st) {
						t.Errorf("FindCard on 0x%02X = %v, %v", byte(st), found, err)
					}
				}
			})
			playback(t, []devicetest.Exchange{{Write: reqRead, Read: resp}}, once, func(r *idcard.Reader) {
				if _, err := r.ReadCard(ctx); st != idcard.StatusOK && !errors.Is(err, st) {
					t.Errorf("ReadCard on 0x%02X = %v", byte(st), err)
				}
			})
		})
	}
}

func TestStatusMessages(t *testing.T) {
	seenZH, seenEN := map[string]bool{}, map[string]bool{}
	for _, st := range idcard.Statuses {
		zh, en := st.MessageZH(), st.MessageEN()
		if !st.Known() || zh == "" || en == "" || seenZH[zh] || seenEN[en] || strings.Contains(zh, "未知状态码") {
			t.Errorf("0x%02X: %q / %q", byte(st), zh, en)
		}
		seenZH[zh], seenEN[en] = true, true
		if !strings.Contains(st.Error(), en) {
			t.Errorf("Error() = %q lacks %q", st.Error(), en)
		}
	}
	if len(idcard.Statuses) != 18 {
		t.Errorf("%d statuses, the document has 18", len(idcard.Statuses))
	}
	if u := idcard.Status(0x55); u.Known() || u.MessageZH() != "未知状态码 0x55" || u.MessageEN() != "unknown status 0x55" {
		t.Errorf("unknown status: %v %q", u.Known(), u.MessageZH())
	}
	if !idcard.StatusOK.OK() || !idcard.StatusFound.OK() || idcard.StatusNoCard.OK() {
		t.Error("OK()")
	}
	if !errors.Is(idcard.ErrNoCard, idcard.StatusNoCard) {
		t.Error("ErrNoCard is not StatusNoCard")
	}
	if idcard.StatusNoCard.MessageZH() != "寻找证/卡失败（无卡）" || idcard.StatusSAMAuthCard.MessageZH() != "SAM认证证/卡失败" {
		t.Error("Chinese messages changed")
	}
}

// TestRetryPlayback: damaged answers are retried, up to Opts.Attempts.
func TestRetryPlayback(t *testing.T) {
	ctx := context.Background()
	corrupt := bytes.Clone(respOK)
	corrupt[len(corrupt)-1] ^= 0xFF
	badLen := pre(0x7F, 0x00)
	samErr := idcard.EncodeResponse(idcard.StatusChecksum, nil)
	opts := &idcard.Opts{HeaderTimeout: 40 * time.Millisecond, TotalTimeout: 80 * time.Millisecond, Attempts: 3}
	tests := []struct {
		name         string
		ops          []devicetest.Exchange
		wantErr      error
		wantAttempts int
	}{
		{"checksum, then good", []devicetest.Exchange{{Write: reqSAMStatus, Read: corrupt}, {Write: reqSAMStatus, Read: respOK}}, nil, 0},
		{"silence, then good", []devicetest.Exchange{{Write: reqSAMStatus}, {Write: reqSAMStatus, Read: respOK}}, nil, 0},
		{"bad length, then good", []devicetest.Exchange{{Write: reqSAMStatus, Read: badLen}, {Write: reqSAMStatus, Read: respOK}}, nil, 0},
		{"SAM saw a bad checksum, then good", []devicetest.Exchange{{Write: reqSAMStatus, Read: samErr}, {Write: reqSAMStatus, Read: respOK}}, nil, 0},
		{"three corrupted answers", []devicetest.Exchange{{Write: reqSAMStatus, Read: corrupt}, {Write: reqSAMStatus, Read: corrupt}, {Write: reqSAMStatus, Read: corrupt}}, idcard.ErrChecksum, 3},
		{"three silences", []devicetest.Exchange{{Write: reqSAMStatus}, {Write: reqSAMStatus}, {Write: reqSAMStatus}}, idcard.ErrTimeout, 3},
		{"SAM keeps seeing bad frames", []devicetest.Exchange{{Write: reqSAMStatus, Read: samErr}, {Write: reqSAMStatus, Read: samErr}, {Write: reqSAMStatus, Read: samErr}}, idcard.StatusChecksum, 0},
		{"error statuses are not retried", []devicetest.Exchange{{Write: reqSAMStatus, Read: idcard.EncodeResponse(idcard.StatusSelfTest, nil)}}, idcard.StatusSelfTest, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			playback(t, tt.ops, opts, func(r *idcard.Reader) {
				err := r.SAMStatus(ctx)
				if tt.wantErr == nil {
					if err != nil {
						t.Fatalf("SAMStatus: %v", err)
					}
					return
				}
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("SAMStatus = %v, want %v", err, tt.wantErr)
				}
				var oe *idcard.OpError
				if !errors.As(err, &oe) || oe.Op != "SAM status" {
					t.Fatalf("%v is not an *OpError of SAM status", err)
				}
				if tt.wantAttempts > 0 && oe.Attempts != tt.wantAttempts {
					t.Errorf("Attempts = %d, want %d", oe.Attempts, tt.wantAttempts)
				}
			})
		})
	}
}

func TestReadPlaybackOutcomes(t *testing.T) {
	ctx := context.Background()
	serial := idcard.EncodeResponse(idcard.StatusOK, make([]byte, 8))
	badCard := devicetest.IDCardSampleBadCheck()
	miao := devicetest.IDCardSamples()[devicetest.IDCardSampleMiao]
	t.Run("no card", func(t *testing.T) {
		playback(t, []devicetest.Exchange{{Write: reqFind, Read: respNoCard}}, nil, func(r *idcard.Reader) {
			_, err := r.Read(ctx)
			if !errors.Is(err, idcard.ErrNoCard) || errors.Is(err, idcard.ErrInvalidCard) {
				t.Errorf("Read = %v, want ErrNoCard", err)
			}
		})
	})
	t.Run("select fails", func(t *testing.T) {
		playback(t, []devicetest.Exchange{{Write: reqFind, Read: respFound}, {Write: reqSelect, Read: idcard.EncodeResponse(idcard.StatusSelectFailed, nil)}}, nil, func(r *idcard.Reader) {
			if _, err := r.Read(ctx); !errors.Is(err, idcard.StatusSelectFailed) {
				t.Errorf("Read = %v", err)
			}
		})
	})
	t.Run("wrong check digit", func(t *testing.T) {
		playback(t, []devicetest.Exchange{
			{Write: reqFind, Read: respFound}, {Write: reqSelect, Read: serial},
			{Write: reqRead, Read: idcard.EncodeResponse(idcard.StatusOK, devicetest.IDCardReadData(badCard, false))},
		}, nil, func(r *idcard.Reader) {
			c, err := r.Read(ctx)
			if !errors.Is(err, idcard.ErrInvalidCard) || !errors.Is(err, idcard.ErrIDCheckDigit) {
				t.Fatalf("Read = %v, want a check digit error", err)
			}
			if c.IDNumberValid || c.IDNumber != badCard.IDNumber || c.Name != "赵伟" {
				t.Errorf("card = %+v; want it filled in and marked invalid", c)
			}
		})
	})
	t.Run("with fingerprint and additional address", func(t *testing.T) {
		playback(t, []devicetest.Exchange{
			{Write: reqFind, Read: respFound}, {Write: reqSelect, Read: serial},
			{Write: reqReadFP, Read: idcard.EncodeResponse(idcard.StatusOK, devicetest.IDCardReadData(miao, true))},
			{Write: reqAddress, Read: idcard.EncodeResponse(idcard.StatusOK, devicetest.IDCardAddressText(miao.AdditionalAddress))},
		}, &idcard.Opts{Fingerprint: true, AdditionalAddress: true}, func(r *idcard.Reader) {
			c, err := r.Read(ctx)
			if err != nil || c.AdditionalAddress != miao.AdditionalAddress || !c.ValidLongTerm {
				t.Errorf("Read = %+v, %v", c, err)
			}
		})
	})
	t.Run("lengths that do not add up", func(t *testing.T) {
		d := devicetest.IDCardReadData(miao, false)
		d[3]-- // photo length 1023
		playback(t, []devicetest.Exchange{{Write: reqRead, Read: idcard.EncodeResponse(idcard.StatusOK, d)}}, nil, func(r *idcard.Reader) {
			if _, err := r.ReadCard(ctx); !errors.Is(err, idcard.ErrLength) {
				t.Errorf("ReadCard = %v, want ErrLength", err)
			}
		})
	})
	t.Run("SAM ID of the wrong size", func(t *testing.T) {
		playback(t, []devicetest.Exchange{{Write: reqSAMID, Read: idcard.EncodeResponse(idcard.StatusOK, make([]byte, 15))}}, nil, func(r *idcard.Reader) {
			if _, err := r.SAMID(ctx); !errors.Is(err, idcard.ErrLength) {
				t.Errorf("SAMID = %v, want ErrLength", err)
			}
		})
	})
}

func TestFormatSAMID(t *testing.T) {
	got, err := idcard.FormatSAMID(samIDBytes(0xFFFF, 0, 0xFFFFFFFF, 0, 7))
	if err != nil || got != "65535.00-4294967295-0000000000-0000000007" {
		t.Errorf("FormatSAMID = %q, %v", got, err)
	}
	if id, _ := idcard.FormatSAMID(devicetest.IDCardSAMID[:]); id != devicetest.IDCardSAMIDFormatted {
		t.Errorf("the simulator's SAM ID formats as %q, it says %q", id, devicetest.IDCardSAMIDFormatted)
	}
}
