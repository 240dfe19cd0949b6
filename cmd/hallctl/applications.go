package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"strings"

	"onestop/hallserver"
	"onestop/hallserver/application"
	"onestop/hallserver/certkeys"
	"onestop/hallserver/pii"
	"onestop/hallserver/store"
)

// application dispatches the application subcommands: what staff do at
// the window, from the command line (for back offices and scripts).
func (e env) application(sub string, args []string) error {
	switch sub {
	case "accept":
		return e.applicationAccept(args)
	case "event":
		return e.applicationEvent(args)
	case "show":
		return e.applicationShow(args)
	case "find":
		return e.applicationFind(args)
	case "number-format":
		return e.applicationNumberFormat(args)
	}
	return usageError{fmt.Sprintf("application %q: use accept, event, show, find or number-format", sub)}
}

func (e env) applicationAccept(args []string) error {
	var item, name, id, window, note *string
	var idStdin, asJSON *bool
	var ticket *int64
	return e.hallDirCmd("application accept", args, func(fs *flag.FlagSet) func() error {
		item, name, id = fs.String("item", "", ""), fs.String("applicant-name", "", ""), fs.String("applicant-id", "", "")
		window, note = fs.String("window", "", ""), fs.String("note", "", "")
		ticket = fs.Int64("ticket", 0, "")
		idStdin, asJSON = fs.Bool("applicant-id-stdin", false, ""), fs.Bool("json", false, "")
		return func() error {
			if *idStdin {
				line, err := e.readPassword()
				if err != nil {
					return usageError{"--applicant-id-stdin: no ID number on standard input"}
				}
				*id = strings.TrimSpace(line)
			}
			if (*item == "" && *ticket == 0) || *name == "" || *id == "" {
				return usageError{"application accept needs --item (or --ticket), --applicant-name and --applicant-id (or --applicant-id-stdin)"}
			}
			return nil
		}
	}, func(st *store.Store, dir string) error {
		vault, err := pii.OpenVault(dir)
		if err != nil {
			return err
		}
		norm := pii.Normalize(*id)
		sealed, err := vault.Seal(norm)
		if err != nil {
			return err
		}
		app, err := st.AcceptApplication(e.ctx, actor(), store.AcceptRequest{Item: *item, ApplicantName: *name,
			ApplicantHash: vault.LookupHash(norm), ApplicantSealed: sealed, ApplicantMasked: pii.Mask(norm),
			TicketID: *ticket, Window: *window, Note: *note})
		if err != nil {
			return err
		}
		return e.printApplication(st, app, *asJSON)
	})
}

func (e env) applicationEvent(args []string) error {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		return usageError{"application event needs the number first: hallctl application event NUMBER --data DIR --kind advance --step review"}
	}
	var kind, step, suspend, outcome, note *string
	var days *int
	var asJSON *bool
	var fields fieldFlags
	return e.hallDirCmd("application event", args[1:], func(fs *flag.FlagSet) func() error {
		kind, step, suspend = fs.String("kind", "", ""), fs.String("step", "", ""), fs.String("suspend", "", "")
		outcome, note, days = fs.String("outcome", "", ""), fs.String("note", "", ""), fs.Int("days", 0, "")
		asJSON = fs.Bool("json", false, "")
		fs.Var(&fields, "field", "")
		return func() error {
			if *kind == "" {
				return usageError{"application event needs --kind: advance, request_materials, materials_received, suspend, resume, extend or complete"}
			}
			return nil
		}
	}, func(st *store.Store, dir string) error {
		vault, err := pii.OpenVault(dir)
		if err != nil {
			return err
		}
		maker := &store.CertificateMaker{Keys: certkeys.Open(dir), HolderID: vault.Open}
		if len(fields) > 0 {
			maker.Fields = map[string]string{}
			for _, f := range fields {
				maker.Fields[f.Name] = f.Value
			}
		}
		app, err := st.RecordApplicationEvent(e.ctx, actor(), args[0], application.Event{Kind: application.EventKind(*kind),
			Step: application.Step(*step), Suspend: application.SuspendKind(*suspend), Days: *days,
			Outcome: application.Outcome(*outcome), Note: *note}, maker)
		if err != nil {
			return err
		}
		return e.printApplication(st, app, *asJSON)
	})
}

func (e env) applicationShow(args []string) error {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		return usageError{"application show needs the number first: hallctl application show NUMBER --data DIR"}
	}
	var asJSON *bool
	return e.hallCmd("application show", args[1:], func(fs *flag.FlagSet) func() error {
		asJSON = fs.Bool("json", false, "")
		return nil
	}, func(st *store.Store) error {
		app, err := st.ApplicationByNumber(e.ctx, args[0])
		if err != nil {
			return err
		}
		return e.printApplication(st, app, *asJSON)
	})
}

func (e env) applicationFind(args []string) error {
	var id, notice *string
	var asJSON *bool
	return e.hallDirCmd("application find", args, func(fs *flag.FlagSet) func() error {
		id, notice, asJSON = fs.String("applicant-id", "", ""), fs.String("notice", "", ""), fs.Bool("json", false, "")
		return func() error {
			if (*id == "") == (*notice == "") {
				return usageError{"application find needs --applicant-id ID or --notice QR-TEXT, one of them"}
			}
			return nil
		}
	}, func(st *store.Store, dir string) error {
		var apps []store.Application
		if *notice != "" {
			app, err := st.ApplicationByToken(e.ctx, *notice)
			if err != nil {
				return err
			}
			apps = []store.Application{app}
		} else {
			vault, err := pii.OpenVault(dir)
			if err != nil {
				return err
			}
			if apps, err = st.ApplicationsByApplicant(e.ctx, vault.LookupHash(pii.Normalize(*id))); err != nil {
				return err
			}
		}
		if len(apps) == 0 {
			fmt.Fprintln(e.stdout, "no applications")
		}
		for _, app := range apps {
			if err := e.printApplication(st, app, *asJSON); err != nil {
				return err
			}
		}
		return nil
	})
}

func (e env) applicationNumberFormat(args []string) error {
	fs := e.flags("application number-format")
	dir := fs.String("data", "", "")
	if err := fs.Parse(args); err != nil || fs.NArg() != 1 {
		return usageError{"application number-format needs --data DIR and the format, e.g. '{hall}-{date}-{seq:5}'"}
	}
	st, err := e.openHall(*dir)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := st.SetApplicationNumberFormat(e.ctx, actor(), fs.Arg(0)); err != nil {
		return err
	}
	example, _ := store.FormatApplicationNumber(fs.Arg(0), "520000-ZWFW", "2026-11-26", 1)
	fmt.Fprintf(e.stdout, "new application numbers look like %s\n", example)
	return nil
}

// printApplication shows an application with its clock read now: as JSON
// (the API's form), or for people.
func (e env) printApplication(st *store.Store, app store.Application, asJSON bool) error {
	cal, err := hallserver.HallCalendar(e.ctx, st)
	if err != nil {
		return err
	}
	v, err := hallserver.ApplicationView(e.ctx, st, cal, app, st.Now())
	if err != nil {
		return err
	}
	if asJSON {
		return json.NewEncoder(e.stdout).Encode(v)
	}
	fmt.Fprintf(e.stdout, "%s  %s (%s)\n", v.Number, v.ItemName, v.Item)
	fmt.Fprintf(e.stdout, "  applicant  %s %s\n", v.ApplicantName, v.ApplicantMasked)
	fmt.Fprintf(e.stdout, "  step       %s (%s), %s%s\n", v.StepName, v.Step, v.Status, suffix(" ", v.Outcome))
	fmt.Fprintf(e.stdout, "  clock      %d of %d promised / %d legal working days used; deadlines %s / %s; warning %s%s%s\n",
		v.Clock.Used, v.Clock.PromisedLimit, v.Clock.LegalLimit, v.Clock.PromisedDeadline, v.Clock.LegalDeadline,
		v.Clock.Warning, flag2(v.Clock.OverLegal, ", OVER THE LEGAL LIMIT"), suffix(", stopped: ", v.Clock.Stopped))
	for _, c := range v.Certificates {
		fmt.Fprintf(e.stdout, "  certificate %s %s%s\n", c.Title, c.Serial, flag2(c.Revoked, " (revoked)"))
	}
	fmt.Fprintf(e.stdout, "  notice QR  %s\n", v.NoticeToken)
	return nil
}

func suffix(sep, s string) string {
	if s == "" {
		return ""
	}
	return sep + s
}

func flag2(on bool, s string) string {
	if on {
		return s
	}
	return ""
}
