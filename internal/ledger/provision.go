package ledger

import (
	"context"
	_ "embed"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/relance/relance/internal/money"
	"github.com/relance/relance/internal/provision"
)

var (
	//go:embed sql/provision_review.sql
	provisionReviewSQL string

	//go:embed sql/provision_review_woken.sql
	provisionReviewWokenSQL string
	//go:embed sql/provisions.sql
	provisionsSQL string
)

// ProvisionReview is what ReviewProvisions did.
type ProvisionReview struct {
	Proposals    []ProvisionProposed // the new proposals, by invoice id
	Reclassified int                 // 411 → 416 reclassifications
	Adjusted     int                 // provision and reversal entries
	// Priced counts the doubtful invoices the review priced: every one on
	// a full review; on a day after the latest one reviewed, of those that
	// may have changed (migration 00270), only those without a proposal and
	// those whose pricing changed since their proposal was last reviewed
	// (migration 00190).
	Priced int
}

// ProvisionProposed is one proposal a review made: the invoice, what its
// rate rests on (provision.CauseAge or CauseInsolvency), the rate and the
// provision.
type ProvisionProposed struct {
	InvoiceID int64
	Cause     string
	RateBP    int
	Amount    money.Amount // excl. VAT × rate
	Currency  string
}

// matrixArgs are the SQL arguments of provision_due (migration 00050)
// after the day: the matrix as a table, the insolvency and VAT rates.
func matrixArgs(m provision.Matrix) []any {
	if m.IsZero() {
		m = provision.DefaultMatrix()
	}
	profiles, buckets, lower, rates := m.Table()
	return []any{profiles, buckets, lower, rates, m.InsolvencyBP, m.DefaultVATBP}
}

// ReviewProvisions brings the provisions of every entity up to day, in one
// set-based statement (the daily sweep runs it after its decisions): it
// proposes a provision for each invoice that became doubtful (its plan's
// provision step fired and the matrix gives its bucket a rate, or its
// client's insolvency proceeding opened) and books its 411 → 416
// reclassification, then books the difference between what each proposal's
// provision must be on day and what is booked so far: a provision when it
// rises, a reversal when it falls (paid, credited). A proposal of 0 is never
// made. Replaying a day finds everything booked and books nothing.
//
// A review of a day on or after the latest one reviewed, with the same
// matrix, prices only what changed since (ProvisionReview.Priced): each
// proposal keeps what it was last priced from, and one priced from the same
// has the same provision, already booked. It reads only the invoices that
// may have changed: written since (invoice, allocation, client, the action
// reminders), their wake day come (a bucket boundary, a late settlement
// counting), a provision step recorded since, an insolvent client's
// (migration 00270). A replay or a changed matrix prices everything.
func (s *Store) ReviewProvisions(ctx context.Context, day time.Time, m provision.Matrix) (ProvisionReview, error) {
	var out ProvisionReview
	var ids, amounts []int64
	var causes, currencies []string
	var rates []int32
	// The invoices that may have changed, read first (nil: a full review).
	var woken []int64
	if err := s.db.QueryRow(ctx, provisionReviewWokenSQL, day).Scan(&woken); err != nil {
		return out, fmt.Errorf("ledger: review provisions %s: what changed: %w", formatDay(day), err)
	}
	err := s.db.QueryRow(ctx, provisionReviewSQL, append(append([]any{day}, matrixArgs(m)...), woken)...).
		Scan(&ids, &causes, &rates, &amounts, &currencies, &out.Reclassified, &out.Adjusted, &out.Priced)
	if err != nil {
		return out, fmt.Errorf("ledger: review provisions %s: %w", formatDay(day), err)
	}
	for i, id := range ids {
		out.Proposals = append(out.Proposals, ProvisionProposed{InvoiceID: id, Cause: causes[i], RateBP: int(rates[i]),
			Amount: money.Amount(amounts[i]), Currency: currencies[i]})
	}
	return out, nil
}

// Provisions lists the doubtful invoices of the store's entity whose
// provision on day is above 0, priced by m, by client and due date.
func (s *Store) Provisions(ctx context.Context, day time.Time, m provision.Matrix) ([]provision.Proposal, error) {
	entity, err := s.entity(ctx)
	if err != nil {
		return nil, err
	}
	rows, err := s.db.Query(ctx, provisionsSQL, append([]any{entity, day}, matrixArgs(m)...)...)
	if err != nil {
		return nil, fmt.Errorf("ledger: provisions on %s: %w", formatDay(day), err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (provision.Proposal, error) {
		var p provision.Proposal
		err := r.Scan(&p.Client, &p.ClientName, &p.Invoice, &p.Issued, &p.Due, &p.ProposedOn, &p.Cause, &p.Profile,
			&p.Currency, &p.Outstanding, &p.OutstandingExcl, &p.VATImported, &p.DaysLate, &p.Bucket, &p.RateBP,
			&p.Amount, &p.TaxDeductible)
		return p, err
	})
	if err != nil {
		return nil, fmt.Errorf("ledger: provisions on %s: %w", formatDay(day), err)
	}
	return out, nil
}
