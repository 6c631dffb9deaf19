-- +goose Up
-- The ledger as of every day of a span at once: the entries of
-- ledger_balance_entry (migration 00020), each with the days it belongs to
-- the ledger, [valid_from, valid_until) (valid_until NULL: from then on).
-- An entry of ledger_balance_entry(D) is a row of ledger_balance_span(first,
-- last) with valid_from <= D < valid_until, for every D from first to last;
-- rows valid on no day of [first, last] are left out.
--
-- What reads a balance on a dozen days (the KPI page's month ends) reads
-- the ledger once with it, where ledger_balance_entry would be read once a
-- day, each read adding back every allocation after its day. The two
-- definitions are kept equal by TestBalanceSpanIsBalanceEntryOnEachDay: a
-- change to one is a change to both.
--
-- An applied credit note ages with its invoice only once the invoice is
-- issued: before, it is unapplied credit (ages_from NULL), so its entries
-- come in two pieces, split on the invoice's issue date.

-- +goose StatementBegin
CREATE FUNCTION ledger_balance_span(first date, last date)
RETURNS TABLE (document_id bigint, payment_id bigint, entity_id bigint, client_id bigint, kind text, ages_from date,
               currency text, amount bigint, valid_from date, valid_until date)
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
    SELECT t.id, NULL::bigint, t.entity_id, t.client_id, t.kind, CASE WHEN t.kind = 'invoice' THEN t.due_date END,
           t.currency::text, t.outstanding, t.issue_date, NULL::date
    FROM invoice t
    WHERE t.issue_date <= last AND t.outstanding <> 0 AND (t.kind = 'invoice' OR t.applies_to_id IS NULL)
    UNION ALL
    SELECT t.id, NULL, t.entity_id, t.client_id, t.kind, s.ages_from, t.currency::text, t.outstanding,
           s.valid_from, s.valid_until
    FROM invoice t
    JOIN invoice o ON o.id = t.applies_to_id
    CROSS JOIN LATERAL (VALUES (NULL::date, t.issue_date, o.issue_date),
                               (o.due_date, greatest(t.issue_date, o.issue_date), NULL::date))
        AS s (ages_from, valid_from, valid_until)
    WHERE t.kind = 'credit_note' AND t.applies_to_id IS NOT NULL AND t.issue_date <= last AND t.outstanding <> 0
      AND s.valid_from <= last AND (s.valid_until IS NULL OR s.valid_until > greatest(s.valid_from, first))
    UNION ALL
    SELECT NULL, p.id, p.entity_id, p.client_id, 'payment', NULL, p.currency::text, -p.unallocated,
           p.received_on, NULL
    FROM payment p
    WHERE p.received_on <= last AND p.unallocated <> 0
    UNION ALL
    -- the allocations that do not count yet on a day, back on their documents
    -- until the day they count (ledger_late_allocation)
    SELECT t.id, NULL, t.entity_id, t.client_id, t.kind, s.ages_from, t.currency::text, x.amount,
           s.valid_from, s.valid_until
    FROM allocation a
    CROSS JOIN LATERAL (VALUES (a.invoice_id, a.amount), (a.credit_note_id, -a.amount)) AS x (document_id, amount)
    JOIN invoice t ON t.id = x.document_id
    LEFT JOIN invoice o ON o.id = t.applies_to_id
    CROSS JOIN LATERAL (VALUES
        (CASE WHEN t.kind = 'invoice' THEN t.due_date END, t.issue_date,
         least(coalesce(a.counts_from, a.applied_on), CASE WHEN t.kind = 'credit_note' THEN o.issue_date END)),
        (CASE WHEN t.kind = 'credit_note' THEN o.due_date END,
         CASE WHEN t.kind = 'credit_note' AND o.id IS NOT NULL THEN greatest(t.issue_date, o.issue_date) END,
         coalesce(a.counts_from, a.applied_on))) AS s (ages_from, valid_from, valid_until)
    WHERE coalesce(a.counts_from, a.applied_on) > first AND t.issue_date <= last
      AND s.valid_from <= last AND s.valid_until > greatest(s.valid_from, first)
    UNION ALL
    SELECT NULL, p.id, p.entity_id, p.client_id, 'payment', NULL, p.currency::text, -a.amount,
           p.received_on, coalesce(a.counts_from, a.applied_on)
    FROM allocation a
    JOIN payment p ON p.id = a.payment_id
    WHERE coalesce(a.counts_from, a.applied_on) > greatest(p.received_on, first) AND p.received_on <= last
$$;
-- +goose StatementEnd

-- +goose Down
DROP FUNCTION ledger_balance_span(date, date);
