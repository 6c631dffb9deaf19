-- Upserts the staged invoices by (entity $1, number), recorded as batch $2;
-- a new invoice fully paid (paid = amount) is closed on day $3. Returns how
-- many were created and updated.
--
-- A daily re-import lists mostly what the ledger has: each staged row is
-- compared with its invoice (one join on the entity's numbers), and only
-- the rows that differ are written. An unchanged row is not touched at all,
-- not even locked, as an ON CONFLICT … DO UPDATE … WHERE would (it writes
-- the row's lock on every page of a million invoices). The new rows still
-- go through ON CONFLICT: an invoice another writer created meanwhile is
-- updated, not refused.
--
-- Each row's source_hash is stored with it (migration 00180): a row whose
-- invoice is as the row says but whose hash differs (cleared by a payment
-- since, or never stored) writes its hash alone, keeps the invoice's batch
-- and updated_at, and is not counted as updated.
WITH cmp AS (
    SELECT s.number, c.id AS client_id, s.kind, s.issue_date, s.due_date, s.terms, s.currency, s.amount,
           s.amount_excl, s.paid, s.source_hash, i.id AS invoice_id,
           i.source_hash IS DISTINCT FROM s.source_hash AS rehash,
           (i.client_id, i.kind, i.issue_date, i.due_date, i.payment_terms, i.currency, i.amount_incl_vat, i.amount_excl_vat)
               IS DISTINCT FROM
           (c.id, s.kind, s.issue_date, s.due_date, COALESCE(s.terms, i.payment_terms), s.currency, s.amount,
            COALESCE(s.amount_excl, i.amount_excl_vat)) AS changed
    FROM invoice_stage s
    JOIN client c ON c.entity_id = $1 AND c.code = s.client_code
    LEFT JOIN invoice i ON i.entity_id = $1 AND i.number = s.number),
upd AS (
    UPDATE invoice i SET
        client_id = cmp.client_id, kind = cmp.kind, issue_date = cmp.issue_date, due_date = cmp.due_date,
        payment_terms = COALESCE(cmp.terms, i.payment_terms), currency = cmp.currency, amount_incl_vat = cmp.amount,
        amount_excl_vat = COALESCE(cmp.amount_excl, i.amount_excl_vat), source_hash = cmp.source_hash,
        import_batch_id = CASE WHEN cmp.changed THEN $2 ELSE i.import_batch_id END,
        updated_at = CASE WHEN cmp.changed THEN now() ELSE i.updated_at END
    FROM cmp WHERE i.id = cmp.invoice_id AND (cmp.changed OR cmp.rehash)
    RETURNING cmp.changed),
ins AS (
    INSERT INTO invoice AS i (entity_id, client_id, number, kind, issue_date, due_date, payment_terms,
                              currency, amount_incl_vat, amount_excl_vat, import_batch_id, settled, closed_on, source_hash)
    SELECT $1, cmp.client_id, cmp.number, cmp.kind, cmp.issue_date, cmp.due_date, cmp.terms, cmp.currency, cmp.amount, cmp.amount_excl, $2,
           COALESCE(cmp.paid, 0), CASE WHEN cmp.paid = cmp.amount THEN $3::date END, cmp.source_hash
    FROM cmp WHERE cmp.invoice_id IS NULL
    ON CONFLICT (entity_id, number) DO UPDATE SET
        client_id = EXCLUDED.client_id, kind = EXCLUDED.kind, issue_date = EXCLUDED.issue_date,
        due_date = EXCLUDED.due_date, payment_terms = COALESCE(EXCLUDED.payment_terms, i.payment_terms),
        currency = EXCLUDED.currency, amount_incl_vat = EXCLUDED.amount_incl_vat,
        amount_excl_vat = COALESCE(EXCLUDED.amount_excl_vat, i.amount_excl_vat),
        import_batch_id = EXCLUDED.import_batch_id, updated_at = now(), source_hash = EXCLUDED.source_hash
    WHERE i.source_hash IS DISTINCT FROM EXCLUDED.source_hash OR (i.client_id, i.kind, i.issue_date, i.due_date, i.payment_terms, i.currency, i.amount_incl_vat, i.amount_excl_vat)
          IS DISTINCT FROM
          (EXCLUDED.client_id, EXCLUDED.kind, EXCLUDED.issue_date, EXCLUDED.due_date,
           COALESCE(EXCLUDED.payment_terms, i.payment_terms), EXCLUDED.currency, EXCLUDED.amount_incl_vat,
           COALESCE(EXCLUDED.amount_excl_vat, i.amount_excl_vat))
    RETURNING (xmax = 0) AS created)
SELECT (SELECT count(*) FROM ins WHERE created),
       (SELECT count(*) FROM upd WHERE changed) + (SELECT count(*) FROM ins WHERE NOT created)
