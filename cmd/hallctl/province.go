package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"strconv"
	"strings"
	"time"

	"onestop/hallserver/store"
)

// province runs the province link's commands: what waits to go up, replay
// or discard dead letters, and a new outbox epoch after a restore.
func (e env) province(sub string, args []string) error {
	switch sub {
	case "status":
		return e.provinceStatus(args)
	case "replay":
		return e.provinceReplay(args)
	case "discard":
		return e.provinceDiscard(args)
	case "new-epoch":
		return e.provinceNewEpoch(args)
	}
	return usageError{fmt.Sprintf("province %q: use status, replay, discard or new-epoch", sub)}
}

func (e env) provinceStatus(args []string) error {
	var asJSON *bool
	return e.hallCmd("province status", args, func(fs *flag.FlagSet) func() error {
		asJSON = fs.Bool("json", false, "")
		return nil
	}, func(st *store.Store) error {
		ob, err := st.OutboxStatus(e.ctx)
		if err != nil {
			return err
		}
		ps, err := st.ProvinceState(e.ctx)
		if err != nil {
			return err
		}
		dead, err := st.DeadLetters(e.ctx, 100)
		if err != nil {
			return err
		}
		if *asJSON {
			return json.NewEncoder(e.stdout).Encode(map[string]any{"outbox": ob, "pulled": ps, "dead_letters": dead})
		}
		fmt.Fprintf(e.stdout, "backlog:   %d to send (%d held behind dead letters)\n", ob.Pending, ob.Held)
		if !ob.OldestPending.IsZero() {
			fmt.Fprintf(e.stdout, "oldest:    written %s (%s ago)\n", localTime(ob.OldestPending, "2006-01-02 15:04:05"),
				time.Since(ob.OldestPending).Round(time.Second))
		}
		fmt.Fprintf(e.stdout, "delivered: %d    dead letters: %d    discarded: %d\n", ob.Delivered, ob.Dead, ob.Discarded)
		fmt.Fprintf(e.stdout, "pulled:    catalogue v%d, trust list v%d, application updates up to %d\n",
			ps.CatalogueVersion, ps.TrustVersion, ps.UpdateCursor)
		for _, d := range dead {
			fmt.Fprintf(e.stdout, "  dead %d  %s  %s  %s\n", d.ID, d.Kind, d.Aggregate, d.LastError)
		}
		return nil
	})
}

func parseIDs(list string) ([]int64, error) {
	var ids []int64
	seen := map[int64]bool{}
	for _, f := range strings.Split(list, ",") {
		id, err := strconv.ParseInt(strings.TrimSpace(f), 10, 64)
		if err != nil || id <= 0 {
			return nil, usageError{fmt.Sprintf("--ids: %q is not an outbox row id (see hallctl province status)", f)}
		}
		if seen[id] {
			return nil, usageError{fmt.Sprintf("--ids: %d is named twice", id)}
		}
		seen[id] = true
		ids = append(ids, id)
	}
	return ids, nil
}

func (e env) provinceReplay(args []string) error {
	var all *bool
	var list *string
	return e.hallCmd("province replay", args, func(f *flag.FlagSet) func() error {
		all, list = f.Bool("all", false, ""), f.String("ids", "", "")
		return func() error {
			if *all == (*list != "") {
				return usageError{"province replay takes --ids ID,ID,... (see hallctl province status), or --all"}
			}
			return nil
		}
	}, func(st *store.Store) error {
		var ids []int64
		var err error
		if *list != "" {
			ids, err = parseIDs(*list)
		}
		if err != nil {
			return err
		}
		n, err := st.ReplayDeadLetters(e.ctx, actor(), ids)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "%d dead letters will be sent again\n", n)
		return nil
	})
}

func (e env) provinceDiscard(args []string) error {
	var reason, list *string
	return e.hallCmd("province discard", args, func(f *flag.FlagSet) func() error {
		reason, list = f.String("reason", "", ""), f.String("ids", "", "")
		return func() error {
			if *list == "" || strings.TrimSpace(*reason) == "" {
				return usageError{"province discard takes --ids ID,ID,... and --reason (kept in the audit trail)"}
			}
			return nil
		}
	}, func(st *store.Store) error {
		ids, err := parseIDs(*list)
		if err != nil {
			return err
		}
		n, err := st.DiscardDeadLetters(e.ctx, actor(), ids, *reason)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "%d dead letters discarded: they will never be sent; the rows behind them go on\n", n)
		return nil
	})
}

func (e env) provinceNewEpoch(args []string) error {
	return e.hallCmd("province new-epoch", args, func(*flag.FlagSet) func() error { return nil }, func(st *store.Store) error {
		epoch, err := st.NewOutboxEpoch(e.ctx, actor())
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "outbox epoch is now %s: rows from now on (and rows still pending) travel under new keys\n", epoch)
		return nil
	})
}
