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

//go:embed sql/disputed.sql
var disputedSQL string

//go:embed sql/items.sql
var itemsSQL string

//go:embed sql/entity_scope.sql
var entityScopeSQL string

// Options select what the aged balance covers.
type Options struct {
	AsOf    time.Time // the date the balance is computed for
	Edges   []int     // upper edges of the overdue buckets but the last (config aging.buckets)
	Entity  string    // entity code; empty: every entity, each with its subtotal
	Client  string    // client code; empty: every client
	Profile string    // explicit client profile (client.profile); empty: any
	// Subsidiaries adds to Entity every entity under it, at any depth: a
	// holding with its companies, each closing with its subtotal.
	Subsidiaries bool
	// ExcludeDisputed leaves the invoices in dispute on AsOf out of the
	// buckets and totals (Row.Disputed still says how much was left out).
	ExcludeDisputed bool
}

// scope is Options resolved into the parameters of the queries in sql/:
// $1 as-of date, $2 bucket bounds, $3 entity ids, $4 client ids, $5
// profile (NULL for "any"), then $6 ExcludeDisputed for items.sql.
type scope struct {
	asOf     time.Time
	bounds   []int32
	entities []int64
	clients  []int64
	profile  *string
	disputes bool
}

func (s scope) args(n int) []any {
	return []any{s.asOf, s.bounds, s.entities, s.clients, s.profile, s.disputes}[:n]
}

// resolve checks the bucket count and looks the entity and client codes up.
func (o Options) resolve(ctx context.Context, q Querier, bs []Bucket) (scope, error) {
	sc := scope{asOf: o.AsOf, bounds: thresholds(bs), disputes: o.ExcludeDisputed}
	if len(bs) > MaxBuckets {
		return sc, fmt.Errorf("aged balance: %d buckets, at most %d", len(bs), MaxBuckets)
	}
	var err error
	if sc.entities, err = entityIDs(ctx, q, o.Entity, o.Subsidiaries); err != nil {
		return sc, err
	}
	if o.Client != "" {
		rows, err := q.Query(ctx, `SELECT id FROM client WHERE code = $1`, o.Client)
		if err == nil {
			sc.clients, err = pgx.CollectRows(rows, pgx.RowTo[int64])
		}
		if err != nil {
			return sc, fmt.Errorf("client %q: %w", o.Client, err)
		}
		if len(sc.clients) == 0 {
			return sc, fmt.Errorf("client %q: %w", o.Client, ErrNotFound)
		}
	}
	if o.Profile != "" {
		sc.profile = &o.Profile
	}
	return sc, nil
}

// entityIDs returns the id of the entity with code, with those of every
// entity under it when subsidiaries; nil for "" (every entity).
func entityIDs(ctx context.Context, q Querier, code string, subsidiaries bool) ([]int64, error) {
	if code == "" {
		return nil, nil
	}
	rows, err := q.Query(ctx, entityScopeSQL, code, subsidiaries)
	if err != nil {
		return nil, fmt.Errorf("entity %q: %w", code, err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, fmt.Errorf("entity %q: %w", code, err)
	}
	if len(ids) == 0 {
		return nil, fmt.Errorf("entity %q: %w", code, ErrNotFound)
	}
	return ids, nil
}

// ByClient computes the aged balance per client and currency in one
// GROUP BY pass in PostgreSQL over the ledger as of the date; only one row
// per client and currency reaches Go. The amounts in dispute are read
// apart and added to each row (and taken out of its buckets with
// ExcludeDisputed). Clients whose total and unapplied credit are both zero
// are left out. When the rows of a currency come from several entities
// (Entity empty: a group), the section carries a subtotal per entity.
func ByClient(ctx context.Context, q Querier, o Options) (Report, error) {
	bs := Buckets(o.Edges)
	rep := Report{AsOf: o.AsOf, Buckets: bs, ExcludeDisputed: o.ExcludeDisputed}
	sc, err := o.resolve(ctx, q, bs)
	if err != nil {
		return rep, err
	}
	disputed, err := disputedAmounts(ctx, q, sc)
	if err != nil {
		return rep, err
	}
	entities, err := entityNames(ctx, q)
	if err != nil {
		return rep, err
	}
	rows, err := q.Query(ctx, byClientSQL, sc.args(5)...)
	if err != nil {
		return rep, fmt.Errorf("aged balance: %w", err)
	}
	defer rows.Close()
	var cur *Section
	for rows.Next() {
		var r Row
		var client, entity int64
		var buckets []int64
		if err := rows.Scan(&client, &entity, &r.ClientCode, &r.ClientName, &r.Currency, &buckets, &r.Unapplied); err != nil {
			return rep, fmt.Errorf("aged balance: %w", err)
		}
		r.EntityCode, r.EntityName = entities[entity][0], entities[entity][1]
		r.Buckets = make([]money.Amount, len(bs))
		for i := range bs {
			r.Buckets[i] = money.Amount(buckets[i])
		}
		for _, d := range disputed[clientCurrency{client, r.Currency}] {
			r.Disputed += d.amount
			if o.ExcludeDisputed {
				r.Buckets[d.bucket] -= d.amount
			}
		}
		if r.Total() == 0 && r.Unapplied == 0 {
			continue // all of it in dispute, and left out
		}
		if cur == nil || cur.Currency != r.Currency {
			rep.Sections = append(rep.Sections, Section{Currency: r.Currency,
				Total: Row{ClientCode: TotalCode, Currency: r.Currency, Buckets: make([]money.Amount, len(bs))}})
			cur = &rep.Sections[len(rep.Sections)-1]
		}
		cur.Rows = append(cur.Rows, r)
		cur.Total.Add(r)
	}
	if err := rows.Err(); err != nil {
		return rep, fmt.Errorf("aged balance: %w", err)
	}
	for i := range rep.Sections {
		rep.Sections[i].subtotal()
	}
	return rep, nil
}

// entityNames reads every entity's code and name by id: a group has a
// handful, and the rows of the balance name theirs.
func entityNames(ctx context.Context, q Querier) (map[int64][2]string, error) {
	rows, err := q.Query(ctx, `SELECT id, code, name FROM entity`)
	if err != nil {
		return nil, fmt.Errorf("aged balance: entities: %w", err)
	}
	defer rows.Close()
	out := map[int64][2]string{}
	for rows.Next() {
		var id int64
		var code, name string
		if err := rows.Scan(&id, &code, &name); err != nil {
			return nil, fmt.Errorf("aged balance: entities: %w", err)
		}
		out[id] = [2]string{code, name}
	}
	return out, rows.Err()
}

type clientCurrency struct {
	client   int64
	currency string
}

type disputedAmount struct {
	bucket int
	amount money.Amount
}

// disputedAmounts reads the open amount of the invoices in dispute, per
// client, currency and bucket (sql/disputed.sql).
func disputedAmounts(ctx context.Context, q Querier, sc scope) (map[clientCurrency][]disputedAmount, error) {
	rows, err := q.Query(ctx, disputedSQL, sc.args(4)...)
	if err != nil {
		return nil, fmt.Errorf("aged balance: disputes: %w", err)
	}
	defer rows.Close()
	out := map[clientCurrency][]disputedAmount{}
	for rows.Next() {
		var k clientCurrency
		var d disputedAmount
		if err := rows.Scan(&k.client, &k.currency, &d.bucket, &d.amount); err != nil {
			return nil, fmt.Errorf("aged balance: disputes: %w", err)
		}
		out[k] = append(out[k], d)
	}
	return out, rows.Err()
}

// Items streams the open items at the as-of date to fn, ordered by currency,
// client code, due date and number, without holding them in memory. The
// dispute and pause states are those at the as-of date. Each item carries
// what a NextStepper needs (client profile, score, country, segment and net
// balance; the invoice's reminder ledger), read in the same query. next,
// when not nil, fills Item.NextStep.
func Items(ctx context.Context, q Querier, o Options, next NextStepper, fn func(Item) error) error {
	bs := Buckets(o.Edges)
	sc, err := o.resolve(ctx, q, bs)
	if err != nil {
		return err
	}
	rows, err := q.Query(ctx, itemsSQL, sc.args(6)...)
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
