package ledger

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/relance/relance/internal/money"
	"github.com/relance/relance/internal/provision"
)

var (
	//go:embed sql/writeoff_target.sql
	writeOffTargetSQL string
	//go:embed sql/writeoff.sql
	writeOffSQL string
)

// WriteOffOptions say how an invoice is written off.
type WriteOffOptions struct {
	Reason string // why: liquidation closed, debtor gone… (kept on the event and the entries)
	// NoVATRecovery books the whole unpaid amount incl. VAT as the loss:
	// for a debt that is not definitively irrecoverable (abandoned without
	// proof), whose VAT cannot be recovered.
	NoVATRecovery bool
	// DefaultVATBP is the VAT rate assumed when the invoice was imported
	// without its amount excl. VAT (provision.default_vat_rate).
	DefaultVATBP int
}

// WriteOff is what writing an invoice off booked.
type WriteOff struct {
	Invoice, Client, Currency string
	Day                       time.Time
	Amount                    money.Amount // the unpaid amount incl. VAT, now settled by the write-off
	VAT                       money.Amount // the VAT recovered on it (44571)
	Loss                      money.Amount // Amount − VAT (654)
	VATImported               bool         // VAT from the invoice's own amounts; false: the default rate
	Doubtful                  bool         // it had been reclassified to 416
	Reversed                  money.Amount // the provision taken back (491 / 7817)
}

// WriteOff writes invoice number off on by.Day: its unpaid amount becomes
// a loss. The invoice is settled by a 'write_off' allocation (reminders stop,
// the aged balance drops it) and closed; the journal gets the write-off
// (654 for the loss, 44571 for the VAT recovered, against 416 when the
// invoice was reclassified, else 411) and the reversal of the provision
// booked on it; the event trail keeps who, when and why.
//
// The VAT recovered is the VAT included in the unpaid amount, in the
// invoice's own ratio when its amount excl. VAT was imported, else at
// o.DefaultVATBP (provision.ExclVAT); none with o.NoVATRecovery.
func (s *Store) WriteOff(ctx context.Context, by Act, number string, o WriteOffOptions) (WriteOff, error) {
	w := WriteOff{Invoice: number, Day: by.Day}
	if err := by.check(); err != nil {
		return w, fmt.Errorf("ledger: write off %s: %w", number, err)
	}
	entity, err := s.entity(ctx)
	if err != nil {
		return w, err
	}
	err = s.write(ctx, func(tx pgx.Tx) error {
		var (
			id, clientID              int64
			kind                      string
			issued                    time.Time
			amount, outstanding, asOf money.Amount
			excl                      *money.Amount
			booked                    money.Amount
			deductible                bool
			lastEntry, writtenOff     *time.Time
		)
		err := tx.QueryRow(ctx, writeOffTargetSQL, entity, number, by.Day).Scan(&id, &clientID, &w.Client, &kind, &issued,
			&w.Currency, &amount, &excl, &outstanding, &asOf, &w.Doubtful, &booked, &deductible, &lastEntry, &writtenOff)
		switch {
		case errors.Is(err, pgx.ErrNoRows):
			return fmt.Errorf("invoice %s in entity %s: %w", number, s.opts.Entity, ErrNotFound)
		case err != nil:
			return err
		case kind != "invoice":
			return errors.New("a credit note is not written off")
		case writtenOff != nil:
			return fmt.Errorf("already written off on %s", formatDay(*writtenOff))
		case issued.After(by.Day):
			return fmt.Errorf("issued on %s, after %s", formatDay(issued), formatDay(by.Day))
		case outstanding <= 0:
			return errors.New("nothing left to write off: the invoice is paid")
		case asOf != outstanding:
			return fmt.Errorf("settled after %s (%s then, %s now): write it off on the day of its last settlement or later",
				formatDay(by.Day), money.FormatPlain(asOf), money.FormatPlain(outstanding))
		case lastEntry != nil && lastEntry.After(by.Day):
			return fmt.Errorf("its journal has an entry on %s: write it off on that day or later", formatDay(*lastEntry))
		}
		w.Amount = outstanding
		if !o.NoVATRecovery {
			w.VAT = outstanding - provision.ExclVAT(outstanding, amount, excl, o.DefaultVATBP)
		}
		w.Loss, w.VATImported, w.Reversed = w.Amount-w.VAT, excl != nil && amount > 0, max(booked, 0)
		if _, err := tx.Exec(ctx, writeOffSQL, id, by.Day, w.Amount, w.VAT, w.Doubtful, w.Reversed, by.Actor,
			nullText(o.Reason), entity, clientID, w.Currency, deductible); err != nil {
			return err
		}
		return event{kind: "invoice_written_off", clientID: clientID, invoiceID: id, reason: o.Reason, act: by,
			detail: map[string]any{"amount": money.FormatPlain(w.Amount), "vat": money.FormatPlain(w.VAT),
				"loss": money.FormatPlain(w.Loss), "doubtful": w.Doubtful, "reversed": money.FormatPlain(w.Reversed)}}.insert(ctx, tx)
	})
	if err != nil {
		return w, fmt.Errorf("ledger: write off %s: %w", number, err)
	}
	return w, nil
}
