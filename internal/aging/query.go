package aging

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/relance/relance/internal/money"
)

// Querier is what this package needs of a pool, connection or transaction.
type Querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
}

// ErrNotFound is wrapped when --entity or --client names nothing.
var ErrNotFound = errors.New("not found")

// MaxBuckets is the most buckets an aged balance has: sql/by_client.sql
// sums b0..b9 (config aging.buckets holds at most MaxBuckets-1 edges).
const MaxBuckets = 10

//go:embed sql/by_client.sql
var byClientSQL string

//go:embed sql/items.sql
var itemsSQL string

// Options select what the aged balance covers.
type Options struct {
	AsOf    time.Time // the date the balance is computed for
	Edges   []int     // upper edges of the overdue buckets but the last (config aging.buckets)
	Entity  string    // entity code; empty: every entity, each with its subtotal
	Client  string    // client code; empty: every client
	Profile string    // explicit client profile (client.profile); empty: any
	// ExcludeDisputed leaves the invoices in dispute on AsOf out of the
	// buckets and totals (Row.Disputed still says how much was left out).
	ExcludeDisputed bool
}

// params resolves the entity and client codes and returns the parameters
// of sql/by_client.sql and sql/items.sql.
func (o Options) params(ctx context.Context, q Querier, bs []Bucket) ([]any, error) {
	if len(bs) > MaxBuckets {
		return nil, fmt.Errorf("aged balance: %d buckets, at most %d", len(bs), MaxBuckets)
	}
	entity, err := entityID(ctx, q, o.Entity)
	if err != nil {
		return nil, err
	}
	var clients []int64 // nil: every client
	if o.Client != "" {
		rows, err := q.Query(ctx, `SELECT id FROM client WHERE code = $1`, o.Client)
		if err == nil {
			clients, err = pgx.CollectRows(rows, pgx.RowTo[int64])
		}
		if err != nil {
			return nil, fmt.Errorf("client %q: %w", o.Client, err)
		}
		if len(clients) == 0 {
			return nil, fmt.Errorf("client %q: %w", o.Client, ErrNotFound)
		}
	}
	var profile *string
	if o.Profile != "" {
		profile = &o.Profile
	}
	return []any{o.AsOf, thresholds(bs), entity, clients, profile, o.ExcludeDisputed}, nil
}

// entityID returns the id of the entity with code; nil for "" (every
// entity).
func entityID(ctx context.Context, q Querier, code string) (*int64, error) {
	if code == "" {
		return nil, nil
	}
	var id int64
	if err := q.QueryRow(ctx, `SELECT id FROM entity WHERE code = $1`, code).Scan(&id); err != nil {
		if errors.Is(err, pgx.ErrNoRows) {
			return nil, fmt.Errorf("entity %q: %w", code, ErrNotFound)
		}
		return nil, fmt.Errorf("entity %q: %w", code, err)
	}
	return &id, nil
}

// ByClient computes the aged balance per client and currency in one
// GROUP BY pass in PostgreSQL over the ledger as of the date; only one row
// per client and currency reaches Go. Clients whose total and unapplied
// credit are both zero are left out. When the rows of a currency come from
// several entities (Entity empty: a group), the section carries a subtotal
// per entity.
func ByClient(ctx context.Context, q Querier, o Options) (Report, error) {
	bs := Buckets(o.Edges)
	rep := Report{AsOf: o.AsOf, Buckets: bs, ExcludeDisputed: o.ExcludeDisputed}
	args, err := o.params(ctx, q, bs)
	if err != nil {
		return rep, err
	}
	rows, err := q.Query(ctx, byClientSQL, args...)
	if err != nil {
		return rep, fmt.Errorf("aged balance: %w", err)
	}
	defer rows.Close()
	var cur *Section
	for rows.Next() {
		var r Row
		var buckets []int64
		if err := rows.Scan(&r.EntityCode, &r.EntityName, &r.ClientCode, &r.ClientName, &r.Currency, &buckets,
			&r.Unapplied, &r.Disputed); err != nil {
			return rep, fmt.Errorf("aged balance: %w", err)
		}
		r.Buckets = make([]money.Amount, len(bs))
		for i := range bs {
			r.Buckets[i] = money.Amount(buckets[i])
		}
		if cur == nil || cur.Currency != r.Currency {
			rep.Sections = append(rep.Sections, Section{Currency: r.Currency,
				Total: Row{ClientCode: TotalCode, Currency: r.Currency, Buckets: make([]money.Amount, len(bs))}})
			cur = &rep.Sections[len(rep.Sections)-1]
		}
		cur.Rows = append(cur.Rows, r)
		cur.Total.add(r)
	}
	if err := rows.Err(); err != nil {
		return rep, fmt.Errorf("aged balance: %w", err)
	}
	for i := range rep.Sections {
		rep.Sections[i].subtotal()
	}
	return rep, nil
}

// Items streams the open items at the as-of date to fn, ordered by currency,
// client code, due date and number, without holding them in memory. The
// dispute and pause states are those at the as-of date. Each item carries
// what a NextStepper needs (client profile, score, country, segment and net
// balance; the invoice's reminder ledger), read in the same query. next,
// when not nil, fills Item.NextStep.
func Items(ctx context.Context, q Querier, o Options, next NextStepper, fn func(Item) error) error {
	bs := Buckets(o.Edges)
	args, err := o.params(ctx, q, bs)
	if err != nil {
		return err
	}
	rows, err := q.Query(ctx, itemsSQL, args...)
	if err != nil {
		return fmt.Errorf("open items: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var it Item
		var bucket *int32
		var steps []string
		var days []time.Time
		if err := rows.Scan(&it.EntityCode, &it.ClientCode, &it.ClientName, &it.Kind, &it.Number, &it.IssueDate, &it.DueDate,
			&it.Currency, &it.Amount, &it.Open, &bucket, &it.Disputed, &it.PausedUntil,
			&it.ClientProfile, &it.PayerScore, &it.Country, &it.Segment, &it.ClientNet, &steps, &days); err != nil {
			return fmt.Errorf("open items: %w", err)
		}
		if len(steps) > 0 {
			it.Ledger = make([]LedgerStep, len(steps))
			for k := range steps {
				it.Ledger[k] = LedgerStep{StepID: steps[k], Day: days[k]}
			}
		}
		if bucket == nil {
			it.Bucket = Unapplied
		} else {
			it.Bucket = bs[*bucket].Name
			d := int(o.AsOf.Sub(*it.DueDate).Hours() / 24)
			it.DaysLate = &d
		}
		if next != nil {
			it.NextStep = next.NextStep(it)
		}
		if err := fn(it); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("open items: %w", err)
	}
	return nil
}
