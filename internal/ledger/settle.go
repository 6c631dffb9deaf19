package ledger

import (
	"context"
	_ "embed"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

//go:embed sql/promise_settle.sql
var promiseSettleSQL string

// Settled counts what Settle decided.
type Settled struct {
	PromisesKept   int // promises (a client promise counts once) found kept
	PromisesBroken int // promises whose end passed unpaid
	DisputesLapsed int // disputes whose `until` passed, closed
}

// Settle brings what ends by itself up to day, for every entity, in two
// set-based statements: disputes whose `until` passed are closed (lapsed),
// and open promises are found kept (paid) or broken (their end passed
// unpaid), each with an event by the engine ("relance"). The daily sweep
// calls it first, in its own transaction.
//
// The outcome depends only on the ledger as of day: a promise is kept on the
// day its payments reached the amount and broken on the day after its end,
// so sweeping day after day or jumping ahead settles it the same way, and a
// replay of an earlier day, which reads settled_on, decides as it did then.
func (s *Store) Settle(ctx context.Context, day time.Time) (Settled, error) {
	var out Settled
	err := s.write(ctx, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, disputeLapseSQL, day, nil).Scan(&out.DisputesLapsed); err != nil {
			return fmt.Errorf("lapse disputes: %w", err)
		}
		if err := tx.QueryRow(ctx, promiseSettleSQL, day).Scan(&out.PromisesKept, &out.PromisesBroken); err != nil {
			return fmt.Errorf("settle promises: %w", err)
		}
		return nil
	})
	if err != nil {
		return out, fmt.Errorf("ledger: settle %s: %w", formatDay(day), err)
	}
	return out, nil
}
