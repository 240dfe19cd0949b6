package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"

	"onestop/devices/idcard"
	"onestop/devices/serialport"
)

// cardJSON is `idcard read --json`: one object with fixed keys.
type cardJSON struct {
	CardType      string `json:"card_type"`
	Name          string `json:"name"`
	NameEn        string `json:"name_en"`
	Gender        string `json:"gender"`
	Nation        string `json:"nation"`
	BirthDate     string `json:"birth_date"`
	Address       string `json:"address"`
	IDNumber      string `json:"id_number"`
	IDNumberValid bool   `json:"id_number_valid"`
	Authority     string `json:"authority"`
	ValidFrom     string `json:"valid_from"`
	ValidTo       string `json:"valid_to"`
}

// cardTypes names the four kinds in JSON.
var cardTypes = map[idcard.Kind]string{
	idcard.KindResident:        "resident_id",
	idcard.KindResidencePermit: "hmt_residence_permit",
	idcard.KindForeigner2017:   "foreigner_permanent_2017",
	idcard.KindForeigner2023:   "foreigner_permanent_2023",
	idcard.KindUnknown:         "unknown",
}

func date(d idcard.Date) string {
	if d.IsZero() {
		return ""
	}
	return d.String()
}

func toJSON(c idcard.Card) cardJSON {
	j := cardJSON{CardType: cardTypes[c.Kind], Name: c.Name, NameEn: c.NameEn, Gender: c.Gender.String(),
		Nation: c.Nation, BirthDate: date(c.BirthDate), Address: c.Address, IDNumber: c.IDNumber,
		IDNumberValid: c.IDNumberValid, Authority: c.Authority, ValidFrom: date(c.ValidFrom), ValidTo: date(c.ValidTo)}
	if c.ValidLongTerm {
		j.ValidTo = "长期"
	}
	return j
}

// openReader opens the card reader's port at --baud, or finds the speed
// with --baud auto.
func (e env) openReader(port, baud string) (*idcard.Reader, int, func(), error) {
	if port == "" {
		return nil, 0, nil, usageError{"--port is required: the reader's serial device, e.g. /dev/ttyUSB0 (see devicectl ports)"}
	}
	if baud == "auto" {
		b, rw, err := idcard.DetectBaud(e.ctx, func(b int) (io.ReadWriteCloser, error) { return openPort(port, b) }, nil)
		if err != nil {
			return nil, 0, nil, fmt.Errorf("%w: no reader answered at any speed: check the cable and power, and that %s is the reader", err, port)
		}
		return idcard.New(rw, nil), b, func() { rw.Close() }, nil
	}
	b, err := strconv.Atoi(baud)
	if err != nil {
		return nil, 0, nil, usageError{"--baud must be a number (115200, 57600, 38400, 19200, 9600) or auto"}
	}
	sp, err := openPort(port, b)
	if err != nil {
		return nil, 0, nil, err
	}
	return idcard.New(sp, nil), b, func() { sp.Close() }, nil
}

func (e env) idcardRead(args []string) error {
	fs := flags("idcard read")
	port := fs.String("port", "", "")
	baud := fs.String("baud", "115200", "")
	asJSON := fs.Bool("json", false, "")
	timeout := fs.Duration("timeout", 10*time.Second, "")
	if err := parse(fs, args); err != nil {
		return err
	}
	r, _, done, err := e.openReader(*port, *baud)
	if err != nil {
		return err
	}
	defer done()
	// Wait for a card for up to --timeout, polling as the kiosk does.
	deadline := time.Now().Add(*timeout)
	for {
		present, err := r.FindCard(e.ctx)
		if err != nil {
			return readerProblem(err)
		}
		if present {
			break
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("no card on the reader after %s: place the card flat on the marked area (a card left lying there since the last read must be lifted and placed again: readers report each placement once)", *timeout)
		}
		select {
		case <-e.ctx.Done():
			return e.ctx.Err()
		case <-time.After(300 * time.Millisecond):
		}
	}
	if _, err := r.SelectCard(e.ctx); err != nil {
		return readerProblem(err)
	}
	card, err := r.ReadCard(e.ctx)
	// A card that fails a check (ID number, a field) comes back filled in:
	// show it, then say what failed.
	invalid := errors.Is(err, idcard.ErrInvalidCard)
	if err != nil && !invalid {
		return readerProblem(err)
	}
	if *asJSON {
		if err := json.NewEncoder(e.stdout).Encode(toJSON(card)); err != nil {
			return err
		}
	} else {
		printCard(e, card)
	}
	if invalid {
		return fmt.Errorf("the card was read but fails a check: %w", err)
	}
	return nil
}

func printCard(e env, c idcard.Card) {
	j := toJSON(c)
	rows := [][2]string{{"证件类型 Type", c.Kind.String() + " / " + c.Kind.NameEN()}, {"姓名 Name", j.Name},
		{"英文名 Name (en)", j.NameEn}, {"性别 Sex", j.Gender}, {"民族 Nation", j.Nation}, {"出生 Born", j.BirthDate},
		{"住址 Address", j.Address}, {"证件号 Number", j.IDNumber}, {"签发机关 Authority", j.Authority},
		{"有效期 Valid", j.ValidFrom + " – " + j.ValidTo}}
	for _, r := range rows {
		if r[1] != "" && r[1] != " – " {
			fmt.Fprintf(e.stdout, "%-20s %s\n", r[0], r[1])
		}
	}
	check := "ok"
	if !c.IDNumberValid {
		check = "FAILED: the number's check digit or birth date is wrong"
	}
	fmt.Fprintf(e.stdout, "%-20s %s\n", "校验 Check", check)
	fmt.Fprintf(e.stdout, "%-20s %d bytes (WLT; decoded by the vendor library)\n", "照片 Photo", len(c.Photo))
}

func (e env) idcardWatch(args []string) error {
	fs := flags("idcard watch")
	port := fs.String("port", "", "")
	baud := fs.String("baud", "115200", "")
	if err := parse(fs, args); err != nil {
		return err
	}
	r, b, done, err := e.openReader(*port, *baud)
	if err != nil {
		return err
	}
	defer done()
	fmt.Fprintf(e.stderr, "watching %s at %d baud; place and remove cards (Ctrl-C to stop)\n", *port, b)
	events := make(chan idcard.Event)
	errc := make(chan error, 1)
	go func() { errc <- idcard.Watch(e.ctx, r, 500*time.Millisecond, events) }()
	for {
		select {
		case err := <-errc:
			if e.ctx.Err() != nil {
				return nil
			}
			return err
		case ev, ok := <-events:
			if !ok { // Watch has returned: report why
				if err := <-errc; err != nil && e.ctx.Err() == nil {
					return err
				}
				return nil
			}
			at := ev.Time.Format("15:04:05")
			switch ev.Kind {
			case idcard.EventPlaced:
				valid := "number ok"
				if !ev.Card.IDNumberValid {
					valid = "NUMBER FAILS THE CHECK"
				}
				fmt.Fprintf(e.stdout, "%s placed  %s %s %s (%s)\n", at, ev.Card.Kind, idcard.MaskName(ev.Card.Name),
					idcard.MaskIDNumber(ev.Card.IDNumber), valid)
			case idcard.EventRemoved:
				fmt.Fprintf(e.stdout, "%s removed\n", at)
			default:
				fmt.Fprintf(e.stdout, "%s error   %v\n", at, readerProblem(ev.Err))
			}
		}
	}
}

// readerProblem adds what to check to a reader error.
func readerProblem(err error) error {
	var to *idcard.TimeoutError
	var pe *serialport.PortError
	switch {
	case errors.As(err, &pe):
		return err // already says what to do
	case errors.As(err, &to):
		return fmt.Errorf("%w: the reader did not answer: check power and cable, and the speed (--baud auto finds it)", err)
	}
	return err
}
