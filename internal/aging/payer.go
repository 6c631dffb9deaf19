package aging

import (
	"context"
	"fmt"
)

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
	rows, err := q.Query(ctx, `
WITH paid AS (
	SELECT t.client_id, t.amount_incl_vat::numeric AS amount,
		GREATEST(s.paid_on - t.due_date, 0) AS late, s.paid_on
	FROM invoice t JOIN (
		SELECT invoice_id, max(counted_on) AS paid_on, sum(amount) AS paid, bool_or(source = 'write_off') AS written_off
		FROM ledger_allocation($1) GROUP BY invoice_id
	) s ON s.invoice_id = t.id
	WHERE t.kind = 'invoice' AND t.amount_incl_vat > 0 AND s.paid >= t.amount_incl_vat AND NOT s.written_off
), stats AS (
	SELECT client_id,
		sum(amount * late) / sum(amount) AS avg_late,
		COALESCE(sum(amount) FILTER (WHERE late > 0), 0) / sum(amount) AS late_share,
		sum(amount * late) FILTER (WHERE paid_on > $2) / NULLIF(sum(amount) FILTER (WHERE paid_on > $2), 0) AS recent,
		sum(amount * late) FILTER (WHERE paid_on <= $2) / NULLIF(sum(amount) FILTER (WHERE paid_on <= $2), 0) AS before
	FROM paid GROUP BY client_id
), broken AS (  -- promises broken in the last twelve months, one per promised day
	SELECT client_id, count(DISTINCT pay_by) AS n FROM promise
	WHERE status = 'broken' AND settled_on <= $1 AND settled_on > ($1::date - interval '12 months')::date
	GROUP BY client_id
), graded AS (
	SELECT cl.id, CASE WHEN s.client_id IS NOT NULL OR b.n > 0 THEN substr('ABCDE', LEAST(5, GREATEST(1,
		CASE WHEN s.client_id IS NULL THEN 3 WHEN s.avg_late <= 0 THEN 1 WHEN s.avg_late <= 10 THEN 2 WHEN s.avg_late <= 30 THEN 3
		     WHEN s.avg_late <= 60 THEN 4 ELSE 5 END
		+ CASE WHEN s.late_share > 0.5 THEN 1 ELSE 0 END
		+ CASE WHEN s.recent - s.before > 15 THEN 1 WHEN s.recent - s.before < -15 THEN -1 ELSE 0 END
		+ LEAST(coalesce(b.n, 0), 2)::int)), 1) END AS score
	FROM client cl LEFT JOIN stats s ON s.client_id = cl.id LEFT JOIN broken b ON b.client_id = cl.id
	WHERE $3::bigint[] IS NULL OR cl.entity_id = ANY ($3)
), updated AS (
	UPDATE client c SET payer_score = g.score, payer_score_at = $1, updated_at = now()
	FROM graded g WHERE c.id = g.id
	RETURNING c.payer_score
)
SELECT COALESCE(payer_score::text, ''), count(*) FROM updated GROUP BY 1 ORDER BY 1`, args...)
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
