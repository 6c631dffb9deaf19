package aging

import (
	"context"
	_ "embed"
	"fmt"
)

//go:embed sql/payer_score.sql
var payerScoreSQL string

// ScorePayers grades every client of the scope A (best) to E from its
// payment history up to the as-of date and stores the grade in
// client.payer_score and the date in client.payer_score_at, in one UPDATE,
// so that plans can assign profiles by score. Clients without a paid invoice
// get NULL (no history, no grade). docs/payer-score.md explains the grade:
//
//   - history: the invoices settled in full by the as-of date (write-offs
//     excepted); each one's days late is max(0, day the allocation that
//     settled it counts from − due date), weighted by its amount;
//   - base grade from the weighted average days late: ≤ 0 A, ≤ 10 B,
//     ≤ 30 C, ≤ 60 D, more E;
//   - one grade worse when more than half of the amount was paid late;
//   - trend: the weighted average of the invoices settled in the last three
//     months against those settled before: more than 15 days worse, one grade
//     worse; more than 15 days better, one grade better (A and E are the
//     bounds);
//   - broken promises: one grade worse for each promise to pay broken in the
//     twelve months up to the as-of date (a promise counts once however many
//     invoices it covered), two at most; a client with broken promises and no
//     settled invoice is graded from C.
//
// It returns how many clients got each grade ("" for no grade).
func ScorePayers(ctx context.Context, q Querier, o Options) ([]ScoreCount, error) {
	entities, err := entityIDs(ctx, q, o.Entity, o.Subsidiaries)
	if err != nil {
		return nil, err
	}
	args := []any{o.AsOf, o.AsOf.AddDate(0, -3, 0), entities}
	rows, err := q.Query(ctx, payerScoreSQL, args...)
	if err != nil {
		return nil, fmt.Errorf("payer score: %w", err)
	}
	defer rows.Close()
	var out []ScoreCount
	for rows.Next() {
		var s ScoreCount
		if err := rows.Scan(&s.Score, &s.Clients); err != nil {
			return nil, fmt.Errorf("payer score: %w", err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("payer score: %w", err)
	}
	return out, nil
}
