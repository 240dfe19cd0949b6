package hallserver

import (
	"context"
	"errors"
	"fmt"

	"onestop/hallserver/auth"
	"onestop/hallserver/catalogue"
	"onestop/hallserver/certkeys"
	"onestop/hallserver/store"
)

// EnsureHall initialises st as a new hall with the embedded sample
// catalogue when it is not one yet. It reports whether it did.
func EnsureHall(ctx context.Context, st *store.Store, h store.Hall, a store.Actor) (bool, error) {
	if _, err := st.Hall(ctx); err == nil {
		return false, nil
	} else if !errors.Is(err, store.ErrNotFound) {
		return false, err
	}
	cat, err := catalogue.Seed()
	if err != nil {
		return false, fmt.Errorf("hallserver: embedded catalogue: %w", err)
	}
	if err := st.InitHall(ctx, a, h, cat); err != nil {
		return false, err
	}
	return true, nil
}

// DemoAccount is an account the demo creates, with its password.
type DemoAccount struct {
	Username, DisplayName, Role, Password string
}

// DemoAccounts are the demo's staff accounts. Their passwords are public:
// they exist only in a demo hall's data directory.
var DemoAccounts = []DemoAccount{
	{"admin", "管理员", "admin", "demo-admin-2026"},
	{"zhuren", "值班主任 李娜", "supervisor", "demo-supervisor"},
	{"wangfang", "王芳", "counter", "demo-counter-1"},
	{"zhangwei", "张伟", "counter", "demo-counter-2"},
	{"liuyang", "刘洋", "counter", "demo-counter-3"},
	{"yunwei", "运维 陈刚", "technician", "demo-technician"},
}

// CreateDemoAccounts adds the demo accounts that do not exist yet.
func CreateDemoAccounts(ctx context.Context, st *store.Store, a store.Actor) error {
	for _, d := range DemoAccounts {
		if _, err := st.UserByUsername(ctx, d.Username); err == nil {
			continue
		}
		hash, err := auth.HashPassword(d.Password)
		if err != nil {
			return fmt.Errorf("hallserver: demo account %s: %w", d.Username, err)
		}
		if _, err := st.CreateUser(ctx, a, store.NewUser{Username: d.Username, DisplayName: d.DisplayName,
			Role: d.Role, PasswordHash: hash}); err != nil {
			return fmt.Errorf("hallserver: demo account %s: %w", d.Username, err)
		}
	}
	return nil
}

// EnsureSigningKey gives the hall a certificate signing key when it has
// no active one: made by keys (saved 0600 in the data directory) and
// recorded in st. It reports whether it made one.
func EnsureSigningKey(ctx context.Context, st *store.Store, keys *certkeys.Keyring, a store.Actor) (bool, error) {
	if _, err := st.ActiveSigningKey(ctx); err == nil {
		return false, nil
	} else if !errors.Is(err, store.ErrNotConfigured) {
		return false, err
	}
	signer, err := keys.Generate()
	if err != nil {
		return false, err
	}
	if _, err := st.AddSigningKey(ctx, a, signer.PublicKey(), "made at hall set-up"); err != nil {
		return false, err
	}
	return true, nil
}
