package ledger

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/relance/relance/internal/money"
)

var (
	//go:embed sql/promise_target.sql
	promiseTargetSQL string
	//go:embed sql/promise_invoices.sql
	promiseInvoicesSQL string
	//go:embed sql/promise_insert.sql
	promiseInsertSQL string
	//go:embed sql/promises.sql
	promisesSQL string
)

// Promise statuses. A promise is open until it is kept (what was promised
// is paid) or broken (its end passed without that); either way dunning
// resumes where it stopped, and a broken one counts in the payer score.
const (
	PromiseOpen      = "open"
	PromiseKept      = "kept"
	PromiseBroken    = "broken"
	PromiseCancelled = "cancelled"
)

// Promise scopes: one invoice, or everything a client has overdue.
const (
	ScopeInvoice = "invoice"
	ScopeClient  = "client"
)

// Promise (promesse de paiement) is a client's word that it will pay by a
// day. It holds the dunning of the invoices it covers from the day it is
// made through Until = PayBy + the configured grace.
type Promise struct {
	ID         int64
	Scope      string   // ScopeInvoice or ScopeClient
	Client     string   // client code
	ClientID   int64    //
	Invoices   []string // the invoices it covers, by due date
	PromisedOn time.Time
	PayBy      time.Time
	Until      time.Time    // last day it holds dunning
	Amount     money.Amount // what was promised (default: all that was due)
	Currency   string
	Status     string    // open, kept, broken, cancelled
	SettledOn  time.Time // the day it was found kept (paid) or broken (Until + 1)
	By         string
	Note       string
}

// PromiseRequest is a promise to record.
type PromiseRequest struct {
	// Target is an invoice number or a client code. A client promise covers
	// every invoice overdue that day. When a code is both, prefix it:
	// "invoice:F-12" or "client:F-12".
	Target string
	PayBy  time.Time
	// Amount promised; zero means everything due on what it covers.
	Amount money.Amount
	Note   string
}

// promisedInvoice is one invoice a promise would cover.
type promisedInvoice struct {
	id, clientID                   int64
	number, client, kind, currency string
	issued, due                    time.Time
	outstanding                    money.Amount
	heldUntil                      *time.Time
}

// RecordPromise records a promise made on by.Day: the invoices it covers get
// no message or action through PayBy + grace, unless it is kept earlier. The
// sweep decides kept or broken by itself (Settle).
func (s *Store) RecordPromise(ctx context.Context, by Act, r PromiseRequest) (Promise, error) {
	var p Promise
	fail := func(err error) (Promise, error) { return p, fmt.Errorf("ledger: promise on %s: %w", r.Target, err) }
	if err := by.check(); err != nil {
		return fail(err)
	}
	switch {
	case r.PayBy.IsZero():
		return fail(errors.New("the day it will be paid is required"))
	case r.PayBy.Before(by.Day):
		return fail(fmt.Errorf("pay by %s is before the day it is made, %s", formatDay(r.PayBy), formatDay(by.Day)))
	case r.Amount < 0:
		return fail(errors.New("the amount must be positive"))
	}
	entity, err := s.entity(ctx)
	if err != nil {
		return p, err
	}
	err = s.write(ctx, func(tx pgx.Tx) error {
		invoiceID, clientID, err := s.promiseTarget(ctx, tx, entity, r.Target)
		if err != nil {
			return err
		}
		covered, err := s.promisedInvoices(ctx, tx, invoiceID, clientID, by.Day)
		if err != nil {
			return err
		}
		p, err = s.newPromise(r, by, invoiceID, covered)
		if err != nil {
			return err
		}
		ids := make([]int64, len(covered))
		for i, c := range covered {
			ids[i] = c.id
		}
		if err := tx.QueryRow(ctx, promiseInsertSQL, ids, p.ClientID, p.PromisedOn, p.PayBy, p.Until, int64(p.Amount),
			p.Scope, p.Note, p.By).Scan(&p.ID); err != nil {
			return err
		}
		e := event{kind: "promise_made", clientID: p.ClientID, reason: r.Note, act: by,
			detail: map[string]any{"promise_id": p.ID, "scope": p.Scope, "pay_by": formatDay(p.PayBy),
				"until": formatDay(p.Until), "amount": int64(p.Amount), "invoices": p.Invoices}}
		if p.Scope == ScopeInvoice {
			e.invoiceID = invoiceID
		}
		return e.insert(ctx, tx)
	})
	if err != nil {
		return fail(err)
	}
	return p, nil
}

// promiseTarget resolves r.Target to an invoice or a client of the entity.
func (s *Store) promiseTarget(ctx context.Context, tx pgx.Tx, entity int64, target string) (invoiceID, clientID int64, err error) {
	code := target
	want := ""
	if k, v, ok := strings.Cut(target, ":"); ok && (k == ScopeInvoice || k == ScopeClient) {
		want, code = k, v
	}
	var inv, cli *int64
	if err := tx.QueryRow(ctx, promiseTargetSQL, entity, code).Scan(&inv, &cli); err != nil {
		return 0, 0, err
	}
	switch {
	case want == ScopeInvoice && inv != nil, want == "" && inv != nil && cli == nil:
		return *inv, 0, nil
	case want == ScopeClient && cli != nil, want == "" && cli != nil && inv == nil:
		return 0, *cli, nil
	case want == "" && inv != nil && cli != nil:
		return 0, 0, fmt.Errorf("%q is both an invoice and a client: write invoice:%s or client:%s", code, code, code)
	}
	what := "invoice or client"
	if want != "" {
		what = want
	}
	return 0, 0, fmt.Errorf("no %s %q in entity %s: %w", what, code, s.opts.Entity, ErrNotFound)
}

// promisedInvoices reads and checks the invoices a promise covers.
func (s *Store) promisedInvoices(ctx context.Context, tx pgx.Tx, invoiceID, clientID int64, day time.Time) ([]promisedInvoice, error) {
	rows, err := tx.Query(ctx, promiseInvoicesSQL, nullID(invoiceID), clientID, day)
	if err != nil {
		return nil, err
	}
	covered, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (promisedInvoice, error) {
		var c promisedInvoice
		err := r.Scan(&c.id, &c.number, &c.clientID, &c.client, &c.kind, &c.issued, &c.due, &c.currency, &c.outstanding, &c.heldUntil)
		return c, err
	})
	if err != nil {
		return nil, err
	}
	if invoiceID == 0 && len(covered) == 0 {
		return nil, fmt.Errorf("the client has nothing overdue on %s", formatDay(day))
	}
	var errs []error
	for _, c := range covered {
		switch {
		case c.kind != "invoice":
			errs = append(errs, fmt.Errorf("%s is a credit note", c.number))
		case c.issued.After(day):
			errs = append(errs, fmt.Errorf("%s is issued on %s, after %s", c.number, formatDay(c.issued), formatDay(day)))
		case c.outstanding <= 0:
			errs = append(errs, fmt.Errorf("invoice %s is paid", c.number))
		case c.heldUntil != nil:
			errs = append(errs, fmt.Errorf("%s is already under a promise until %s", c.number, formatDay(*c.heldUntil)))
		}
	}
	return covered, errors.Join(errs...)
}

// newPromise fills the promise r makes on the covered invoices.
func (s *Store) newPromise(r PromiseRequest, by Act, invoiceID int64, covered []promisedInvoice) (Promise, error) {
	p := Promise{Scope: ScopeClient, Client: covered[0].client, ClientID: covered[0].clientID, PromisedOn: by.Day,
		PayBy: r.PayBy, Until: r.PayBy.AddDate(0, 0, s.opts.PromiseGraceDays), Amount: r.Amount,
		Currency: covered[0].currency, Status: PromiseOpen, By: by.Actor, Note: strings.TrimSpace(r.Note)}
	if invoiceID != 0 {
		p.Scope = ScopeInvoice
	}
	var due money.Amount
	for _, c := range covered {
		p.Invoices = append(p.Invoices, c.number)
		due += c.outstanding
		if c.currency != p.Currency {
			return p, fmt.Errorf("the overdue invoices are in %s and %s: promise each invoice on its own", p.Currency, c.currency)
		}
	}
	switch {
	case p.Amount == 0:
		p.Amount = due
	case p.Amount > due:
		return p, fmt.Errorf("%s promised, more than the %s due", money.FormatPlain(p.Amount), money.FormatPlain(due))
	}
	return p, nil
}

// Promises lists the entity's promises, newest first; client "" for every
// client. A client promise is one Promise listing its invoices.
func (s *Store) Promises(ctx context.Context, client string) ([]Promise, error) {
	entity, err := s.entity(ctx)
	if err != nil {
		return nil, err
	}
	rows, err := s.db.Query(ctx, promisesSQL, entity, nullText(client))
	if err != nil {
		return nil, fmt.Errorf("ledger: promises: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Promise, error) {
		var p Promise
		var settled *time.Time
		err := r.Scan(&p.ID, &p.Scope, &p.Client, &p.ClientID, &p.Invoices, &p.PromisedOn, &p.PayBy, &p.Until,
			&p.Amount, &p.Status, &settled, &p.By, &p.Note, &p.Currency)
		p.SettledOn = dateOf(settled)
		return p, err
	})
	if err != nil {
		return nil, fmt.Errorf("ledger: promises: %w", err)
	}
	return out, nil
}
