-- Upserts the staged invoices by (entity $1, number), recorded as batch $2;
-- a new invoice fully paid (paid = amount) is closed on day $3. IS DISTINCT
-- FROM makes a batch that says what the ledger has update nothing.
-- Returns how many were created and updated.
WITH up AS (
    INSERT INTO invoice AS i (entity_id, client_id, number, kind, issue_date, due_date, payment_terms,
                              currency, amount_incl_vat, amount_excl_vat, import_batch_id, settled, closed_on)
    SELECT $1, c.id, s.number, s.kind, s.issue_date, s.due_date, s.terms, s.currency, s.amount, s.amount_excl, $2,
           COALESCE(s.paid, 0), CASE WHEN s.paid = s.amount THEN $3::date END
    FROM invoice_stage s JOIN client c ON c.entity_id = $1 AND c.code = s.client_code
    ON CONFLICT (entity_id, number) DO UPDATE SET
        client_id = EXCLUDED.client_id, kind = EXCLUDED.kind, issue_date = EXCLUDED.issue_date,
        due_date = EXCLUDED.due_date, payment_terms = COALESCE(EXCLUDED.payment_terms, i.payment_terms),
        currency = EXCLUDED.currency, amount_incl_vat = EXCLUDED.amount_incl_vat,
        amount_excl_vat = COALESCE(EXCLUDED.amount_excl_vat, i.amount_excl_vat),
        import_batch_id = EXCLUDED.import_batch_id, updated_at = now()
    WHERE (i.client_id, i.kind, i.issue_date, i.due_date, i.payment_terms, i.currency, i.amount_incl_vat, i.amount_excl_vat)
          IS DISTINCT FROM
          (EXCLUDED.client_id, EXCLUDED.kind, EXCLUDED.issue_date, EXCLUDED.due_date,
           COALESCE(EXCLUDED.payment_terms, i.payment_terms), EXCLUDED.currency, EXCLUDED.amount_incl_vat,
           COALESCE(EXCLUDED.amount_excl_vat, i.amount_excl_vat))
    RETURNING (xmax = 0) AS created)
SELECT count(*) FILTER (WHERE created), count(*) FILTER (WHERE NOT created) FROM up
