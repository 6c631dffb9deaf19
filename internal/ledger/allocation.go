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
	//go:embed sql/allocation_invoice.sql
	allocationInvoiceSQL string
	//go:embed sql/allocation_payments.sql
	allocationPaymentsSQL string
	//go:embed sql/allocation_credit_note.sql
	allocationCreditNoteSQL string
	//go:embed sql/allocation_record.sql
	allocationRecordSQL string
)

// AllocationRequest says that money the client already gave, an unapplied
// payment or credit note, settles one of its invoices.
type AllocationRequest struct {
	Invoice string // the invoice it settles
	// The source: a payment by its reference (with its day when several
	// payments carry it), or a credit note by its number.
	PaymentReference string
	PaymentDay       time.Time
	CreditNote       string
	// Amount allocated; zero means all it can: what the source has left,
	// up to what the invoice still owes.
	Amount money.Amount
}

// Allocation is an allocation recorded (or found already recorded).
type Allocation struct {
	Invoice  string
	Client   string
	Source   string // payment or credit_note
	Amount   money.Amount
	Currency string
	Day      time.Time
	// Created is false when the same allocation was already recorded: asking
	// twice has one effect.
	Created bool
}

// allocationSource is the payment or credit note an allocation takes from.
type allocationSource struct {
	paymentID, creditNoteID *int64
	currency                string
	left, given             money.Amount // what it has left to give; what it already gave the invoice
}

// Allocate records that r's payment or credit note settles r's invoice, on
// by.Day. It is idempotent: when the source already gave the invoice
// exactly the amount asked (or anything, when none is asked), nothing is
// recorded again and Created is false; a different amount is refused, as
// is more than the source has left or the invoice still owes.
func (s *Store) Allocate(ctx context.Context, by Act, r AllocationRequest) (Allocation, error) {
	a := Allocation{Invoice: r.Invoice, Day: by.Day, Source: "payment"}
	if r.CreditNote != "" {
		a.Source = "credit_note"
	}
	fail := func(err error) (Allocation, error) {
		return a, fmt.Errorf("ledger: allocate to %s: %w", r.Invoice, err)
	}
	if err := checkAllocation(r); err != nil {
		return fail(err)
	}
	if err := by.check(); err != nil {
		return fail(err)
	}
	entity, err := s.entity(ctx)
	if err != nil {
		return a, err
	}
	err = s.write(ctx, func(tx pgx.Tx) error {
		var invoiceID, clientID int64
		var kind string
		var outstanding money.Amount
		err := tx.QueryRow(ctx, allocationInvoiceSQL, entity, r.Invoice).Scan(&invoiceID, &clientID, &a.Client, &kind, &a.Currency, &outstanding)
		if errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("invoice %w in entity %s", ErrNotFound, s.opts.Entity)
		}
		if err != nil {
			return err
		}
		if kind != "invoice" {
			return errors.New("a credit note is not settled by an allocation")
		}
		src, err := s.allocationSource(ctx, tx, entity, r, invoiceID, clientID)
		if err != nil {
			return err
		}
		if src.currency != a.Currency {
			return fmt.Errorf("the %s is in %s, the invoice in %s", strings.ReplaceAll(a.Source, "_", " "), src.currency, a.Currency)
		}
		if src.given != 0 {
			a.Amount = src.given
			if r.Amount != 0 && r.Amount != src.given {
				return fmt.Errorf("already allocated %s from this %s, not %s", money.FormatPlain(src.given),
					strings.ReplaceAll(a.Source, "_", " "), money.FormatPlain(r.Amount))
			}
			return nil // asked again: one effect
		}
		if a.Amount, err = allocatable(r.Amount, src.left, outstanding); err != nil {
			return err
		}
		var id int64
		if err := tx.QueryRow(ctx, allocationRecordSQL, invoiceID, src.paymentID, src.creditNoteID, int64(a.Amount), by.Day).Scan(&id); err != nil {
			return err
		}
		a.Created = true
		detail := map[string]any{"allocation_id": id, "source": a.Source, "amount": int64(a.Amount)}
		reason := r.PaymentReference
		if r.CreditNote != "" {
			detail["credit_note"], reason = r.CreditNote, r.CreditNote
		} else {
			detail["reference"] = r.PaymentReference
		}
		return event{kind: "allocation_recorded", clientID: clientID, invoiceID: invoiceID, reason: reason,
			detail: detail, act: by}.insert(ctx, tx)
	})
	if err != nil {
		return fail(err)
	}
	return a, nil
}

// checkAllocation checks the request's fields, naming each refused one.
func checkAllocation(r AllocationRequest) error {
	var errs fieldErrors
	if strings.TrimSpace(r.Invoice) == "" {
		errs.add("invoice", errors.New("required"))
	}
	switch {
	case r.PaymentReference == "" && r.CreditNote == "":
		errs.add("payment_reference", errors.New("name a payment (its reference) or a credit note"))
	case r.PaymentReference != "" && r.CreditNote != "":
		errs.add("credit_note", errors.New("name a payment or a credit note, not both"))
	}
	if r.Amount < 0 {
		errs.add("amount", fmt.Errorf("negative amount %s", money.FormatPlain(r.Amount)))
	}
	return errs.err()
}

// allocatable is what an allocation may take: the amount asked, or all the
// source has left up to what the invoice owes.
func allocatable(asked, left, owed money.Amount) (money.Amount, error) {
	switch {
	case left <= 0:
		return 0, errors.New("nothing left to allocate on it")
	case owed <= 0:
		return 0, errors.New("the invoice is settled")
	case asked == 0:
		return min(left, owed), nil
	case asked > left:
		return 0, fmt.Errorf("only %s left to allocate, not %s", money.FormatPlain(left), money.FormatPlain(asked))
	case asked > owed:
		return 0, fmt.Errorf("the invoice owes %s, not %s", money.FormatPlain(owed), money.FormatPlain(asked))
	}
	return asked, nil
}

// allocationSource finds and locks the payment or credit note of r, which
// must belong to the invoice's client.
func (s *Store) allocationSource(ctx context.Context, tx pgx.Tx, entity int64, r AllocationRequest, invoiceID, clientID int64) (allocationSource, error) {
	var src allocationSource
	if r.CreditNote != "" {
		var id, owner int64
		var kind string
		err := tx.QueryRow(ctx, allocationCreditNoteSQL, entity, r.CreditNote, invoiceID).Scan(&id, &owner, &kind, &src.currency, &src.left, &src.given)
		switch {
		case errors.Is(err, pgx.ErrNoRows):
			return src, fmt.Errorf("credit note %s %w in entity %s", r.CreditNote, ErrNotFound, s.opts.Entity)
		case err != nil:
			return src, err
		case kind != "credit_note":
			return src, fmt.Errorf("%s is an invoice, not a credit note", Quote(r.CreditNote))
		case owner != clientID:
			return src, fmt.Errorf("credit note %s belongs to another client", Quote(r.CreditNote))
		}
		src.creditNoteID = &id
		return src, nil
	}
	rows, err := tx.Query(ctx, allocationPaymentsSQL, clientID, r.PaymentReference, nullDate(r.PaymentDay), invoiceID)
	if err != nil {
		return src, err
	}
	type found struct {
		id          int64
		day         time.Time
		currency    string
		left, given money.Amount
	}
	ps, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (found, error) {
		var f found
		err := row.Scan(&f.id, &f.day, &f.currency, &f.left, &f.given)
		return f, err
	})
	switch {
	case err != nil:
		return src, err
	case len(ps) == 0:
		return src, fmt.Errorf("payment %s of the invoice's client %w", Quote(r.PaymentReference), ErrNotFound)
	case len(ps) > 1:
		days := make([]string, len(ps))
		for i, p := range ps {
			days[i] = formatDay(p.day)
		}
		return src, fmt.Errorf("%d payments carry the reference %s (%s): say which by its day", len(ps), Quote(r.PaymentReference), strings.Join(days, ", "))
	}
	p := ps[0]
	src.paymentID, src.currency, src.left, src.given = &p.id, p.currency, p.left, p.given
	return src, nil
}
