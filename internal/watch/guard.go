package watch

import (
	"context"
	_ "embed"
	"fmt"
	"log/slog"
	"time"

	"github.com/relance/relance/internal/clock"
)

//go:embed sql/client_data.sql
var clientDataSQL string

// DefaultRecheck is how long a held send waits before it looks again.
const DefaultRecheck = 5 * time.Minute

// Guard holds the sends of an entity whose payment data is stale: the
// send worker asks Hold before it takes a connection, and snoozes its job
// for the returned wait. A nil *Guard holds nothing (`sweep --drain
// --ignore-stale`).
type Guard struct {
	DB       DB
	Policy   Policy
	Clock    clock.Clock
	Location *time.Location // of the alert's day
	// Recheck is the wait of a held send before it looks again; 0:
	// DefaultRecheck. Fresh data is seen at most this long after it
	// arrives.
	Recheck time.Duration
	Logger  *slog.Logger
}

// Stale says whether payment data of the entity coded entity, as of
// paymentsAsOf (zero: never imported), holds its sends now. It reads
// nothing: the send worker reads the as-of with its rows and calls Hold
// only for a send this holds.
func (g *Guard) Stale(entity string, paymentsAsOf time.Time) bool {
	if g == nil {
		return false
	}
	return judge(Data{Entity: entity, Payments: paymentsAsOf}, g.Clock.Now(), g.Policy).Stale
}

// Hold returns how long the send of clientID must wait (0: send now). It
// raises the entity's alert_stale_data alert the first time an episode
// holds a send.
func (g *Guard) Hold(ctx context.Context, clientID int64) (time.Duration, error) {
	if g == nil {
		return 0, nil
	}
	rows, err := g.DB.Query(ctx, clientDataSQL, clientID)
	if err != nil {
		return 0, fmt.Errorf("watch: freshness of client %d: %w", clientID, err)
	}
	data, err := collectData(rows, g.Clock.Now(), g.Policy)
	if err != nil {
		return 0, fmt.Errorf("watch: freshness of client %d: %w", clientID, err)
	}
	if len(data) == 0 || !data[0].Stale {
		return 0, nil // an unknown client: the send finds no rows and completes
	}
	d := data[0]
	now := g.Clock.Now()
	raised, err := Raise(ctx, g.DB, staleAlert(d, clock.DateOf(now, g.location())), d.Key(), 0)
	if err != nil {
		return 0, err
	}
	if raised && g.Logger != nil {
		g.Logger.Warn("payment data is stale: the entity's sends wait for fresh data", "entity", d.Entity,
			"payments_as_of", d.Payments, "max_age", d.MaxAge)
	}
	if g.Recheck > 0 {
		return g.Recheck, nil
	}
	return DefaultRecheck, nil
}

func (g *Guard) location() *time.Location {
	if g.Location == nil {
		return time.UTC
	}
	return g.Location
}
