package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// User is a staff account. PasswordHash is never sent to clients.
type User struct {
	ID           int64     `json:"id"`
	Username     string    `json:"username"`
	DisplayName  string    `json:"display_name"`
	Role         string    `json:"role"`
	Disabled     bool      `json:"disabled"`
	CreatedAt    time.Time `json:"created_at"`
	PasswordAt   time.Time `json:"password_changed_at"`
	PasswordHash string    `json:"-"`
}

// Roles a staff account can have.
var Roles = []string{"counter", "supervisor", "admin", "technician"}

var usernamePattern = regexp.MustCompile(`^[a-z][a-z0-9._-]{1,31}$`)

// normaliseUsername is the form usernames are stored and looked up in:
// lowercase, without surrounding space.
func normaliseUsername(u string) string { return strings.ToLower(strings.TrimSpace(u)) }

func validRole(r string) bool {
	for _, x := range Roles {
		if x == r {
			return true
		}
	}
	return false
}

// NewUser is what CreateUser needs. The password is hashed by the caller
// (package auth), so the store never sees it.
type NewUser struct {
	Username     string
	DisplayName  string
	Role         string
	PasswordHash string
}

const userColumns = "id, username, display_name, role, disabled, created_at, password_at, password_hash"

func scanUser(r scanner) (User, error) {
	var u User
	var created, pw int64
	if err := r.Scan(&u.ID, &u.Username, &u.DisplayName, &u.Role, &u.Disabled, &created, &pw, &u.PasswordHash); err != nil {
		return User{}, err
	}
	u.CreatedAt, u.PasswordAt = fromMS(created), fromMS(pw)
	return u, nil
}

func (u User) auditView() map[string]any {
	return map[string]any{"username": u.Username, "display_name": u.DisplayName, "role": u.Role, "disabled": u.Disabled}
}

// CreateUser adds a staff account.
func (s *Store) CreateUser(ctx context.Context, a Actor, n NewUser) (User, error) {
	n.Username = normaliseUsername(n.Username)
	if !usernamePattern.MatchString(n.Username) {
		return User{}, fmt.Errorf("%w: username %q: use 2 to 32 lowercase letters, digits, dots, dashes or underscores, starting with a letter", ErrInvalid, n.Username)
	}
	if !validRole(n.Role) {
		return User{}, fmt.Errorf("%w: role %q: use one of %s", ErrInvalid, n.Role, strings.Join(Roles, ", "))
	}
	if strings.TrimSpace(n.DisplayName) == "" {
		n.DisplayName = n.Username
	}
	if n.PasswordHash == "" {
		return User{}, fmt.Errorf("%w: a user needs a password", ErrInvalid)
	}
	var u User
	err := s.write(ctx, func(tx *Tx) error {
		var taken int
		if err := tx.QueryRow("SELECT COUNT(*) FROM users WHERE username = ?", n.Username).Scan(&taken); err != nil {
			return fmt.Errorf("store: create user: %w", err)
		}
		if taken > 0 {
			return fmt.Errorf("%w: username %s is taken", ErrConflict, n.Username)
		}
		res, err := tx.Exec(`INSERT INTO users(username, display_name, role, password_hash, created_at, password_at)
			VALUES (?,?,?,?,?,?)`, n.Username, n.DisplayName, n.Role, n.PasswordHash, ms(tx.now), ms(tx.now))
		if err != nil {
			return fmt.Errorf("store: create user %s: %w", n.Username, err)
		}
		id, _ := res.LastInsertId()
		u = User{ID: id, Username: n.Username, DisplayName: n.DisplayName, Role: n.Role,
			CreatedAt: tx.now, PasswordAt: tx.now, PasswordHash: n.PasswordHash}
		return tx.Audit(a, "user.create", "user", strconv.FormatInt(id, 10), nil, u.auditView())
	})
	return u, err
}

// UserByUsername returns an account, with its password hash.
func (s *Store) UserByUsername(ctx context.Context, username string) (User, error) {
	u, err := scanUser(s.queryRow(ctx, "SELECT "+userColumns+" FROM users WHERE username = ?",
		normaliseUsername(username)))
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, fmt.Errorf("store: user %s: %w", username, ErrNotFound)
	}
	if err != nil {
		return User{}, fmt.Errorf("store: user %s: %w", username, err)
	}
	return u, nil
}

// Users lists every account.
func (s *Store) Users(ctx context.Context) ([]User, error) {
	rows, err := s.query(ctx, "SELECT "+userColumns+" FROM users ORDER BY username")
	if err != nil {
		return nil, fmt.Errorf("store: users: %w", err)
	}
	defer rows.Close()
	var out []User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, fmt.Errorf("store: users: %w", err)
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// SetPassword replaces a user's password hash and ends their sessions.
func (s *Store) SetPassword(ctx context.Context, a Actor, username, hash string) error {
	username = normaliseUsername(username)
	return s.write(ctx, func(tx *Tx) error {
		u, err := scanUser(tx.QueryRow("SELECT "+userColumns+" FROM users WHERE username = ?", username))
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("%w: no user %s", ErrNotFound, username)
		}
		if err != nil {
			return fmt.Errorf("store: set password: %w", err)
		}
		if _, err := tx.Exec("UPDATE users SET password_hash = ?, password_at = ? WHERE id = ?", hash, ms(tx.now), u.ID); err != nil {
			return fmt.Errorf("store: set password of %s: %w", username, err)
		}
		if _, err := tx.Exec("DELETE FROM sessions WHERE user_id = ?", u.ID); err != nil {
			return fmt.Errorf("store: end sessions of %s: %w", username, err)
		}
		return tx.Audit(a, "user.password", "user", strconv.FormatInt(u.ID, 10),
			map[string]any{"password_changed_at": ms(u.PasswordAt)}, map[string]any{"password_changed_at": ms(tx.now)})
	})
}

// SetUserDisabled disables or re-enables an account; disabling ends its
// sessions.
func (s *Store) SetUserDisabled(ctx context.Context, a Actor, username string, disabled bool) error {
	username = normaliseUsername(username)
	return s.write(ctx, func(tx *Tx) error {
		u, err := scanUser(tx.QueryRow("SELECT "+userColumns+" FROM users WHERE username = ?", username))
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("%w: no user %s", ErrNotFound, username)
		}
		if err != nil {
			return fmt.Errorf("store: disable user: %w", err)
		}
		if _, err := tx.Exec("UPDATE users SET disabled = ? WHERE id = ?", disabled, u.ID); err != nil {
			return fmt.Errorf("store: disable user %s: %w", username, err)
		}
		if disabled {
			if _, err := tx.Exec("DELETE FROM sessions WHERE user_id = ?", u.ID); err != nil {
				return fmt.Errorf("store: end sessions of %s: %w", username, err)
			}
		}
		after := u
		after.Disabled = disabled
		action := "user.disable"
		if !disabled {
			action = "user.enable"
		}
		return tx.Audit(a, action, "user", strconv.FormatInt(u.ID, 10), u.auditView(), after.auditView())
	})
}

// Session is a signed-in staff member's session. Only the token's hash is
// stored.
type Session struct {
	TokenHash string
	UserID    int64
	CreatedAt time.Time
	ExpiresAt time.Time
	LastSeen  time.Time
}

// CreateSession records a login.
func (s *Store) CreateSession(ctx context.Context, a Actor, sess Session) error {
	return s.write(ctx, func(tx *Tx) error {
		if _, err := tx.Exec(`INSERT INTO sessions(token_hash, user_id, created_at, expires_at, last_seen) VALUES (?,?,?,?,?)`,
			sess.TokenHash, sess.UserID, ms(tx.now), ms(sess.ExpiresAt), ms(tx.now)); err != nil {
			return fmt.Errorf("store: create session: %w", err)
		}
		// Expired sessions are swept at each login, so the table stays small.
		if _, err := tx.Exec("DELETE FROM sessions WHERE expires_at < ?", ms(tx.now)); err != nil {
			return fmt.Errorf("store: sweep sessions: %w", err)
		}
		return tx.Audit(a, "session.login", "user", strconv.FormatInt(sess.UserID, 10), nil,
			map[string]any{"expires_at": sess.ExpiresAt.UTC().Format(time.RFC3339)})
	})
}

// SessionUser returns the live session with the token hash and its user;
// ErrNotFound when there is none, it has expired, or the user is disabled.
func (s *Store) SessionUser(ctx context.Context, tokenHash string) (Session, User, error) {
	var sess Session
	var created, expires, seen int64
	row := s.queryRow(ctx, `SELECT s.token_hash, s.user_id, s.created_at, s.expires_at, s.last_seen,
		u.id, u.username, u.display_name, u.role, u.disabled, u.created_at, u.password_at, u.password_hash
		FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = ?`, tokenHash)
	var u User
	var uc, up int64
	err := row.Scan(&sess.TokenHash, &sess.UserID, &created, &expires, &seen,
		&u.ID, &u.Username, &u.DisplayName, &u.Role, &u.Disabled, &uc, &up, &u.PasswordHash)
	if errors.Is(err, sql.ErrNoRows) {
		return Session{}, User{}, fmt.Errorf("store: session: %w", ErrNotFound)
	}
	if err != nil {
		return Session{}, User{}, fmt.Errorf("store: session: %w", err)
	}
	sess.CreatedAt, sess.ExpiresAt, sess.LastSeen = fromMS(created), fromMS(expires), fromMS(seen)
	u.CreatedAt, u.PasswordAt = fromMS(uc), fromMS(up)
	if !s.now().Before(sess.ExpiresAt) || u.Disabled {
		return Session{}, User{}, fmt.Errorf("store: session expired: %w", ErrNotFound)
	}
	return sess, u, nil
}

// TouchSession moves a session's idle expiry forward; it is not audited
// (it changes no one's rights, only how long they last).
func (s *Store) TouchSession(ctx context.Context, tokenHash string, expires time.Time) error {
	return s.write(ctx, func(tx *Tx) error {
		_, err := tx.Exec("UPDATE sessions SET last_seen = ?, expires_at = ? WHERE token_hash = ?", ms(tx.now), ms(expires), tokenHash)
		if err != nil {
			return fmt.Errorf("store: touch session: %w", err)
		}
		return nil
	})
}

// DeleteSession records a logout.
func (s *Store) DeleteSession(ctx context.Context, a Actor, tokenHash string) error {
	return s.write(ctx, func(tx *Tx) error {
		if _, err := tx.Exec("DELETE FROM sessions WHERE token_hash = ?", tokenHash); err != nil {
			return fmt.Errorf("store: delete session: %w", err)
		}
		return tx.Audit(a, "session.logout", "user", strconv.FormatInt(a.UserID, 10), nil, nil)
	})
}
