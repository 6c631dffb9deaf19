package web

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	_ "embed"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/relance/relance/internal/clock"
	"github.com/relance/relance/internal/ledger"
)

var (
	//go:embed sql/token_insert.sql
	tokenInsertSQL string
	//go:embed sql/tokens.sql
	tokensSQL string
	//go:embed sql/token_revoke.sql
	tokenRevokeSQL string
	//go:embed sql/token_authenticate.sql
	tokenAuthenticateSQL string
)

// Token is an API token as `relance token list` shows it: never its secret,
// which only its creator saw, once.
type Token struct {
	Name      string
	Role      Role
	Created   time.Time
	CreatedBy string
	LastUsed  time.Time // the last day it was used; zero: never
	Revoked   time.Time // zero while in force
	RevokedBy string
}

// Tokens creates, lists, revokes and checks API tokens. Only the SHA-256 of
// a token's secret is stored: a 256-bit random secret needs no slow hash,
// and looking it up by its hash leaks nothing about other tokens.
type Tokens struct {
	DB       ledger.DB // *pgxpool.Pool
	Clock    clock.Clock
	Location *time.Location // dates last_used
}

// tokenPrefix starts every secret, so that a secret pasted where it should
// not be (a log, a ticket, a repository) is recognisable.
const tokenPrefix = "rlc_"

var tokenName = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,62}$`)

// ErrTokenExists is returned by Create for a name already in force.
var ErrTokenExists = errors.New("a token in force already has this name")

// Create makes a token named name with role, recorded as made by by, and
// returns its secret: the only time it is ever shown.
func (t Tokens) Create(ctx context.Context, name string, role Role, by string) (string, error) {
	if !tokenName.MatchString(name) {
		return "", fmt.Errorf("web: token name %q: want 1 to 63 lower-case letters, digits, '.', '_' or '-', starting with a letter or digit", name)
	}
	if role.Level() == 0 || role == RoleViewer || role == RoleManager {
		return "", fmt.Errorf("web: token role %q: want reader, writer or admin", role)
	}
	var raw [32]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return "", err
	}
	secret := tokenPrefix + base64.RawURLEncoding.EncodeToString(raw[:])
	hash := sha256.Sum256([]byte(secret))
	var id int64
	err := t.DB.QueryRow(ctx, tokenInsertSQL, name, string(role), hash[:], t.Clock.Now(), by).Scan(&id)
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == "23505" {
		return "", fmt.Errorf("web: token %s: %w (revoke it first)", name, ErrTokenExists)
	}
	if err != nil {
		return "", fmt.Errorf("web: create token %s: %w", name, err)
	}
	return secret, nil
}

// List returns every token, those in force first.
func (t Tokens) List(ctx context.Context) ([]Token, error) {
	rows, err := t.DB.Query(ctx, tokensSQL)
	if err != nil {
		return nil, fmt.Errorf("web: tokens: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Token, error) {
		var k Token
		var role string
		var used *time.Time
		var revoked *time.Time
		err := r.Scan(&k.Name, &role, &k.Created, &k.CreatedBy, &used, &revoked, &k.RevokedBy)
		k.Role = Role(role)
		if used != nil {
			k.LastUsed = *used
		}
		if revoked != nil {
			k.Revoked = *revoked
		}
		return k, err
	})
	if err != nil {
		return nil, fmt.Errorf("web: tokens: %w", err)
	}
	return out, nil
}

// ErrNoToken is returned by Revoke for a name no token in force has.
var ErrNoToken = errors.New("no token in force has this name")

// Revoke ends the token in force named name, recorded as done by by: from
// its next request on, it is refused.
func (t Tokens) Revoke(ctx context.Context, name, by string) error {
	tag, err := t.DB.Exec(ctx, tokenRevokeSQL, name, t.Clock.Now(), by)
	if err != nil {
		return fmt.Errorf("web: revoke token %s: %w", name, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("web: revoke token %s: %w", name, ErrNoToken)
	}
	return nil
}

// Authenticate recognises "Authorization: Bearer <secret>": a token in
// force is its principal; any other secret is ErrBadCredentials. The secret
// is never logged, nor put in any error.
func (t Tokens) Authenticate(r *http.Request) (Principal, bool, error) {
	secret, ok := bearer(r)
	if !ok {
		return Principal{}, false, nil
	}
	hash := sha256.Sum256([]byte(secret))
	var name, role string
	err := t.DB.QueryRow(r.Context(), tokenAuthenticateSQL, hash[:], clock.Today(t.Clock, t.Location)).Scan(&name, &role)
	if errors.Is(err, pgx.ErrNoRows) {
		return Principal{}, true, ErrBadCredentials
	}
	if err != nil {
		return Principal{}, true, fmt.Errorf("web: check a token: %w", err)
	}
	return Principal{Kind: KindToken, Name: name, Role: Role(role)}, true, nil
}
