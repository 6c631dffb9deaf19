package web

import (
	"context"
	_ "embed"
	"fmt"
	"strings"
	"time"

	"github.com/relance/relance/internal/ledger"
)

var (
	//go:embed sql/login_failures.sql
	loginFailuresSQL string
	//go:embed sql/login_fail.sql
	loginFailSQL string
	//go:embed sql/login_clear.sql
	loginClearSQL string
)

// Throttle bounds failed logins: after PerEmail failures for one email, or
// PerIP from one client address, within Window, logins of that email or
// from that address are refused until the window that started with the
// first failure is over. The counts live in the database, so that every
// replica shares them, and hold one row per key that failed lately.
type Throttle struct {
	PerEmail int           // server.login_failures [5]
	PerIP    int           // server.login_failures_per_ip [50]
	Window   time.Duration // server.login_window [15m]
}

// check returns ErrThrottled when a key is past its limit.
func (t Throttle) check(ctx context.Context, db ledger.DB, now time.Time, keys []string) error {
	rows, err := db.Query(ctx, loginFailuresSQL, keys, now.Add(-t.Window))
	if err != nil {
		return fmt.Errorf("web: login failures: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var key string
		var n int
		if err := rows.Scan(&key, &n); err != nil {
			return fmt.Errorf("web: login failures: %w", err)
		}
		limit := t.PerEmail
		if strings.HasPrefix(key, "ip:") {
			limit = t.PerIP
		}
		if n >= limit {
			return ErrThrottled
		}
	}
	return rows.Err()
}

// fail counts a failure against each key.
func (t Throttle) fail(ctx context.Context, db ledger.DB, now time.Time, keys []string) error {
	if _, err := db.Exec(ctx, loginFailSQL, keys, now, now.Add(-t.Window)); err != nil {
		return fmt.Errorf("web: count a failed login: %w", err)
	}
	return nil
}

// clear forgets key's failures.
func (t Throttle) clear(ctx context.Context, db ledger.DB, key string) error {
	if _, err := db.Exec(ctx, loginClearSQL, key); err != nil {
		return fmt.Errorf("web: clear login failures: %w", err)
	}
	return nil
}
