package ledger

import (
	"context"
	_ "embed"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/relance/relance/internal/money"
)

//go:embed sql/claim_items.sql
var claimItemsSQL string

// ClaimItem is an invoice to declare in its client's insolvency
// proceeding: issued before the opening and unpaid on its eve.
type ClaimItem struct {
	Number      string
	Issued, Due time.Time
	Currency    string
	Amount      money.Amount // incl. VAT
	Unpaid      money.Amount // on the eve of the opening
	Settlements []Settlement // counted before the opening, oldest first
}

// ClaimItems returns the client coded code, as of day, and the invoices to
// declare in its insolvency proceeding; an error when no proceeding has
// opened by day.
func (s *Store) ClaimItems(ctx context.Context, code string, day time.Time) (Client, []ClaimItem, error) {
	c, err := s.Client(ctx, code, day)
	if err != nil {
		return c, nil, err
	}
	if c.Insolvency.Kind == "" || c.Insolvency.Opened.After(day) {
		return c, nil, fmt.Errorf("ledger: claim on client %s: no insolvency proceeding opened by %s", code, formatDay(day))
	}
	rows, err := s.db.Query(ctx, claimItemsSQL, c.ID, c.Insolvency.Opened)
	if err != nil {
		return c, nil, fmt.Errorf("ledger: claim on client %s: %w", code, err)
	}
	items, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (ClaimItem, error) {
		var it ClaimItem
		var days []time.Time
		var amounts []int64
		err := r.Scan(&it.Number, &it.Issued, &it.Due, &it.Currency, &it.Amount, &it.Unpaid, &days, &amounts)
		for i := range days {
			it.Settlements = append(it.Settlements, Settlement{Day: days[i], Amount: money.Amount(amounts[i])})
		}
		return it, err
	})
	if err != nil {
		return c, nil, fmt.Errorf("ledger: claim on client %s: %w", code, err)
	}
	return c, items, nil
}
