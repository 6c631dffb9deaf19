package ledger

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/relance/relance/internal/money"
)

var (
	//go:embed sql/dispute_targets.sql
	disputeTargetsSQL string
	//go:embed sql/dispute_insert.sql
	disputeInsertSQL string
	//go:embed sql/dispute_lapse.sql
	disputeLapseSQL string
	//go:embed sql/dispute_resolve.sql
	disputeResolveSQL string
	//go:embed sql/disputes.sql
	disputesSQL string
)

// Dispute (litige) is a disagreement the client raised on an invoice: it
// holds the invoice's dunning from Opened until it is resolved, or through
// Until when one was given (it then resumes by itself).
type Dispute struct {
	ID          int64
	Invoice     string // invoice number
	InvoiceID   int64
	Client      string // client code
	ClientID    int64
	Reason      string // a configured reason code (price, quantity…)
	Note        string
	Opened      time.Time
	Until       time.Time // last day it holds; zero: until resolved
	Resolved    time.Time // first day it no longer holds; zero: open
	Outcome     string    // how it ended; "lapsed" when Until passed
	OpenedBy    string
	ResolvedBy  string
	Outstanding money.Amount // the invoice's, today
	Currency    string
}

// Holds reports whether the dispute holds its invoice on day.
func (d Dispute) Holds(day time.Time) bool {
	return !d.Opened.After(day) && (d.Resolved.IsZero() || d.Resolved.After(day)) &&
		(d.Until.IsZero() || !d.Until.Before(day))
}

// DisputeOpening is one dispute to open.
type DisputeOpening struct {
	Invoice string    // invoice number
	Reason  string    // reason code
	Note    string    // free text: what the client says
	Until   time.Time // last day it holds; zero: until resolved
}

// DisputeFilter selects disputes. The zero filter selects every one.
type DisputeFilter struct {
	HoldingOn time.Time // only those holding their invoice that day
	Client    string    // only this client's
	Invoice   string    // only this invoice's
}

// OpenDispute opens a dispute on an invoice from by.Day: dunning of that
// invoice stops until it is resolved (or through o.Until).
func (s *Store) OpenDispute(ctx context.Context, by Act, o DisputeOpening) (Dispute, error) {
	ds, err := s.OpenDisputes(ctx, by, []DisputeOpening{o})
	if err != nil {
		return Dispute{}, err
	}
	return ds[0], nil
}

// disputeTarget is what opening a dispute on one invoice must check.
type disputeTarget struct {
	n                      int
	invoiceID, clientID    int64
	client, kind, currency string
	issued                 time.Time
	outstanding            money.Amount
	openID                 *int64
	openFrom, openUntil    *time.Time
	openReason             *string
}

// OpenDisputes opens several disputes at once, all on by.Day, in one
// transaction and set-based (the demo records hundreds): either all open,
// or none and the error lists every refusal, each naming its invoice.
func (s *Store) OpenDisputes(ctx context.Context, by Act, reqs []DisputeOpening) ([]Dispute, error) {
	if err := by.check(); err != nil {
		return nil, fmt.Errorf("ledger: open dispute: %w", err)
	}
	entity, err := s.entity(ctx)
	if err != nil {
		return nil, err
	}
	var out []Dispute
	err = s.write(ctx, func(tx pgx.Tx) error {
		targets, err := s.disputeTargets(ctx, tx, entity, by.Day, reqs)
		if err != nil {
			return err
		}
		if err := s.checkOpenings(by.Day, reqs, targets); err != nil {
			return err
		}
		n := len(reqs)
		invoices, clients := make([]int64, n), make([]int64, n)
		reasons, notes, untils := make([]string, n), make([]string, n), make([]*time.Time, n)
		for i, o := range reqs {
			t := targets[i]
			invoices[i], clients[i], reasons[i], notes[i], untils[i] = t.invoiceID, t.clientID, o.Reason, o.Note, nullDate(o.Until)
			out = append(out, Dispute{InvoiceID: t.invoiceID, Invoice: o.Invoice, ClientID: t.clientID, Client: t.client,
				Reason: o.Reason, Note: o.Note, Opened: by.Day, Until: o.Until, OpenedBy: by.Actor,
				Outstanding: t.outstanding, Currency: t.currency})
		}
		rows, err := tx.Query(ctx, disputeInsertSQL, invoices, clients, reasons, notes, untils, by.Day, by.Actor)
		if err != nil {
			return err
		}
		ids := map[int64]int64{}
		for rows.Next() {
			var id, invoice int64
			if err := rows.Scan(&id, &invoice); err != nil {
				rows.Close()
				return err
			}
			ids[invoice] = id
		}
		if err := rows.Err(); err != nil {
			return err
		}
		for i := range out {
			out[i].ID = ids[out[i].InvoiceID]
		}
		return nil
	})
	switch {
	case err == nil:
		return out, nil
	case strings.HasPrefix(err.Error(), "ledger: "): // refusals name their invoice
		return nil, err
	case len(reqs) == 1:
		return nil, fmt.Errorf("ledger: open dispute on %s: %w", reqs[0].Invoice, err)
	}
	return nil, fmt.Errorf("ledger: open %d disputes: %w", len(reqs), err)
}

// disputeTargets lapses the disputes of the requested invoices whose end
// passed, then reads what the checks need, in request order (nil for an
// unknown invoice).
func (s *Store) disputeTargets(ctx context.Context, tx pgx.Tx, entity int64, day time.Time, reqs []DisputeOpening) ([]*disputeTarget, error) {
	numbers := make([]string, len(reqs))
	for i, o := range reqs {
		numbers[i] = o.Invoice
	}
	rows, err := tx.Query(ctx, disputeTargetsSQL, entity, numbers, day)
	if err != nil {
		return nil, err
	}
	targets := make([]*disputeTarget, len(reqs))
	var ids []int64
	for rows.Next() {
		t := &disputeTarget{}
		if err := rows.Scan(&t.n, &t.invoiceID, &t.clientID, &t.client, &t.kind, &t.issued, &t.currency, &t.outstanding,
			&t.openID, &t.openFrom, &t.openUntil, &t.openReason); err != nil {
			rows.Close()
			return nil, err
		}
		targets[t.n-1] = t
		if t.openUntil != nil && t.openUntil.Before(day) {
			ids = append(ids, t.invoiceID)
			t.openID, t.openFrom, t.openUntil, t.openReason = nil, nil, nil, nil
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(ids) > 0 {
		if _, err := tx.Exec(ctx, disputeLapseSQL, day, ids); err != nil {
			return nil, fmt.Errorf("lapse ended disputes: %w", err)
		}
	}
	return targets, nil
}

// checkOpenings lists every refusal, each naming its invoice.
func (s *Store) checkOpenings(day time.Time, reqs []DisputeOpening, targets []*disputeTarget) error {
	var errs []error
	seen := map[string]bool{}
	for i, o := range reqs {
		refuse := func(format string, args ...any) {
			errs = append(errs, fmt.Errorf("ledger: open dispute on %s: "+format, append([]any{o.Invoice}, args...)...))
		}
		t := targets[i]
		switch {
		case seen[o.Invoice]:
			refuse("listed twice")
		case t == nil:
			refuse("invoice %w in entity %s", ErrNotFound, s.opts.Entity)
		case t.kind != "invoice":
			refuse("a credit note cannot be disputed")
		case t.issued.After(day):
			refuse("issued on %s, after %s", formatDay(t.issued), formatDay(day))
		case t.outstanding <= 0:
			refuse("invoice is paid")
		case t.openID != nil:
			refuse("already in dispute since %s (%s): resolve it first", formatDay(*t.openFrom), textOf(t.openReason))
		case !o.Until.IsZero() && o.Until.Before(day):
			refuse("until %s is before the day it opens, %s", formatDay(o.Until), formatDay(day))
		case strings.TrimSpace(o.Reason) == "":
			refuse("a reason code is required")
		case len(s.opts.DisputeReasons) > 0 && !slices.Contains(s.opts.DisputeReasons, o.Reason):
			refuse("reason %q: want one of %s (disputes.reasons)", o.Reason, strings.Join(s.opts.DisputeReasons, ", "))
		}
		seen[o.Invoice] = true
	}
	return errors.Join(errs...)
}

// ResolveDispute closes the dispute open on an invoice on by.Day: dunning
// resumes that day where it stopped. outcome says how it ended (a credit
// note, the client pays, rejected…).
func (s *Store) ResolveDispute(ctx context.Context, by Act, invoice, outcome string) (Dispute, error) {
	var d Dispute
	fail := func(err error) (Dispute, error) {
		return d, fmt.Errorf("ledger: resolve dispute on %s: %w", invoice, err)
	}
	if err := by.check(); err != nil {
		return fail(err)
	}
	entity, err := s.entity(ctx)
	if err != nil {
		return d, err
	}
	err = s.write(ctx, func(tx pgx.Tx) error {
		targets, err := s.disputeTargets(ctx, tx, entity, by.Day, []DisputeOpening{{Invoice: invoice}})
		if err != nil {
			return err
		}
		t := targets[0]
		switch {
		case t == nil:
			return fmt.Errorf("invoice %w in entity %s", ErrNotFound, s.opts.Entity)
		case t.openID == nil:
			return errors.New("no dispute is open on it")
		case t.openFrom.After(by.Day):
			return fmt.Errorf("it opens on %s, after %s", formatDay(*t.openFrom), formatDay(by.Day))
		}
		if _, err := tx.Exec(ctx, disputeResolveSQL, *t.openID, by.Day, outcome, by.Actor); err != nil {
			return err
		}
		ds, err := s.disputes(ctx, tx, entity, DisputeFilter{Invoice: invoice})
		if err != nil {
			return err
		}
		for _, x := range ds {
			if x.ID == *t.openID {
				d = x
			}
		}
		return event{kind: "dispute_resolved", clientID: t.clientID, invoiceID: t.invoiceID, reason: outcome,
			detail: map[string]any{"dispute_id": d.ID, "opened": formatDay(d.Opened), "dispute_reason": d.Reason}, act: by}.insert(ctx, tx)
	})
	if err != nil {
		return fail(err)
	}
	return d, nil
}

// Disputes lists the entity's disputes that f selects, oldest first.
func (s *Store) Disputes(ctx context.Context, f DisputeFilter) ([]Dispute, error) {
	entity, err := s.entity(ctx)
	if err != nil {
		return nil, err
	}
	ds, err := s.disputes(ctx, s.db, entity, f)
	if err != nil {
		return nil, fmt.Errorf("ledger: disputes: %w", err)
	}
	return ds, nil
}

func (s *Store) disputes(ctx context.Context, q DB, entity int64, f DisputeFilter) ([]Dispute, error) {
	rows, err := q.Query(ctx, disputesSQL, entity, nullDate(f.HoldingOn), nullText(f.Client), nullText(f.Invoice))
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Dispute, error) {
		var d Dispute
		var until, resolved *time.Time
		err := r.Scan(&d.ID, &d.Invoice, &d.InvoiceID, &d.Client, &d.ClientID, &d.Reason, &d.Note, &d.Opened,
			&until, &resolved, &d.Outcome, &d.OpenedBy, &d.ResolvedBy, &d.Outstanding, &d.Currency)
		d.Until, d.Resolved = dateOf(until), dateOf(resolved)
		return d, err
	})
}
