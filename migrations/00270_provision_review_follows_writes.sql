-- +goose Up
-- The daily provision review reads only the doubtful invoices that may have
-- changed since the last review (issue 16), instead of computing the
-- review_key of every one of them each day (migration 00190: at 1M invoices,
-- the day after the big sweep, 22,416 invoices read by key with their
-- client, proposal and late settlements, 0.19 s of the next day's 1 s, to
-- find none changed).
--
-- What may have changed an invoice's review_key (00190) since the review of
-- R, on a day D ≥ R:
--   - a write: to the invoice (its outstanding, amounts, dates, client),
--     to an allocation (its amount, the day it counts from: a payment
--     redated), to its client's insolvency, to its action reminders (a
--     provision step dropped, revived, moved or deleted). The triggers below
--     record the invoices written in provision_review_touch, an append-only
--     list that the next review reads and empties of the rows it saw: a
--     write committed after the review's snapshot stays in the list for the
--     one after, so a concurrent write is never lost (no row is shared
--     between the writer and the review, nothing waits);
--   - the day: a bucket boundary crossed, a settlement dated later that
--     starts to count. Each invoice a forward review computes gets, in
--     provision_review_wake, the first day either can happen (the next
--     lower bound of the matrix's buckets, the earliest day an allocation
--     that does not count yet on D counts from), as the sweep's wake days
--     do for its steps; 'infinity' for an invoice read but no longer doubtful
--     (settled with nothing booked), which only a write brings back;
--   - a new doubtful invoice: a provision step recorded by the sweep (the
--     action reminders after the newest row the last review saw,
--     provision_review_state.last_reminder, read through the primary key:
--     only the sweep inserts reminder rows, under its lock, and reviews in
--     the same transaction; a replay makes the next review a full one), or
--     an insolvency (the invoices of the insolvent clients are read every
--     day, as before, through client_insolvency_idx: few, and a new invoice
--     of an insolvent client needs no trigger on the import's insert).
-- The review computes the review_key of those only, and compares it with the
-- stamp as before: a write that changed nothing that prices is skipped there.
-- No trigger on an insert into invoice or allocation: the first import pays
-- nothing (an allocation inserted moves its invoice's settled amount, whose
-- update is the write recorded).
--
-- A full review (the first, a replay, a matrix changed, a journal entry or
-- proposal deleted: provision_review_state.valid) computes every doubtful
-- invoice and writes every wake; so does the first review after this
-- migration. Deleting wake rows or proposals makes the next review a full one.
CREATE TABLE provision_review_touch (
    invoice_id bigint NOT NULL
);

CREATE TABLE provision_review_wake (
    invoice_id bigint PRIMARY KEY,
    review_on  date NOT NULL
);
CREATE INDEX provision_review_wake_on_idx ON provision_review_wake (review_on);

-- The newest reminder row the last review saw: the provision steps recorded
-- since are the action rows after it.
ALTER TABLE provision_review_state ADD COLUMN last_reminder bigint NOT NULL DEFAULT 0;
UPDATE provision_review_state SET valid = false;

-- Invoices whose amounts, dates, settled amount or client changed. The
-- EXECUTEs are planned for the size of the transition table.
-- +goose StatementBegin
CREATE FUNCTION provision_review_invoices_written() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
    EXECUTE $q$INSERT INTO provision_review_touch (invoice_id)
    SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id
    WHERE (n.outstanding, n.amount_incl_vat, n.amount_excl_vat, n.due_date, n.issue_date, n.kind, n.client_id)
          IS DISTINCT FROM (o.outstanding, o.amount_incl_vat, o.amount_excl_vat, o.due_date, o.issue_date, o.kind, o.client_id)$q$;
    RETURN NULL;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER invoice_review_touch AFTER UPDATE ON invoice
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION provision_review_invoices_written();

-- Allocations changed (amount, documents, the day they count from) or
-- deleted: both documents, before and after.
-- +goose StatementBegin
CREATE FUNCTION provision_review_allocations_written() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        EXECUTE $q$INSERT INTO provision_review_touch (invoice_id)
        SELECT d.id
        FROM new_rows n JOIN old_rows o ON o.id = n.id
        CROSS JOIN LATERAL unnest(ARRAY[n.invoice_id, n.credit_note_id, o.invoice_id, o.credit_note_id]) AS d(id)
        WHERE d.id IS NOT NULL
          AND (n.invoice_id, n.credit_note_id, n.amount, n.applied_on, n.counts_from)
              IS DISTINCT FROM (o.invoice_id, o.credit_note_id, o.amount, o.applied_on, o.counts_from)$q$;
    ELSE
        EXECUTE $q$INSERT INTO provision_review_touch (invoice_id)
        SELECT d.id FROM old_rows o CROSS JOIN LATERAL unnest(ARRAY[o.invoice_id, o.credit_note_id]) AS d(id)
        WHERE d.id IS NOT NULL$q$;
    END IF;
    RETURN NULL;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER allocation_review_touch_update AFTER UPDATE ON allocation
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION provision_review_allocations_written();
CREATE TRIGGER allocation_review_touch_delete AFTER DELETE ON allocation
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION provision_review_allocations_written();

-- A client's insolvency opened, moved or set aside: every invoice of it.
-- +goose StatementBegin
CREATE FUNCTION provision_review_clients_written() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
    EXECUTE $q$INSERT INTO provision_review_touch (invoice_id)
    SELECT i.id FROM invoice i
    WHERE i.client_id IN (SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id
                          WHERE n.insolvency_opened_on IS DISTINCT FROM o.insolvency_opened_on)$q$;
    RETURN NULL;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER client_review_touch AFTER UPDATE ON client
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION provision_review_clients_written();

-- An action reminder changed (a provision step dropped, revived, moved,
-- re-profiled) or deleted. A row trigger whose WHEN is false for the send's
-- updates of message rows, as reminder_wake_update (migration 00161).
-- +goose StatementBegin
CREATE FUNCTION provision_review_reminder_written() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
    INSERT INTO provision_review_touch (invoice_id) VALUES (OLD.invoice_id), (NEW.invoice_id);
    RETURN NULL;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER reminder_review_touch_update AFTER UPDATE ON reminder FOR EACH ROW
    WHEN ((OLD.channel = 'action' OR NEW.channel = 'action')
          AND (NEW.invoice_id, NEW.step_id, NEW.profile, NEW.channel, NEW.status, NEW.due_on)
              IS DISTINCT FROM (OLD.invoice_id, OLD.step_id, OLD.profile, OLD.channel, OLD.status, OLD.due_on))
    EXECUTE FUNCTION provision_review_reminder_written();
-- +goose StatementBegin
CREATE FUNCTION provision_review_reminders_deleted() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
    EXECUTE $q$INSERT INTO provision_review_touch (invoice_id)
    SELECT invoice_id FROM old_rows WHERE channel = 'action'$q$;
    RETURN NULL;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER reminder_review_touch_delete AFTER DELETE ON reminder
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION provision_review_reminders_deleted();

-- Proposals deleted, wake rows deleted, or a list of writes emptied by
-- someone else than the review: the next review is a full one (migration
-- 00190's provision_review_invalidate). The review itself only inserts and
-- updates wake rows, and deletes the touch rows it read (not a TRUNCATE).
CREATE TRIGGER provision_review_invalidate AFTER DELETE OR TRUNCATE ON provision
    FOR EACH STATEMENT EXECUTE FUNCTION provision_review_invalidate();
CREATE TRIGGER provision_review_wake_invalidate AFTER DELETE OR TRUNCATE ON provision_review_wake
    FOR EACH STATEMENT EXECUTE FUNCTION provision_review_invalidate();
CREATE TRIGGER provision_review_touch_invalidate AFTER TRUNCATE ON provision_review_touch
    FOR EACH STATEMENT EXECUTE FUNCTION provision_review_invalidate();

-- +goose Down
DROP TRIGGER provision_review_touch_invalidate ON provision_review_touch;
DROP TRIGGER provision_review_wake_invalidate ON provision_review_wake;
DROP TRIGGER provision_review_invalidate ON provision;
DROP TRIGGER reminder_review_touch_delete ON reminder;
DROP FUNCTION provision_review_reminders_deleted();
DROP TRIGGER reminder_review_touch_update ON reminder;
DROP FUNCTION provision_review_reminder_written();
DROP TRIGGER client_review_touch ON client;
DROP FUNCTION provision_review_clients_written();
DROP TRIGGER allocation_review_touch_delete ON allocation;
DROP TRIGGER allocation_review_touch_update ON allocation;
DROP FUNCTION provision_review_allocations_written();
DROP TRIGGER invoice_review_touch ON invoice;
DROP FUNCTION provision_review_invoices_written();
DROP TABLE provision_review_wake;
DROP TABLE provision_review_touch;
ALTER TABLE provision_review_state DROP COLUMN last_reminder;
