package main

import (
	"context"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/user"
	"path/filepath"

	"onestop/hallserver/store"
)

// env is what every command works with.
type env struct {
	ctx            context.Context
	stdin          io.Reader
	stdout, stderr io.Writer
}

// flags returns a flag set that reports errors as usage errors.
func (e env) flags(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return fs
}

func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		return usageError{fmt.Sprintf("%s: %v", fs.Name(), err)}
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Sprintf("%s: unexpected argument %q", fs.Name(), fs.Arg(0))}
	}
	return nil
}

// openHall opens the hall in dir, refusing a directory that holds none
// (so a typo in --data does not create an empty database).
func (e env) openHall(dir string) (*store.Store, error) {
	if dir == "" {
		return nil, usageError{"--data DIR is required"}
	}
	if _, err := os.Stat(filepath.Join(dir, store.FileName)); errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("no hall in %s: check --data, or create one with hallctl init", dir)
	}
	st, err := store.Open(e.ctx, dir, store.Options{})
	if err != nil {
		return nil, err
	}
	if _, err := st.Hall(e.ctx); err != nil {
		st.Close()
		return nil, fmt.Errorf("%s holds a database but no hall: run hallctl init: %w", dir, err)
	}
	return st, nil
}

// actor is who hallctl acts as in the audit trail.
func actor() store.Actor {
	name := "unknown"
	if u, err := user.Current(); err == nil {
		name = u.Username
	}
	return store.Actor{Name: "hallctl:" + name, Role: "admin", Device: hostname()}
}

func hostname() string {
	h, err := os.Hostname()
	if err != nil {
		return ""
	}
	return h
}

// newPassword makes a password that is easy to read aloud and type:
// 4 groups of 4 lowercase letters and digits without look-alikes.
func newPassword() string {
	const alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
	limit := 256 - 256%len(alphabet) // keep every letter equally likely
	out := make([]byte, 0, 19)
	b := make([]byte, 1)
	for n := 0; n < 16; {
		rand.Read(b)
		if int(b[0]) >= limit {
			continue
		}
		if n > 0 && n%4 == 0 {
			out = append(out, '-')
		}
		out = append(out, alphabet[int(b[0])%len(alphabet)])
		n++
	}
	return string(out)
}
