-- The bulk path's insert of the staged invoices into the emptied invoice
-- table ($1: the entity, $2: the batch, $3: the day a new invoice fully paid
-- is closed, $4 and $5: the first and last line staged): the same rows
-- batch_invoices_upsert.sql creates, without its conflict handling (the
-- table is empty and the batch has no repeats), and in the same statement
-- the `paid` allocations batch_paid_new.sql records (every invoice is new
-- here), sparing a join of the batch with the table.
-- Its command tag says how many invoices it created: the insert into
-- invoice is the statement's own, not a CTE counted by a SELECT, whose
-- RETURNING kept a row per invoice until the count (0.17 s of server CPU
-- a million rows).
--
-- Each row's id is taken from invoice's sequence before the insert, so that
-- a credit note goes in linked to the invoice it applies to, and both with
-- what the credit note settles: with the table empty, that invoice can
-- only be in the batch, and a join of the batch's credit notes with the
-- batch finds it (invoice_bulk_link, batch_bulk_link.sql, read here for the
-- link and for what each credit note settles). (Linking and settling after the insert —
-- batch_credit_notes_link.sql, batch_alloc_credit_notes.sql,
-- batch_settle.sql — read the unindexed table three times and wrote every
-- credit note and its invoice again.) The settlement is the normal path's:
-- a credit note reduces its invoice by what it has, capped at what the
-- invoice still owes after its `paid` and the credit notes before it in the
-- batch; a document a credit note settles is closed on $3 when nothing is
-- left, else open, and any other is closed when its `paid` is its amount.
--
-- The ids are reserved as one block, one per line from the batch's first
-- ($4) to its last ($5) staged line, counted by the batch as it staged
-- them (a staged row's line is its own: exact repeats were dropped, which
-- leaves their ids unused; reading the span off the stage took a scan of
-- it), by a setval past a nextval: a nextval per row cost more than the
-- insert, and no other writer takes ids of invoice while the bulk path
-- holds its lock. Ids are derived from the line rather than numbered in a
-- subquery so that the joins are planned on the staging table's statistics.
--
-- Invoice's statement triggers on insert are off while it runs, and what
-- they write is written after it, from the table (batch_bulk_fill.sql);
-- allocation's too (batch_bulk_triggers_off.sql), and each allocation is
-- inserted with the day it counts from, which allocation_counts_insert
-- (ledger_count_allocations, migration 00020) would have set after: the
-- latest of the day it was applied and its documents' issue dates, NULL
-- when that is the day it was applied (no payment on this path).
WITH ids AS MATERIALIZED (
    SELECT setval(pg_get_serial_sequence('invoice', 'id'),
                  nextval(pg_get_serial_sequence('invoice', 'id')) + ($5::bigint - $4::bigint))
               - ($5::bigint - $4::bigint) - $4::bigint AS base),
credit AS MATERIALIZED (
    SELECT line, target, LEAST(available, GREATEST(outstanding - before, 0)) AS amount, issued
    FROM (SELECT *, COALESCE(sum(available) OVER (PARTITION BY target ORDER BY line
                    ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS before
          FROM invoice_bulk_link link WHERE kind = 'credit_note' AND available > 0) w
    WHERE LEAST(available, GREATEST(outstanding - before, 0)) > 0),
credited AS (
    SELECT line, sum(amount) AS amount FROM (
        SELECT target AS line, amount FROM credit
        UNION ALL
        SELECT line, -amount FROM credit) d
    GROUP BY line),
paid AS (
    INSERT INTO allocation (invoice_id, source, import_batch_id, amount, applied_on, counts_from)
    SELECT ids.base + s.line, 'import', $2, s.paid, $3, NULLIF(GREATEST($3::date, s.issue_date), $3::date)
    FROM ids, invoice_stage s
    WHERE s.paid > 0 AND s.kind = 'invoice'),
credit_notes AS (
    INSERT INTO allocation (invoice_id, source, credit_note_id, import_batch_id, amount, applied_on, counts_from)
    SELECT ids.base + target, 'credit_note', ids.base + line, $2, amount, $3, NULLIF(GREATEST($3::date, issued), $3::date)
    FROM ids, credit)
INSERT INTO invoice (id, entity_id, client_id, number, kind, issue_date, due_date, payment_terms,
                     currency, amount_incl_vat, amount_excl_vat, import_batch_id, settled, closed_on, applies_to_id,
                     source_hash)
OVERRIDING SYSTEM VALUE
SELECT ids.base + s.line, $1, c.id, s.number, s.kind, s.issue_date, s.due_date, s.terms, s.currency, s.amount,
       s.amount_excl, $2, COALESCE(s.paid, 0) + COALESCE(cr.amount, 0),
       CASE WHEN cr.line IS NULL THEN CASE WHEN s.paid = s.amount THEN $3::date END
            WHEN s.amount = COALESCE(s.paid, 0) + cr.amount THEN $3::date END,
       ids.base + link.target, s.source_hash
FROM ids, invoice_stage s JOIN client c ON c.entity_id = $1 AND c.code = s.client_code
LEFT JOIN invoice_bulk_link link ON link.line = s.line
LEFT JOIN credited cr ON cr.line = s.line
