-- +goose Up
-- What the rows of the last batch that collected a client said of it
-- (issue 16): a re-import of an unchanged snapshot leaves out the clients
-- whose rows it all left out and which say what they said the last time,
-- instead of staging, collecting and comparing each of a hundred thousand
-- clients to write none (internal/importer, reimport.go).
--
-- client.said_hash is the bit_xor of the distinct hashes of the sets of
-- values the batch's rows said of the client (ledger saidHash over what
-- batch_clients_collect.sql takes max() of), written by that batch
-- (batch_clients_update.sql, batch_clients_insert.sql; a batch of clients
-- writes NULL). The client's fields are then what collecting the same rows
-- again would leave them: COALESCE(max(rows), fields) of fields that are
-- already COALESCE(max(rows), …). Any other write of those fields (the API,
-- the CLI, a patch, a batch of clients, a later migration) clears the hash
-- (a row trigger whose WHEN is false unless they change and the hash does
-- not), and the client is collected again. A change of its code or entity
-- clears it too: the rows name it by code.
--
-- Upgrading: every client's hash is NULL until a batch collects it, so the
-- first invoice batch after this migration writes the hash of each client
-- it names (the hash alone: updated_at kept, no event, not counted), once.
ALTER TABLE client ADD COLUMN said_hash bigint;

-- +goose StatementBegin
CREATE FUNCTION ledger_client_said_hash_clear() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
    NEW.said_hash := NULL;
    RETURN NEW;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER client_said_changed BEFORE UPDATE ON client FOR EACH ROW
    WHEN (OLD.said_hash IS NOT NULL AND NEW.said_hash IS NOT DISTINCT FROM OLD.said_hash
          AND (OLD.entity_id, OLD.code, OLD.name, OLD.emails, OLD.cc_emails, OLD.locale, OLD.profile, OLD.segment,
               OLD.country, OLD.address_line1, OLD.address_line2, OLD.postcode, OLD.city, OLD.contact_name,
               OLD.phone, OLD.siren, OLD.siret, OLD.vat_number, OLD.credit_limit)
              IS DISTINCT FROM
              (NEW.entity_id, NEW.code, NEW.name, NEW.emails, NEW.cc_emails, NEW.locale, NEW.profile, NEW.segment,
               NEW.country, NEW.address_line1, NEW.address_line2, NEW.postcode, NEW.city, NEW.contact_name,
               NEW.phone, NEW.siren, NEW.siret, NEW.vat_number, NEW.credit_limit))
    EXECUTE FUNCTION ledger_client_said_hash_clear();

-- +goose Down
DROP TRIGGER client_said_changed ON client;
DROP FUNCTION ledger_client_said_hash_clear();
ALTER TABLE client DROP COLUMN said_hash;
