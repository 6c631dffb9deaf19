-- Grades every client of the scope A to E and stores the grade (see
-- ScorePayers). $1 as-of, $2 three months before it, $3 entity ids (NULL for
-- all). Returns how many clients got each grade.
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
SELECT COALESCE(payer_score::text, ''), count(*) FROM updated GROUP BY 1 ORDER BY 1
