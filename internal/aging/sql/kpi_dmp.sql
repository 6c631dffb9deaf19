-- DMP: days from issue to payment, weighted by amount, of the invoices settled
-- in full in the window (write-offs excepted). $1 as-of, $2 window start, $3
-- entity ids (NULL for all).
SELECT t.currency::text, sum(t.amount_incl_vat::numeric * (s.paid_on - t.issue_date)), sum(t.amount_incl_vat), count(*)
FROM invoice t JOIN (
	SELECT invoice_id, max(counted_on) AS paid_on, sum(amount) AS paid, bool_or(source = 'write_off') AS written_off
	FROM ledger_allocation($1) GROUP BY invoice_id
) s ON s.invoice_id = t.id
WHERE t.kind = 'invoice' AND t.amount_incl_vat > 0 AND s.paid >= t.amount_incl_vat AND NOT s.written_off
	AND s.paid_on BETWEEN $2 AND $1 AND ($3::bigint[] IS NULL OR t.entity_id = ANY ($3))
GROUP BY 1
