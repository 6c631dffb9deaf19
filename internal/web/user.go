package web

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	_ "embed"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"golang.org/x/crypto/argon2"

	"github.com/relance/relance/internal/clock"
	"github.com/relance/relance/internal/ledger"
)

var (
	//go:embed sql/user_insert.sql
	userInsertSQL string
	//go:embed sql/users.sql
	usersSQL string
	//go:embed sql/user_disable.sql
	userDisableSQL string
	//go:embed sql/user_password.sql
	userPasswordSQL string
	//go:embed sql/user_login.sql
	userLoginSQL string
	//go:embed sql/user_enabled.sql
	userEnabledSQL string
)

// User is a person of the dashboard as `relance user list` shows it: never
// the password's hash.
type User struct {
	Email             string
	Role              Role
	Created           time.Time
	CreatedBy         string
	PasswordChanged   time.Time
	PasswordChangedBy string
	Disabled          time.Time // zero while enabled
	DisabledBy        string
	LastLogin         time.Time // zero: never
}

// Users adds, lists, disables and checks the dashboard's users.
type Users struct {
	DB    ledger.DB // *pgxpool.Pool
	Clock clock.Clock
	// Hash sets argon2id's cost; the zero value is DefaultHashCost.
	Hash HashCost
}

// HashCost is argon2id's memory (KiB), passes and lanes.
type HashCost struct {
	Memory  uint32
	Time    uint32
	Threads uint8
}

// DefaultHashCost is OWASP's first argon2id setting (19 MiB, 2 passes, one
// lane): about 30 ms a login on one core, and guessing costs as much.
var DefaultHashCost = HashCost{Memory: 19 * 1024, Time: 2, Threads: 1}

// MinPassword is the shortest password accepted.
const MinPassword = 12

// UserRole parses the role of a dashboard user.
func UserRole(s string) (Role, error) {
	switch r := Role(s); r {
	case RoleViewer, RoleManager, RoleAdmin:
		return r, nil
	}
	return "", errors.New("want admin, manager or viewer")
}

// ErrUserExists is returned by Add for an email that already has a user.
var ErrUserExists = errors.New("a user already has this email")

// ErrNoUser is returned for an email no enabled user has.
var ErrNoUser = errors.New("no enabled user has this email")

// NormalizeEmail is the form a user's email is kept and looked up in.
func NormalizeEmail(email string) string { return strings.ToLower(strings.TrimSpace(email)) }

// Add makes user email with role and password, recorded as made by by.
func (u Users) Add(ctx context.Context, email string, role Role, password, by string) error {
	email = NormalizeEmail(email)
	if !strings.Contains(email, "@") || strings.ContainsAny(email, " \t\r\n") {
		return fmt.Errorf("web: user %q: not an email address", email)
	}
	if _, err := UserRole(string(role)); err != nil {
		return fmt.Errorf("web: user %s: role %q: %w", email, role, err)
	}
	hash, err := u.hash(password)
	if err != nil {
		return fmt.Errorf("web: user %s: %w", email, err)
	}
	_, err = u.DB.Exec(ctx, userInsertSQL, email, string(role), hash, u.Clock.Now(), by)
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == "23505" {
		return fmt.Errorf("web: user %s: %w", email, ErrUserExists)
	}
	if err != nil {
		return fmt.Errorf("web: add user %s: %w", email, err)
	}
	return nil
}

// List returns every user, the enabled ones first.
func (u Users) List(ctx context.Context) ([]User, error) {
	rows, err := u.DB.Query(ctx, usersSQL)
	if err != nil {
		return nil, fmt.Errorf("web: users: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (User, error) {
		var x User
		var role string
		var disabled, login *time.Time
		err := r.Scan(&x.Email, &role, &x.Created, &x.CreatedBy, &x.PasswordChanged, &x.PasswordChangedBy,
			&disabled, &x.DisabledBy, &login)
		x.Role = Role(role)
		if disabled != nil {
			x.Disabled = *disabled
		}
		if login != nil {
			x.LastLogin = *login
		}
		return x, err
	})
	if err != nil {
		return nil, fmt.Errorf("web: users: %w", err)
	}
	return out, nil
}

// Disable stops user email from logging in, and ends their sessions,
// recorded as done by by.
func (u Users) Disable(ctx context.Context, email, by string) error {
	email = NormalizeEmail(email)
	return u.changeOne(ctx, "disable user "+email, userDisableSQL, email, u.Clock.Now(), by)
}

// SetPassword sets user email's password, recorded as done by by, and ends
// their sessions.
func (u Users) SetPassword(ctx context.Context, email, password, by string) error {
	email = NormalizeEmail(email)
	hash, err := u.hash(password)
	if err != nil {
		return fmt.Errorf("web: user %s: %w", email, err)
	}
	return u.changeOne(ctx, "set the password of "+email, userPasswordSQL, email, hash, u.Clock.Now(), by)
}

// changeOne runs a statement that changes one enabled user and returns how
// many it changed.
func (u Users) changeOne(ctx context.Context, what, sql string, args ...any) error {
	var n int
	if err := u.DB.QueryRow(ctx, sql, args...).Scan(&n); err != nil {
		return fmt.Errorf("web: %s: %w", what, err)
	}
	if n == 0 {
		return fmt.Errorf("web: %s: %w", what, ErrNoUser)
	}
	return nil
}

// check returns the id and role of the enabled user email if password is
// theirs, and ok = false otherwise. An unknown email costs a hash too, so
// that timing does not tell which emails have a user.
func (u Users) check(ctx context.Context, email, password string) (id int64, role Role, ok bool, err error) {
	var r, hash string
	err = u.DB.QueryRow(ctx, userLoginSQL, NormalizeEmail(email)).Scan(&id, &r, &hash)
	if errors.Is(err, pgx.ErrNoRows) {
		_ = verifyPassword(dummyHash(), password)
		return 0, "", false, nil
	}
	if err != nil {
		return 0, "", false, fmt.Errorf("web: check a login: %w", err)
	}
	return id, Role(r), verifyPassword(hash, password), nil
}

// enabled returns the id and role of the enabled user email.
func (u Users) enabled(ctx context.Context, email string) (id int64, role Role, ok bool, err error) {
	var r string
	err = u.DB.QueryRow(ctx, userEnabledSQL, NormalizeEmail(email)).Scan(&id, &r)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, "", false, nil
	}
	if err != nil {
		return 0, "", false, fmt.Errorf("web: look up a user: %w", err)
	}
	return id, Role(r), true, nil
}

// hash returns password's argon2id hash in PHC form
// ($argon2id$v=19$m=…,t=…,p=…$salt$key).
func (u Users) hash(password string) (string, error) {
	if len([]rune(password)) < MinPassword {
		return "", fmt.Errorf("password too short: want at least %d characters", MinPassword)
	}
	c := u.Hash
	if c == (HashCost{}) {
		c = DefaultHashCost
	}
	return hashPassword(password, c), nil
}

func hashPassword(password string, c HashCost) string {
	salt := make([]byte, 16)
	_, _ = rand.Read(salt)
	key := argon2.IDKey([]byte(password), salt, c.Time, c.Memory, c.Threads, 32)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, c.Memory, c.Time, c.Threads,
		b64.EncodeToString(salt), b64.EncodeToString(key))
}

// dummyHash is checked against for an unknown email; made at the first
// login, not when the program starts.
var dummyHash = sync.OnceValue(func() string { return hashPassword("relance-no-such-user", DefaultHashCost) })

// verifyPassword tells whether password matches hash (PHC form), with the
// cost the hash was made with, comparing in constant time.
func verifyPassword(hash, password string) bool {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	var version int
	var c HashCost
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &c.Memory, &c.Time, &c.Threads); err != nil ||
		c.Time == 0 || c.Threads == 0 || c.Memory > 1<<22 {
		return false
	}
	b64 := base64.RawStdEncoding
	salt, err1 := b64.DecodeString(parts[4])
	key, err2 := b64.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(key) == 0 {
		return false
	}
	got := argon2.IDKey([]byte(password), salt, c.Time, c.Memory, c.Threads, uint32(len(key)))
	return subtle.ConstantTimeCompare(got, key) == 1
}

// GeneratePassword returns a random password of 20 characters (120 bits),
// for `relance user add` without one and for the demo's admin.
func GeneratePassword() string {
	b := make([]byte, 15)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
