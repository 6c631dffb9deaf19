package watch

import (
	"context"
	_ "embed"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

//go:embed sql/data_ages.sql
var dataAgesSQL string

// Policy says how old an entity's payment data may be before its sends
// wait: MaxAge, unless PerEntity names the entity (config
// sweep.max_data_age, 36 h by default, and sweep.max_data_age_by_entity).
// An age of 0 turns the guard off, for every entity or for one.
type Policy struct {
	MaxAge    time.Duration
	PerEntity map[string]time.Duration
}

// For is the maximum age of entity's payment data; 0 for no maximum.
func (p Policy) For(entity string) time.Duration {
	if d, ok := p.PerEntity[entity]; ok {
		return d
	}
	return p.MaxAge
}

// Data is how fresh one entity's data is at an instant.
type Data struct {
	EntityID int64
	Entity   string
	Payments time.Time // as-of of the newest payment data; zero: never received
	Invoices time.Time // as-of of the newest invoice data; zero: never received
	MaxAge   time.Duration
	Age      time.Duration // of the payment data; meaningless when Payments is zero
	// Stale says its sends wait: its payment data is older than MaxAge.
	Stale bool
	// Never says it never received payment data: nothing to judge its
	// freshness by, so its sends do not wait, but an alert says so once.
	Never bool
}

// Key names the stale episode: the entity and the as-of it is stuck at.
func (d Data) Key() string {
	asOf := "never"
	if !d.Payments.IsZero() {
		asOf = d.Payments.UTC().Format(time.RFC3339)
	}
	return fmt.Sprintf("stale:%s:%s", d.Entity, asOf)
}

// Ages reads how fresh the data of every entity with open items is at now.
func Ages(ctx context.Context, db DB, now time.Time, p Policy) ([]Data, error) {
	rows, err := db.Query(ctx, dataAgesSQL)
	if err != nil {
		return nil, fmt.Errorf("watch: data ages: %w", err)
	}
	out, err := collectData(rows, now, p)
	if err != nil {
		return nil, fmt.Errorf("watch: data ages: %w", err)
	}
	return out, nil
}

// collectData reads rows of (entity id, code, payments as-of, invoices
// as-of) and judges each at now under p.
func collectData(rows pgx.Rows, now time.Time, p Policy) ([]Data, error) {
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Data, error) {
		var d Data
		var payments, invoices *time.Time
		if err := r.Scan(&d.EntityID, &d.Entity, &payments, &invoices); err != nil {
			return d, err
		}
		if payments != nil {
			d.Payments = *payments
		}
		if invoices != nil {
			d.Invoices = *invoices
		}
		return judge(d, now, p), nil
	})
}

// judge says whether d is stale at now under p.
func judge(d Data, now time.Time, p Policy) Data {
	d.MaxAge = p.For(d.Entity)
	if !d.Payments.IsZero() {
		d.Age = now.Sub(d.Payments)
	}
	d.Never = d.MaxAge > 0 && d.Payments.IsZero()
	d.Stale = d.MaxAge > 0 && !d.Payments.IsZero() && d.Age > d.MaxAge
	return d
}

// staleAlert is the alert of a stale episode.
func staleAlert(d Data, day time.Time) Alert {
	detail := map[string]any{"max_age": d.MaxAge.String(), "held": d.Stale}
	if d.Payments.IsZero() {
		detail["payments_as_of"] = nil
	} else {
		detail["payments_as_of"] = d.Payments.UTC().Format(time.RFC3339)
		detail["age"] = d.Age.Round(time.Minute).String()
		detail["age_hours"] = int(d.Age.Hours())
	}
	reason := "payment data older than " + d.MaxAge.String()
	if d.Never {
		reason = "no payment data ever imported"
	}
	return Alert{Kind: StaleData, Entity: d.Entity, Day: day, Reason: reason, Detail: detail}
}

//go:embed sql/stale_ignored.sql
var staleIgnoredSQL string

// Stale returns the entities whose payment data is stale at now.
func Stale(ctx context.Context, db DB, now time.Time, p Policy) ([]Data, error) {
	all, err := Ages(ctx, db, now, p)
	if err != nil {
		return nil, err
	}
	var out []Data
	for _, d := range all {
		if d.Stale {
			out = append(out, d)
		}
	}
	return out, nil
}

// IgnoreStale records, for each entity of stale, that actor sends its
// messages on day all the same: an operator who knows better
// (`sweep --drain --ignore-stale`), on the record.
func IgnoreStale(ctx context.Context, db DB, stale []Data, actor string, day time.Time) error {
	for _, d := range stale {
		var asOf *time.Time
		if !d.Payments.IsZero() {
			asOf = &d.Payments
		}
		if _, err := db.Exec(ctx, staleIgnoredSQL, d.Entity, actor, day, asOf, d.MaxAge.String()); err != nil {
			return fmt.Errorf("watch: record stale data ignored for %s: %w", d.Entity, err)
		}
	}
	return nil
}
