-- +goose Up
-- "The ledger as of day D", defined once (DESIGN §3). The sweep, the aged
-- balance, the KPIs and the preview read balances on a day through these
-- functions and through nothing else; internal/ledger/asof.go names them.
--
-- Today's balances are stored (invoice.outstanding, payment.unallocated), and
-- every settlement is a dated allocation. The balance of a document on D is
-- today's plus every allocation that does not count yet on D. An allocation
-- counts on D once it is applied (applied_on <= D) AND both of its sides
-- exist: the invoice it settles is issued, and the payment it draws on is
-- received or the credit note it draws on is issued, all by D. A deposit paid
-- on 5 October and allocated to an invoice issued on 3 November (an
-- *acompte*) is thus, on 31 October, a payment with 500.00 unallocated, and
-- the invoice does not exist yet.
--
-- The functions are LANGUAGE sql, STABLE, one SELECT, without SET or STRICT,
-- so that the planner inlines them into the calling statement: its filters
-- (entity, client) reach the table scans, its unused columns are never
-- computed, and the aged balance of the day keeps a parallel scan of the
-- open items.

-- The day an allocation starts to count, when that is later than the day it
-- was applied (one of its sides is dated later); NULL when it counts from
-- applied_on. Kept by ledger_count_allocations, which the triggers below call
-- whenever an allocation, the issue date of an invoice or credit note, or the
-- receipt date of a payment is written, so that "what does not count yet on
-- D" is one index range scan: coalesce(counts_from, applied_on) > D.
ALTER TABLE allocation ADD COLUMN counts_from date;
CREATE INDEX allocation_counts_idx ON allocation ((coalesce(counts_from, applied_on)));

-- Open credit notes naming an invoice are read apart to age them with their
-- invoice (ledger_open_document): a credit note open on a past day may be
-- settled today, so the index no longer requires outstanding <> 0.
DROP INDEX invoice_open_applied_credit_idx;
CREATE INDEX invoice_applied_credit_idx ON invoice (applies_to_id)
    WHERE kind = 'credit_note' AND applies_to_id IS NOT NULL;

-- The one statement of the rule "an allocation counts once both of its sides
-- exist", for the allocations ids.
-- +goose StatementBegin
CREATE FUNCTION ledger_count_allocations(ids bigint[]) RETURNS void
LANGUAGE sql
AS $$
    UPDATE allocation a SET counts_from = x.counts_from
    FROM (
        SELECT b.id, nullif(greatest(b.applied_on, i.issue_date, p.received_on, cn.issue_date), b.applied_on) AS counts_from
        FROM allocation b
        JOIN invoice i ON i.id = b.invoice_id
        LEFT JOIN payment p ON p.id = b.payment_id
        LEFT JOIN invoice cn ON cn.id = b.credit_note_id
        WHERE b.id = ANY (ids)
    ) x
    WHERE a.id = x.id AND a.counts_from IS DISTINCT FROM x.counts_from
$$;
-- +goose StatementEnd

-- New allocations, once per statement (an import writes 100,000 at once).
-- +goose StatementBegin
CREATE FUNCTION ledger_count_new_allocations() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
    PERFORM ledger_count_allocations(ARRAY(SELECT id FROM new_allocation));
    RETURN NULL;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER allocation_counts_insert AFTER INSERT ON allocation
    REFERENCING NEW TABLE AS new_allocation FOR EACH STATEMENT EXECUTE FUNCTION ledger_count_new_allocations();

-- A document or payment whose date changes (rare: a corrected import), an
-- allocation moved to another day or document (rarer still): row by row.
CREATE INDEX allocation_credit_note_idx ON allocation (credit_note_id) WHERE credit_note_id IS NOT NULL;
-- +goose StatementBegin
CREATE FUNCTION ledger_count_redated() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
    IF TG_TABLE_NAME = 'invoice' THEN
        PERFORM ledger_count_allocations(ARRAY(
            SELECT id FROM allocation WHERE invoice_id = NEW.id
            UNION ALL
            SELECT id FROM allocation WHERE credit_note_id = NEW.id));
    ELSIF TG_TABLE_NAME = 'payment' THEN
        PERFORM ledger_count_allocations(ARRAY(SELECT id FROM allocation WHERE payment_id = NEW.id));
    ELSE
        PERFORM ledger_count_allocations(ARRAY[NEW.id]);
    END IF;
    RETURN NULL;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER allocation_counts_update AFTER UPDATE OF applied_on, invoice_id, payment_id, credit_note_id ON allocation
    FOR EACH ROW EXECUTE FUNCTION ledger_count_redated();
CREATE TRIGGER invoice_counts_redated AFTER UPDATE OF issue_date ON invoice
    FOR EACH ROW WHEN (OLD.issue_date IS DISTINCT FROM NEW.issue_date) EXECUTE FUNCTION ledger_count_redated();
CREATE TRIGGER payment_counts_redated AFTER UPDATE OF received_on ON payment
    FOR EACH ROW WHEN (OLD.received_on IS DISTINCT FROM NEW.received_on) EXECUTE FUNCTION ledger_count_redated();

SELECT ledger_count_allocations(ARRAY(SELECT id FROM allocation));

-- The allocations that do not count yet on as_of.
-- +goose StatementBegin
CREATE FUNCTION ledger_late_allocation(as_of date)
RETURNS TABLE (invoice_id bigint, payment_id bigint, credit_note_id bigint, amount bigint)
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
    SELECT a.invoice_id, a.payment_id, a.credit_note_id, a.amount
    FROM allocation a
    WHERE coalesce(a.counts_from, a.applied_on) > as_of
$$;
-- +goose StatementEnd

-- The allocations that count on as_of, with the day each counts from
-- (counted_on): the KPIs date payments with it.
-- +goose StatementBegin
CREATE FUNCTION ledger_allocation(as_of date)
RETURNS TABLE (id bigint, invoice_id bigint, source text, payment_id bigint, credit_note_id bigint, amount bigint,
               counted_on date)
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
    SELECT a.id, a.invoice_id, a.source, a.payment_id, a.credit_note_id, a.amount, coalesce(a.counts_from, a.applied_on)
    FROM allocation a
    WHERE coalesce(a.counts_from, a.applied_on) <= as_of
$$;
-- +goose StatementEnd

-- What comes back onto each document on as_of: what was settled on it and
-- does not count yet, less, for a credit note, what it funded that does not
-- count yet.
-- +goose StatementBegin
CREATE FUNCTION ledger_late_settlement(as_of date)
RETURNS TABLE (document_id bigint, amount bigint)
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
    SELECT x.document_id, sum(x.amount)::bigint
    FROM ledger_late_allocation(as_of) la
    CROSS JOIN LATERAL (VALUES (la.invoice_id, la.amount), (la.credit_note_id, -la.amount)) AS x(document_id, amount)
    WHERE x.document_id IS NOT NULL
    GROUP BY x.document_id
$$;
-- +goose StatementEnd

-- Invoices and credit notes issued by as_of and open on it, with `open` their
-- outstanding on that day. ages_from is the due date the item is aged with:
-- an invoice's own; for a credit note naming an invoice issued by then, that
-- invoice's (it nets in the invoice's bucket); NULL for any other credit
-- note, which is unapplied credit. The two branches are two scans: the
-- credit notes naming an invoice are few and read through
-- invoice_applied_credit_idx, so that the scan of every invoice carries no
-- per-row lookup (a correlated subquery would also forbid a parallel scan).
-- +goose StatementBegin
CREATE FUNCTION ledger_open_document(as_of date)
RETURNS TABLE (id bigint, entity_id bigint, client_id bigint, kind text, number text, issue_date date,
               due_date date, ages_from date, currency text, amount_incl_vat bigint, amount_excl_vat bigint,
               applies_to_id bigint, excluded boolean, open bigint)
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
    SELECT t.id, t.entity_id, t.client_id, t.kind, t.number, t.issue_date, t.due_date,
           CASE WHEN t.kind = 'invoice' THEN t.due_date END,
           t.currency::text, t.amount_incl_vat, t.amount_excl_vat, t.applies_to_id, t.excluded,
           t.outstanding + coalesce(l.amount, 0)
    FROM invoice t
    LEFT JOIN ledger_late_settlement(as_of) l ON l.document_id = t.id
    WHERE t.issue_date <= as_of AND (t.kind = 'invoice' OR t.applies_to_id IS NULL)
      AND t.outstanding + coalesce(l.amount, 0) <> 0
    UNION ALL
    SELECT t.id, t.entity_id, t.client_id, t.kind, t.number, t.issue_date, t.due_date, o.due_date,
           t.currency::text, t.amount_incl_vat, t.amount_excl_vat, t.applies_to_id, t.excluded,
           t.outstanding + coalesce(l.amount, 0)
    FROM invoice t
    LEFT JOIN ledger_late_settlement(as_of) l ON l.document_id = t.id
    LEFT JOIN invoice o ON o.id = t.applies_to_id AND o.issue_date <= as_of
    WHERE t.kind = 'credit_note' AND t.applies_to_id IS NOT NULL AND t.issue_date <= as_of
      AND t.outstanding + coalesce(l.amount, 0) <> 0
$$;
-- +goose StatementEnd

-- The client balances on as_of as entries that add up, per document or
-- payment, to its open amount on that day: today's outstanding of every
-- document issued by then and today's unallocated part of every payment
-- received by then (negative: it lowers the balance), then one entry per
-- allocation that does not count yet (what it settled comes back onto its
-- invoice; what it drew goes back onto its credit note or payment). Reports
-- that sum (the aged balance by client, the client balance) read this: the
-- report of the day is a scan of today's open items with no join per item.
-- ages_from is ledger_open_document's: NULL for unapplied credit, payments
-- included.
-- +goose StatementBegin
CREATE FUNCTION ledger_balance_entry(as_of date)
RETURNS TABLE (document_id bigint, payment_id bigint, entity_id bigint, client_id bigint, kind text, ages_from date,
               currency text, amount bigint)
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
    SELECT t.id, NULL::bigint, t.entity_id, t.client_id, t.kind, CASE WHEN t.kind = 'invoice' THEN t.due_date END,
           t.currency::text, t.outstanding
    FROM invoice t
    WHERE t.issue_date <= as_of AND t.outstanding <> 0 AND (t.kind = 'invoice' OR t.applies_to_id IS NULL)
    UNION ALL
    SELECT t.id, NULL, t.entity_id, t.client_id, t.kind, o.due_date, t.currency::text, t.outstanding
    FROM invoice t
    LEFT JOIN invoice o ON o.id = t.applies_to_id AND o.issue_date <= as_of
    WHERE t.kind = 'credit_note' AND t.applies_to_id IS NOT NULL AND t.issue_date <= as_of AND t.outstanding <> 0
    UNION ALL
    SELECT NULL, p.id, p.entity_id, p.client_id, 'payment', NULL, p.currency::text, -p.unallocated
    FROM payment p
    WHERE p.received_on <= as_of AND p.unallocated <> 0
    UNION ALL
    SELECT t.id, NULL, t.entity_id, t.client_id, t.kind,
           CASE WHEN t.kind = 'invoice' THEN t.due_date ELSE o.due_date END, t.currency::text, x.amount
    FROM ledger_late_allocation(as_of) la
    CROSS JOIN LATERAL (VALUES (la.invoice_id, la.amount), (la.credit_note_id, -la.amount)) AS x(document_id, amount)
    JOIN invoice t ON t.id = x.document_id
    LEFT JOIN invoice o ON o.id = t.applies_to_id AND o.issue_date <= as_of
    WHERE t.issue_date <= as_of
    UNION ALL
    SELECT NULL, p.id, p.entity_id, p.client_id, 'payment', NULL, p.currency::text, -la.amount
    FROM ledger_late_allocation(as_of) la
    JOIN payment p ON p.id = la.payment_id
    WHERE p.received_on <= as_of
$$;
-- +goose StatementEnd

-- Payments received by as_of with a part not allocated on that day: `open`
-- is that part (> 0 in a consistent ledger), the client's unapplied cash.
-- +goose StatementBegin
CREATE FUNCTION ledger_open_payment(as_of date)
RETURNS TABLE (id bigint, entity_id bigint, client_id bigint, reference text, received_on date, currency text,
               amount bigint, open bigint)
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
    SELECT p.id, p.entity_id, p.client_id, p.reference, p.received_on, p.currency::text, p.amount,
           p.unallocated + coalesce(l.amount, 0)
    FROM payment p
    LEFT JOIN (SELECT la.payment_id, sum(la.amount)::bigint AS amount FROM ledger_late_allocation(as_of) la
               WHERE la.payment_id IS NOT NULL GROUP BY la.payment_id) l ON l.payment_id = p.id
    WHERE p.received_on <= as_of AND p.unallocated + coalesce(l.amount, 0) <> 0
$$;
-- +goose StatementEnd

-- Each client's balance on as_of, every currency added together (the sweep
-- picks a profile and stops reminding on it): its open documents, its
-- unapplied payments, and net = documents − payments. A client whose net
-- balance is ≤ 0 is never reminded (DESIGN §2).
-- +goose StatementBegin
CREATE FUNCTION ledger_client_balance(as_of date)
RETURNS TABLE (client_id bigint, documents bigint, payments bigint, net bigint)
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
    SELECT e.client_id,
           coalesce(sum(e.amount) FILTER (WHERE e.payment_id IS NULL), 0)::bigint,
           coalesce(-sum(e.amount) FILTER (WHERE e.payment_id IS NOT NULL), 0)::bigint,
           sum(e.amount)::bigint
    FROM ledger_balance_entry(as_of) e
    GROUP BY e.client_id
$$;
-- +goose StatementEnd

-- The disputes open on as_of: opened by then, not resolved by then, and not
-- past the `until` it was given (inclusive: it resumes by itself the day
-- after).
-- +goose StatementBegin
CREATE FUNCTION ledger_open_dispute(as_of date)
RETURNS TABLE (invoice_id bigint, dispute_id bigint, reason text, opened_on date)
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
    SELECT x.invoice_id, x.id, x.reason, x.opened_on
    FROM dispute x
    WHERE x.opened_on <= as_of AND (x.resolved_on IS NULL OR x.resolved_on > as_of)
      AND (x.until IS NULL OR x.until >= as_of)
$$;
-- +goose StatementEnd

-- +goose Down
DROP FUNCTION ledger_open_dispute(date);
DROP FUNCTION ledger_client_balance(date);
DROP FUNCTION ledger_open_payment(date);
DROP FUNCTION ledger_balance_entry(date);
DROP FUNCTION ledger_open_document(date);
DROP FUNCTION ledger_late_settlement(date);
DROP FUNCTION ledger_allocation(date);
DROP FUNCTION ledger_late_allocation(date);
DROP TRIGGER payment_counts_redated ON payment;
DROP TRIGGER invoice_counts_redated ON invoice;
DROP TRIGGER allocation_counts_update ON allocation;
DROP TRIGGER allocation_counts_insert ON allocation;
DROP FUNCTION ledger_count_redated();
DROP FUNCTION ledger_count_new_allocations();
DROP FUNCTION ledger_count_allocations(bigint[]);
DROP INDEX allocation_credit_note_idx;
DROP INDEX invoice_applied_credit_idx;
CREATE INDEX invoice_open_applied_credit_idx ON invoice (applies_to_id)
    WHERE kind = 'credit_note' AND applies_to_id IS NOT NULL AND outstanding <> 0;
DROP INDEX allocation_counts_idx;
ALTER TABLE allocation DROP COLUMN counts_from;
