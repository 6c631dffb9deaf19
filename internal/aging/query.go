package aging

import (
	"context"
	"errors"
	"fmt"
	"strings"
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

// Options select what the aged balance covers.
type Options struct {
	AsOf    time.Time // the date the balance is computed for
	Edges   []int     // upper edges of the overdue buckets but the last (config aging.buckets)
	Entity  string    // entity code; empty: every entity
	Client  string    // client code; empty: every client
	Profile string    // explicit client profile (client.profile); empty: any
}

// scope builds the WHERE fragment restricting invoices and payments (alias
// t) to the selected entity, client and profile, appending its arguments.
func (o Options) scope(ctx context.Context, q Querier, args *[]any) (string, error) {
	var w strings.Builder
	if o.Entity != "" {
		id, err := entityID(ctx, q, o.Entity)
		if err != nil {
			return "", err
		}
		*args = append(*args, *id)
		fmt.Fprintf(&w, " AND t.entity_id = $%d", len(*args))
	}
	if o.Client != "" {
		var ids []int64
		rows, err := q.Query(ctx, `SELECT id FROM client WHERE code = $1`, o.Client)
		if err == nil {
			ids, err = pgx.CollectRows(rows, pgx.RowTo[int64])
		}
		if err != nil {
			return "", fmt.Errorf("client %q: %w", o.Client, err)
		}
		if len(ids) == 0 {
			return "", fmt.Errorf("client %q: %w", o.Client, ErrNotFound)
		}
		*args = append(*args, ids)
		fmt.Fprintf(&w, " AND t.client_id = ANY($%d)", len(*args))
	}
	if o.Profile != "" {
		*args = append(*args, o.Profile)
		fmt.Fprintf(&w, " AND t.client_id IN (SELECT id FROM client WHERE profile = $%d)", len(*args))
	}
	return w.String(), nil
}

// itemsSQL is the open items at $1 (the as-of date) with their bucket index
// for the lower bounds $2, as columns (client_id, currency, bucket, open,
// + extra). bucket is NULL for unapplied credit.
//
// How the balance at a past date is replayed: outstanding (amount − settled)
// is the balance today, and every settlement is a dated allocation. So the
// balance at D is today's plus every allocation to the document applied
// after D, minus, for a credit note, every allocation it funded after D (a
// credit_note allocation raises the invoice's settled and lowers the credit
// note's by the same amount). A payment's open part at D is its unallocated
// amount plus what it allocated after D. Both add-backs read only the
// allocations applied after D through allocation_applied_on_idx, so the
// common report (as of today) is one scan of invoice and one of payment,
// hash-joined with an empty set.
//
// A credit note that names an invoice (applies_to_id) but is not fully
// allocated yet is aged with that invoice's due date, so it nets in the
// invoice's bucket; one naming no invoice is unapplied credit.
func itemsSQL(scope, extraInvoice, extraPayment string, replay bool) string {
	bucket := `
		CASE WHEN t.kind = 'invoice' THEN width_bucket($1::date - t.due_date, $2::int[])
		     WHEN t.applies_to_id IS NOT NULL THEN
		          width_bucket($1::date - (SELECT o.due_date FROM invoice o WHERE o.id = t.applies_to_id), $2::int[])
		END AS bucket,`
	if !replay {
		// Nothing was applied after the date: today's balances are the
		// balances at the date, and only the open items are read. Credit
		// notes naming an invoice are read apart, through the partial index
		// invoice_open_applied_credit_idx (migration 00003), so that the
		// scan of the invoices carries no per-row subquery.
		return `
WITH item AS (
	SELECT t.client_id, t.currency,
		CASE WHEN t.kind = 'invoice' THEN width_bucket($1::date - t.due_date, $2::int[]) END AS bucket,
		t.outstanding AS open` + extraInvoice + `
	FROM invoice t
	WHERE t.issue_date <= $1 AND t.outstanding <> 0 AND (t.kind = 'invoice' OR t.applies_to_id IS NULL)` + scope + `
	UNION ALL
	SELECT t.client_id, t.currency, width_bucket($1::date - o.due_date, $2::int[]),
		t.outstanding` + extraInvoice + `
	FROM invoice t JOIN invoice o ON o.id = t.applies_to_id
	WHERE t.kind = 'credit_note' AND t.applies_to_id IS NOT NULL AND t.outstanding <> 0
		AND t.issue_date <= $1` + scope + `
	UNION ALL
	SELECT t.client_id, t.currency, NULL, -t.unallocated` + extraPayment + `
	FROM payment t
	WHERE t.received_on <= $1 AND t.unallocated <> 0` + scope + `
)`
	}
	return `
WITH later AS (
	SELECT doc_id, sum(amt) AS back FROM (
		SELECT invoice_id AS doc_id, amount AS amt FROM allocation WHERE applied_on > $1
		UNION ALL
		SELECT credit_note_id, -amount FROM allocation WHERE applied_on > $1 AND credit_note_id IS NOT NULL
	) x GROUP BY doc_id
), later_pay AS (
	SELECT payment_id, sum(amount) AS back FROM allocation
	WHERE applied_on > $1 AND payment_id IS NOT NULL GROUP BY payment_id
), item AS (
	SELECT t.client_id, t.currency,` + bucket + `
		t.outstanding + COALESCE(l.back, 0) AS open` + extraInvoice + `
	FROM invoice t LEFT JOIN later l ON l.doc_id = t.id
	WHERE t.issue_date <= $1 AND (t.outstanding <> 0 OR l.doc_id IS NOT NULL)` + scope + `
	UNION ALL
	SELECT t.client_id, t.currency, NULL, -(t.unallocated + COALESCE(l.back, 0))` + extraPayment + `
	FROM payment t LEFT JOIN later_pay l ON l.payment_id = t.id
	WHERE t.received_on <= $1 AND (t.unallocated <> 0 OR l.payment_id IS NOT NULL)` + scope + `
)`
}

// appliedAfter tells whether any settlement is dated after asOf, through
// allocation_applied_on_idx: when none is, the balance at asOf is today's
// and the add-back joins are left out of the query.
func appliedAfter(ctx context.Context, q Querier, asOf time.Time) (bool, error) {
	var after bool
	err := q.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM allocation WHERE applied_on > $1)`, asOf).Scan(&after)
	if err != nil {
		return false, fmt.Errorf("aged balance: %w", err)
	}
	return after, nil
}

// ByClient computes the aged balance per client and currency in one
// GROUP BY pass in PostgreSQL; only one row per client and currency reaches
// Go. Clients whose total and unapplied credit are both zero are left out.
func ByClient(ctx context.Context, q Querier, o Options) (Report, error) {
	return byClient(ctx, q, o, false)
}

// byClient is ByClient; forceReplay takes the add-back path even when
// nothing was applied after the date (tests compare both paths).
func byClient(ctx context.Context, q Querier, o Options, forceReplay bool) (Report, error) {
	bs := Buckets(o.Edges)
	rep := Report{AsOf: o.AsOf, Buckets: bs}
	args := []any{o.AsOf, thresholds(bs)}
	scope, err := o.scope(ctx, q, &args)
	if err != nil {
		return rep, err
	}
	cols := make([]string, len(bs))
	for i := range bs {
		cols[i] = fmt.Sprintf("COALESCE(sum(open) FILTER (WHERE bucket = %d), 0)::bigint", i)
	}
	replay, err := appliedAfter(ctx, q, o.AsOf)
	if err != nil {
		return rep, err
	}
	replay = replay || forceReplay
	sql := itemsSQL(scope, "", "", replay) + `
SELECT c.code, c.name, g.currency, g.buckets, g.unapplied
FROM (
	SELECT client_id, currency::text AS currency,
		ARRAY[` + strings.Join(cols, ", ") + `] AS buckets,
		COALESCE(sum(open) FILTER (WHERE bucket IS NULL), 0)::bigint AS unapplied,
		COALESCE(sum(open), 0)::bigint AS total
	FROM item GROUP BY client_id, currency
) g JOIN client c ON c.id = g.client_id
WHERE g.total <> 0 OR g.unapplied <> 0
ORDER BY g.currency, c.code, c.id`
	rows, err := q.Query(ctx, sql, args...)
	if err != nil {
		return rep, fmt.Errorf("aged balance: %w", err)
	}
	defer rows.Close()
	var cur *Section
	for rows.Next() {
		var r Row
		var buckets []int64
		if err := rows.Scan(&r.ClientCode, &r.ClientName, &r.Currency, &buckets, &r.Unapplied); err != nil {
			return rep, fmt.Errorf("aged balance: %w", err)
		}
		r.Buckets = make([]money.Amount, len(buckets))
		for i, b := range buckets {
			r.Buckets[i] = money.Amount(b)
		}
		if cur == nil || cur.Currency != r.Currency {
			rep.Sections = append(rep.Sections, Section{Currency: r.Currency,
				Total: Row{ClientCode: TotalCode, Currency: r.Currency, Buckets: make([]money.Amount, len(bs))}})
			cur = &rep.Sections[len(rep.Sections)-1]
		}
		cur.Rows = append(cur.Rows, r)
		for i, a := range r.Buckets {
			cur.Total.Buckets[i] += a
		}
		cur.Total.Unapplied += r.Unapplied
	}
	if err := rows.Err(); err != nil {
		return rep, fmt.Errorf("aged balance: %w", err)
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
	return items(ctx, q, o, next, fn, false)
}

func items(ctx context.Context, q Querier, o Options, next NextStepper, fn func(Item) error, forceReplay bool) error {
	bs := Buckets(o.Edges)
	args := []any{o.AsOf, thresholds(bs)}
	scope, err := o.scope(ctx, q, &args)
	if err != nil {
		return err
	}
	replay, err := appliedAfter(ctx, q, o.AsOf)
	if err != nil {
		return err
	}
	replay = replay || forceReplay
	sql := itemsSQL(scope,
		`, t.id AS doc_id, t.kind, t.number, t.issue_date,
		CASE WHEN t.kind = 'credit_note' AND t.applies_to_id IS NOT NULL
		     THEN (SELECT o.due_date FROM invoice o WHERE o.id = t.applies_to_id) ELSE t.due_date END AS due_date,
		t.amount_incl_vat AS amount`,
		`, NULL::bigint, 'payment', COALESCE(t.reference, ''), t.received_on, NULL::date, t.amount`, replay) + `
SELECT c.code, c.name, i.kind, i.number, i.issue_date, i.due_date, i.currency::text, i.amount, i.open, i.bucket,
	i.doc_id IS NOT NULL AND EXISTS (SELECT 1 FROM dispute d WHERE d.invoice_id = i.doc_id
		AND d.opened_on <= $1 AND (d.resolved_on IS NULL OR d.resolved_on > $1)),
	(SELECT max(p.until) FROM promise p WHERE i.doc_id IS NOT NULL AND p.invoice_id = i.doc_id
		AND p.promised_on <= $1 AND p.until >= $1),
	COALESCE(c.profile, ''), COALESCE(c.payer_score::text, ''), c.country, COALESCE(c.segment, ''),
	sum(i.open) OVER (PARTITION BY i.client_id)::bigint,
	COALESCE(l.steps, '{}'), COALESCE(l.days, '{}')
FROM item i JOIN client c ON c.id = i.client_id
LEFT JOIN LATERAL (
	SELECT array_agg(r.step_id ORDER BY r.due_on, r.id) AS steps, array_agg(r.due_on ORDER BY r.due_on, r.id) AS days
	FROM reminder r
	WHERE i.kind = 'invoice' AND r.invoice_id = i.doc_id AND r.due_on < $1 AND r.status <> 'dropped'
) l ON true
WHERE i.open <> 0
ORDER BY i.currency, c.code, i.due_date NULLS LAST, i.number`
	rows, err := q.Query(ctx, sql, args...)
	if err != nil {
		return fmt.Errorf("open items: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var it Item
		var bucket *int32
		var steps []string
		var days []time.Time
		if err := rows.Scan(&it.ClientCode, &it.ClientName, &it.Kind, &it.Number, &it.IssueDate, &it.DueDate,
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
