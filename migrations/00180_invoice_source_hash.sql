-- +goose Up
-- What the source last said of each invoice (issue 16): a daily re-import
-- of an unchanged snapshot stages only the rows whose hash differs from the
-- one stored here (internal/importer, reimport.go), instead of comparing a
-- million staged rows with the ledger.
--
-- invoice.source_hash is the hash (ledger.BatchInvoice.SourceHash, 128 bits
-- in a uuid) of the invoice fields, `paid` and `applies_to` of the batch row
-- that last wrote the invoice. A row with the same hash can be left out of the next batch
-- only while applying it again would change nothing; every other write
-- that changes what a batch does with that row clears the hash (NULL), and
-- the row is staged again:
--   - a write of the invoice's own fields (its client, number, kind, dates,
--     terms, currency, amounts) by anything but a batch that sets the hash
--     with them (a row trigger whose WHEN is false for every other update,
--     the settlements' included). The invoice a credit note applies to is
--     written by a batch alone, for the rows it stages
--     (ledger/sql/batch_credit_notes_link.sql), as the row says;
--   - any allocation inserted, changed or deleted on the invoice or from the
--     credit note (a payment beside an unchanged `paid` gives a reversal of
--     the imported allocation, a closure by a snapshot is reversed when the
--     invoice is listed again, a credit note applied by hand or written off
--     has less to apply), except the `paid` and credit-note allocations an
--     invoice batch records for the very rows it stages (its hash describes
--     the state after them);
--   - a change of its client's code (the row names its client by code).
-- What the row says of its client is not in the hash: a re-import hands the
-- clients of the rows it leaves out to the batch all the same (client_said_unchanged).
-- A credit note with credit left that applies to an invoice is always
-- staged (ledger/sql/invoice_sources.sql): it applies more when its invoice
-- comes to owe more, which is a write to the invoice, not to it.
ALTER TABLE invoice ADD COLUMN source_hash uuid;

-- +goose StatementBegin
CREATE FUNCTION ledger_source_hash_clear() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
    NEW.source_hash := NULL;
    RETURN NEW;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER invoice_source_changed BEFORE UPDATE ON invoice FOR EACH ROW
    WHEN (OLD.source_hash IS NOT NULL AND NEW.source_hash IS NOT DISTINCT FROM OLD.source_hash
          AND (OLD.entity_id, OLD.client_id, OLD.number, OLD.kind, OLD.issue_date, OLD.due_date, OLD.payment_terms,
               OLD.currency, OLD.amount_incl_vat, OLD.amount_excl_vat)
              IS DISTINCT FROM
              (NEW.entity_id, NEW.client_id, NEW.number, NEW.kind, NEW.issue_date, NEW.due_date, NEW.payment_terms,
               NEW.currency, NEW.amount_incl_vat, NEW.amount_excl_vat))
    EXECUTE FUNCTION ledger_source_hash_clear();

-- The documents whose allocations changed: both sides of each row, but the
-- `paid` and credit-note allocations an invoice batch inserts (on the rows
-- it staged, whose hash it writes); a row updated, both before and after,
-- unless only the day it counts from moved (ledger_count_allocations,
-- migration 00020: a batch never reads it). An EXECUTE, planned for the size of the
-- transition table; a first import's million `paid` allocations are all
-- its own and only read once.
-- +goose StatementBegin
CREATE FUNCTION ledger_source_allocations_changed() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        EXECUTE $q$UPDATE invoice i SET source_hash = NULL
        FROM (SELECT unnest(ARRAY[a.invoice_id, a.credit_note_id]) AS id FROM new_rows a
              WHERE NOT (a.source IN ('import', 'credit_note') AND a.import_batch_id IS NOT NULL
                         AND a.import_batch_id IN (SELECT b.id FROM import_batch b WHERE b.kind = 'invoices'))) d
        WHERE i.id = d.id AND i.source_hash IS NOT NULL$q$;
    ELSIF TG_OP = 'UPDATE' THEN
        EXECUTE $q$UPDATE invoice i SET source_hash = NULL
        FROM (SELECT unnest(ARRAY[n.invoice_id, n.credit_note_id, o.invoice_id, o.credit_note_id]) AS id
              FROM new_rows n JOIN old_rows o ON o.id = n.id
              WHERE (n.invoice_id, n.credit_note_id, n.payment_id, n.source, n.amount)
                    IS DISTINCT FROM (o.invoice_id, o.credit_note_id, o.payment_id, o.source, o.amount)) d
        WHERE i.id = d.id AND i.source_hash IS NOT NULL$q$;
    ELSE
        EXECUTE $q$UPDATE invoice i SET source_hash = NULL
        FROM (SELECT unnest(ARRAY[a.invoice_id, a.credit_note_id]) AS id FROM old_rows a) d
        WHERE i.id = d.id AND i.source_hash IS NOT NULL$q$;
    END IF;
    RETURN NULL;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER allocation_source_insert AFTER INSERT ON allocation
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION ledger_source_allocations_changed();
CREATE TRIGGER allocation_source_update AFTER UPDATE ON allocation
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION ledger_source_allocations_changed();
CREATE TRIGGER allocation_source_delete AFTER DELETE ON allocation
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION ledger_source_allocations_changed();

-- A client's code changed: the rows that name it by its old code no longer
-- describe its invoices. Codes are not edited today; the trigger keeps it
-- exact if they ever are, at no cost to other updates.
-- +goose StatementBegin
CREATE FUNCTION ledger_source_client_renamed() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
    UPDATE invoice SET source_hash = NULL WHERE client_id = NEW.id AND source_hash IS NOT NULL;
    RETURN NULL;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER client_source_renamed AFTER UPDATE OF code, entity_id ON client FOR EACH ROW
    WHEN (OLD.code IS DISTINCT FROM NEW.code OR OLD.entity_id IS DISTINCT FROM NEW.entity_id)
    EXECUTE FUNCTION ledger_source_client_renamed();

-- +goose Down
DROP TRIGGER client_source_renamed ON client;
DROP FUNCTION ledger_source_client_renamed();
DROP TRIGGER allocation_source_delete ON allocation;
DROP TRIGGER allocation_source_update ON allocation;
DROP TRIGGER allocation_source_insert ON allocation;
DROP FUNCTION ledger_source_allocations_changed();
DROP TRIGGER invoice_source_changed ON invoice;
DROP FUNCTION ledger_source_hash_clear();
ALTER TABLE invoice DROP COLUMN source_hash;
