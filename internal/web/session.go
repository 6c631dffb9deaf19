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
	"time"

	"github.com/jackc/pgx/v5"
)

var (
	//go:embed sql/session_insert.sql
	sessionInsertSQL string
	//go:embed sql/session_authenticate.sql
	sessionAuthenticateSQL string
	//go:embed sql/session_end.sql
	sessionEndSQL string
	//go:embed sql/session_expire.sql
	sessionExpireSQL string
)

// SessionCookie names the dashboard's session cookie.
const SessionCookie = "relance_session"

// Sessions logs users in and out and recognises their session cookie. A
// session ends after Idle without a request, after Max in any case, at
// logout, and when its user is disabled or their password changed.
type Sessions struct {
	Users    Users
	Idle     time.Duration // server.session_idle
	Max      time.Duration // server.session_max
	Throttle Throttle
	// Insecure drops the cookie's Secure attribute (server.insecure_cookies),
	// for a dashboard reached over plain http on another host than loopback.
	Insecure bool
}

// ErrThrottled is returned by Login while an email or an address has failed
// too often.
var ErrThrottled = errors.New("too many failed logins: wait and try again")

// ErrBadLogin is returned by Login for a wrong email or password; which one
// is not said.
var ErrBadLogin = errors.New("wrong email or password")

// Login checks email and password, throttled per email and per client
// address ip, and opens a session: its secret, for the cookie, is returned.
func (s Sessions) Login(ctx context.Context, email, password, ip string) (string, error) {
	email = NormalizeEmail(email)
	keys := []string{"email:" + email, "ip:" + ip}
	if err := s.Throttle.check(ctx, s.Users.DB, s.Users.Clock.Now(), keys); err != nil {
		return "", err
	}
	id, _, ok, err := s.Users.check(ctx, email, password)
	if err != nil {
		return "", err
	}
	if !ok {
		if err := s.Throttle.fail(ctx, s.Users.DB, s.Users.Clock.Now(), keys); err != nil {
			return "", err
		}
		return "", ErrBadLogin
	}
	if err := s.Throttle.clear(ctx, s.Users.DB, keys[0]); err != nil {
		return "", err
	}
	return s.open(ctx, id)
}

// open starts a session for user id and returns its secret.
func (s Sessions) open(ctx context.Context, id int64) (string, error) {
	secret, csrf := randomToken(), randomToken()
	hash := sha256.Sum256([]byte(secret))
	now := s.Users.Clock.Now()
	if _, err := s.Users.DB.Exec(ctx, sessionExpireSQL, now.Add(-s.Max)); err != nil {
		return "", fmt.Errorf("web: expire sessions: %w", err)
	}
	if _, err := s.Users.DB.Exec(ctx, sessionInsertSQL, id, hash[:], csrf, now); err != nil {
		return "", fmt.Errorf("web: open a session: %w", err)
	}
	return secret, nil
}

// Logout ends the session of r's cookie, if any.
func (s Sessions) Logout(ctx context.Context, r *http.Request) error {
	c, err := r.Cookie(SessionCookie)
	if err != nil {
		return nil
	}
	hash := sha256.Sum256([]byte(c.Value))
	if _, err := s.Users.DB.Exec(ctx, sessionEndSQL, hash[:], s.Users.Clock.Now()); err != nil {
		return fmt.Errorf("web: end a session: %w", err)
	}
	return nil
}

// Authenticate recognises the session cookie: an open session is its
// user's principal, carrying the session's CSRF token; a cookie of an
// ended, expired or unknown session is ErrBadCredentials (the guard then
// sends the browser to the login page).
func (s Sessions) Authenticate(r *http.Request) (Principal, bool, error) {
	c, err := r.Cookie(SessionCookie)
	if err != nil || c.Value == "" {
		return Principal{}, false, nil
	}
	hash := sha256.Sum256([]byte(c.Value))
	now := s.Users.Clock.Now()
	var email, role, csrf string
	err = s.Users.DB.QueryRow(r.Context(), sessionAuthenticateSQL, hash[:], now, now.Add(-s.Idle), now.Add(-s.Max)).
		Scan(&email, &role, &csrf)
	if errors.Is(err, pgx.ErrNoRows) {
		return Principal{}, true, ErrBadCredentials
	}
	if err != nil {
		return Principal{}, true, fmt.Errorf("web: check a session: %w", err)
	}
	return Principal{Kind: KindUser, Name: email, Role: Role(role), csrf: csrf}, true, nil
}

// cookie is the session cookie carrying secret; an empty secret clears it.
func (s Sessions) cookie(secret string) *http.Cookie {
	c := &http.Cookie{Name: SessionCookie, Value: secret, Path: "/", HttpOnly: true, Secure: !s.Insecure,
		SameSite: http.SameSiteLaxMode}
	if secret == "" {
		c.MaxAge = -1
	}
	return c
}

// randomToken is 256 random bits, base64url.
func randomToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
