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
	//go:embed sql/case_targets.sql
	caseTargetsSQL string
	//go:embed sql/case_notice.sql
	caseNoticeSQL string
	//go:embed sql/case_insert.sql
	caseInsertSQL string
)

// CaseOpening is a case to open.
type CaseOpening struct {
	Client string
	// Invoices are the invoice numbers it takes; none takes every invoice
	// of the client overdue on the day with something outstanding that no
	// open case holds.
	Invoices  []string
	Procedure string
	Reference string // docket or file number, when already known
	Handler   string // lawyer, commissaire de justice or agency
	Reason    string // why, for the event trail
	// WithoutNotice opens the case although no formal notice listing its
	// invoices went out, or its deadline has not passed (a notice sent
	// outside relance, an agency that sends its own).
	WithoutNotice bool
}

// caseTarget is one invoice a case would take, with what the checks need.
type caseTarget struct {
	n                              int
	invoiceID, clientID            int64
	number, client, kind, currency string
	issued, due                    time.Time
	outstanding                    money.Amount
	openCase                       *int64
	openSince                      *time.Time
}

// OpenCase opens a case on by.Day for some of a client's overdue invoices:
// their amicable ladder stops that day. It is refused for a client under
// an insolvency proceeding (individual proceedings are suspended), for an
// invoice that is unknown, another client's, a credit note, not yet due,
// paid, or already in an open case (each refusal names its invoice), and,
// unless o.WithoutNotice, before the deadline of a formal notice listing
// one of the invoices has passed (Options.NoticeDays after it went out).
func (s *Store) OpenCase(ctx context.Context, by Act, o CaseOpening) (Case, error) {
	var c Case
	fail := func(err error) (Case, error) { return c, fmt.Errorf("ledger: open case for %s: %w", o.Client, err) }
	if err := by.check(); err != nil {
		return fail(err)
	}
	if !slices.Contains(Procedures, o.Procedure) {
		return fail(fmt.Errorf("procedure %q: want one of %s", o.Procedure, strings.Join(Procedures, ", ")))
	}
	entity, err := s.entity(ctx)
	if err != nil {
		return c, err
	}
	var id int64
	err = s.clientWrite(ctx, by, o.Client, func(tx pgx.Tx, cl Client) error {
		if in := cl.Insolvency; in.Kind != "" && !in.Opened.After(by.Day) {
			return fmt.Errorf("a %s proceeding opened on %s: individual proceedings are suspended (C. com. L622-21); declare the claim instead",
				in.Kind, formatDay(in.Opened))
		}
		targets, err := s.caseTargets(ctx, tx, entity, cl.ID, by.Day, o.Invoices)
		if err != nil {
			return err
		}
		if err := checkCaseTargets(cl, by.Day, o.Invoices, targets); err != nil {
			return err
		}
		ids := make([]int64, len(targets))
		claimed := make([]int64, len(targets))
		for i, t := range targets {
			ids[i], claimed[i] = t.invoiceID, int64(t.outstanding)
		}
		if !o.WithoutNotice {
			if err := s.checkNotice(ctx, tx, ids, by.Day); err != nil {
				return err
			}
		}
		if err := tx.QueryRow(ctx, caseInsertSQL, entity, cl.ID, o.Procedure, targets[0].currency, by.Day,
			strings.TrimSpace(o.Reference), strings.TrimSpace(o.Handler), o.WithoutNotice, by.Actor, ids, claimed).Scan(&id); err != nil {
			return err
		}
		if c, err = s.caseIn(ctx, tx, entity, id, by.Day); err != nil {
			return err
		}
		detail := map[string]any{"case_id": id, "procedure": o.Procedure, "invoices": c.numbers(), "amount": int64(c.Claimed())}
		for k, v := range map[string]string{"reference": c.Reference, "handler": c.Handler} {
			if v != "" {
				detail[k] = v
			}
		}
		if o.WithoutNotice {
			detail["without_notice"] = true
		}
		return event{kind: "case_opened", clientID: cl.ID, reason: o.Reason, detail: detail, act: by}.insert(ctx, tx)
	})
	if err != nil {
		return fail(err)
	}
	return c, nil
}

// caseTargets reads and locks the invoices a case would take (see
// case_targets.sql), in request order; nil for an unknown number.
func (s *Store) caseTargets(ctx context.Context, tx pgx.Tx, entity, client int64, day time.Time, numbers []string) ([]*caseTarget, error) {
	rows, err := tx.Query(ctx, caseTargetsSQL, entity, client, nonNil(numbers), day)
	if err != nil {
		return nil, err
	}
	found, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*caseTarget, error) {
		t := &caseTarget{}
		err := r.Scan(&t.n, &t.invoiceID, &t.number, &t.clientID, &t.client, &t.kind, &t.issued, &t.due, &t.currency,
			&t.outstanding, &t.openCase, &t.openSince)
		return t, err
	})
	if err != nil {
		return nil, err
	}
	if len(numbers) == 0 {
		if len(found) == 0 {
			return nil, fmt.Errorf("nothing overdue on %s outside an open case", formatDay(day))
		}
		return found, nil
	}
	targets := make([]*caseTarget, len(numbers))
	for _, t := range found {
		targets[t.n-1] = t
	}
	return targets, nil
}

// checkCaseTargets lists every refusal, each naming its invoice.
func checkCaseTargets(cl Client, day time.Time, numbers []string, targets []*caseTarget) error {
	var errs []error
	seen := map[string]bool{}
	currency := ""
	for _, t := range targets {
		if t != nil && currency == "" {
			currency = t.currency
		}
	}
	for i, t := range targets {
		number := ""
		if i < len(numbers) {
			number = numbers[i]
		}
		if t != nil {
			number = t.number
		}
		refuse := func(format string, args ...any) {
			errs = append(errs, fmt.Errorf("%s: "+format, append([]any{number}, args...)...))
		}
		switch {
		case seen[number]:
			refuse("listed twice")
		case t == nil:
			refuse("invoice %w", ErrNotFound)
		case t.clientID != cl.ID:
			refuse("an invoice of client %s, not %s", t.client, cl.Code)
		case t.kind != "invoice":
			refuse("a credit note cannot go to a case")
		case t.issued.After(day):
			refuse("issued on %s, after %s", formatDay(t.issued), formatDay(day))
		case !t.due.Before(day):
			refuse("not overdue: due on %s", formatDay(t.due))
		case t.outstanding <= 0:
			refuse("invoice is paid")
		case t.openCase != nil:
			refuse("already in case %d since %s", *t.openCase, formatDay(*t.openSince))
		case t.currency != currency:
			refuse("in %s while the case is in %s: open a case per currency", t.currency, currency)
		}
		seen[number] = true
	}
	return errors.Join(errs...)
}

// checkNotice refuses a case before the deadline of a formal notice listing
// one of its invoices has passed: a registered letter sent on L gives until
// L + NoticeDays to pay, so the case may open from the day after.
func (s *Store) checkNotice(ctx context.Context, tx pgx.Tx, invoices []int64, day time.Time) error {
	var first, last *time.Time
	if err := tx.QueryRow(ctx, caseNoticeSQL, invoices, day).Scan(&first, &last); err != nil {
		return err
	}
	if first == nil {
		return errors.New("no formal notice (registered letter) went out for these invoices: a case follows the level-5 letter once its deadline passes (--without-notice to open one anyway)")
	}
	deadline := first.AddDate(0, 0, s.noticeDays())
	if !deadline.Before(day) {
		return fmt.Errorf("the formal notice of %s gives until %s to pay: a case opens from %s (--without-notice to open one anyway)",
			formatDay(*first), formatDay(deadline), formatDay(deadline.AddDate(0, 0, 1)))
	}
	return nil
}

func (s *Store) noticeDays() int {
	if s.opts.NoticeDays > 0 {
		return s.opts.NoticeDays
	}
	return 8
}
