-- +goose Up
-- Each client's balance, kept up to date on write (issue 16): the sweep no
-- longer adds up every open item of the ledger each morning to learn which
-- clients owe nothing (DESIGN §2: a client whose net balance is ≤ 0 is never
-- reminded) and which profile rule each client falls under.
--
-- client_balance holds, per client, the sum of today's stored balances
-- whatever their dates: `documents` = Σ invoice.outstanding over every
-- invoice and credit note, `payments` = Σ payment.unallocated. Statement
-- triggers with transition tables keep it: one grouped upsert per statement,
-- whoever writes (an import of 1,000,000 rows, the API, a payment, an
-- allocation, a credit note, a settlement, a snapshot close), with no row
-- trigger. ledger_client_net(D) then gives exactly ledger_client_balance(D)
-- (migration 00020) from it: it takes back what is dated after D (documents
-- issued, payments received) and adds the allocations that do not count yet
-- on D, reading only rows dated after D. ledger_horizon, the latest issue and
-- receipt dates ever written, lets the statement skip those scans altogether
-- when nothing is dated after D (the daily case); for a past day they are
-- scans of invoice and payment (no index on the dates: the import pays for
-- every index of invoice, and a replay is rare).
CREATE TABLE client_balance (
    client_id bigint PRIMARY KEY,
    documents bigint NOT NULL DEFAULT 0,  -- Σ outstanding of the client's invoices and credit notes
    payments  bigint NOT NULL DEFAULT 0   -- Σ unallocated of the client's payments
);

-- One row. An upper bound only ever raised: a lowered or deleted date leaves
-- it high, which costs a scan, never a wrong balance.
CREATE TABLE ledger_horizon (
    one            boolean PRIMARY KEY DEFAULT true CHECK (one),
    latest_issue   date NOT NULL DEFAULT '-infinity',
    latest_receipt date NOT NULL DEFAULT '-infinity'
);
INSERT INTO ledger_horizon DEFAULT VALUES;

-- client_balance and ledger_horizon recomputed from the ledger: the backfill
-- below, a TRUNCATE, and any bulk path that loads with triggers disabled.
-- +goose StatementBegin
CREATE FUNCTION ledger_rebuild_balance() RETURNS void
LANGUAGE sql
AS $$
    DELETE FROM client_balance;
    INSERT INTO client_balance (client_id, documents, payments)
    SELECT client_id, sum(documents)::bigint, sum(payments)::bigint
    FROM (SELECT client_id, outstanding AS documents, 0 AS payments FROM invoice WHERE outstanding <> 0
          UNION ALL
          SELECT client_id, 0, unallocated FROM payment WHERE unallocated <> 0) e
    GROUP BY client_id;
    UPDATE ledger_horizon
       SET latest_issue = coalesce((SELECT max(issue_date) FROM invoice), '-infinity'),
           latest_receipt = coalesce((SELECT max(received_on) FROM payment), '-infinity');
$$;
-- +goose StatementEnd

-- The delta of one statement: what its new rows hold less what its old rows
-- held, per client, written in client order (two writers of the same
-- clients lock them in the same order). Each statement is an EXECUTE, planned
-- on each run: PL/pgSQL would otherwise keep the plan of the first run for
-- the session, made for that run's transition table (one row from the API,
-- a million from an import), and a plan made for one row is a disaster for
-- a million. A branch naming a transition table its trigger lacks is never
-- run.
-- +goose StatementBegin
CREATE FUNCTION ledger_keep_balance() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        PERFORM ledger_rebuild_balance();
    ELSIF TG_TABLE_NAME = 'invoice' THEN
        IF TG_OP = 'INSERT' THEN
            EXECUTE $q$INSERT INTO client_balance AS b (client_id, documents)
            SELECT client_id, sum(outstanding)::bigint FROM new_rows WHERE outstanding <> 0
            GROUP BY client_id HAVING sum(outstanding) <> 0 ORDER BY client_id
            ON CONFLICT (client_id) DO UPDATE SET documents = b.documents + EXCLUDED.documents$q$;
        ELSIF TG_OP = 'DELETE' THEN
            EXECUTE $q$INSERT INTO client_balance AS b (client_id, documents)
            SELECT client_id, -sum(outstanding)::bigint FROM old_rows WHERE outstanding <> 0
            GROUP BY client_id HAVING sum(outstanding) <> 0 ORDER BY client_id
            ON CONFLICT (client_id) DO UPDATE SET documents = b.documents + EXCLUDED.documents$q$;
        ELSE
            EXECUTE $q$INSERT INTO client_balance AS b (client_id, documents)
            SELECT client_id, sum(amount)::bigint
            FROM (SELECT client_id, outstanding AS amount FROM new_rows WHERE outstanding <> 0
                  UNION ALL
                  SELECT client_id, -outstanding FROM old_rows WHERE outstanding <> 0) d
            GROUP BY client_id HAVING sum(amount) <> 0 ORDER BY client_id
            ON CONFLICT (client_id) DO UPDATE SET documents = b.documents + EXCLUDED.documents$q$;
        END IF;
        IF TG_OP <> 'DELETE' THEN
            EXECUTE $q$UPDATE ledger_horizon h SET latest_issue = n.latest
            FROM (SELECT max(issue_date) AS latest FROM new_rows) n
            WHERE n.latest > h.latest_issue$q$;
        END IF;
    ELSE
        IF TG_OP = 'INSERT' THEN
            EXECUTE $q$INSERT INTO client_balance AS b (client_id, payments)
            SELECT client_id, sum(unallocated)::bigint FROM new_rows WHERE unallocated <> 0
            GROUP BY client_id HAVING sum(unallocated) <> 0 ORDER BY client_id
            ON CONFLICT (client_id) DO UPDATE SET payments = b.payments + EXCLUDED.payments$q$;
        ELSIF TG_OP = 'DELETE' THEN
            EXECUTE $q$INSERT INTO client_balance AS b (client_id, payments)
            SELECT client_id, -sum(unallocated)::bigint FROM old_rows WHERE unallocated <> 0
            GROUP BY client_id HAVING sum(unallocated) <> 0 ORDER BY client_id
            ON CONFLICT (client_id) DO UPDATE SET payments = b.payments + EXCLUDED.payments$q$;
        ELSE
            EXECUTE $q$INSERT INTO client_balance AS b (client_id, payments)
            SELECT client_id, sum(amount)::bigint
            FROM (SELECT client_id, unallocated AS amount FROM new_rows WHERE unallocated <> 0
                  UNION ALL
                  SELECT client_id, -unallocated FROM old_rows WHERE unallocated <> 0) d
            GROUP BY client_id HAVING sum(amount) <> 0 ORDER BY client_id
            ON CONFLICT (client_id) DO UPDATE SET payments = b.payments + EXCLUDED.payments$q$;
        END IF;
        IF TG_OP <> 'DELETE' THEN
            EXECUTE $q$UPDATE ledger_horizon h SET latest_receipt = n.latest
            FROM (SELECT max(received_on) AS latest FROM new_rows) n
            WHERE n.latest > h.latest_receipt$q$;
        END IF;
    END IF;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

CREATE TRIGGER invoice_balance_insert AFTER INSERT ON invoice
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION ledger_keep_balance();
CREATE TRIGGER invoice_balance_update AFTER UPDATE ON invoice
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION ledger_keep_balance();
CREATE TRIGGER invoice_balance_delete AFTER DELETE ON invoice
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION ledger_keep_balance();
CREATE TRIGGER invoice_balance_truncate AFTER TRUNCATE ON invoice
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_keep_balance();
CREATE TRIGGER payment_balance_insert AFTER INSERT ON payment
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION ledger_keep_balance();
CREATE TRIGGER payment_balance_update AFTER UPDATE ON payment
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION ledger_keep_balance();
CREATE TRIGGER payment_balance_delete AFTER DELETE ON payment
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION ledger_keep_balance();
CREATE TRIGGER payment_balance_truncate AFTER TRUNCATE ON payment
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_keep_balance();

SELECT ledger_rebuild_balance();

-- ledger_client_balance(as_of) from the kept balances: the same rows for
-- every client with an entry on as_of (and a zero row for a client whose
-- entries all came after it), at the cost of the rows dated after as_of
-- instead of every open item. The branches mirror ledger_balance_entry's.
-- +goose StatementBegin
CREATE FUNCTION ledger_client_net(as_of date)
RETURNS TABLE (client_id bigint, documents bigint, payments bigint, net bigint)
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
    SELECT e.client_id,
           coalesce(sum(e.amount) FILTER (WHERE NOT e.payment), 0)::bigint,
           coalesce(-sum(e.amount) FILTER (WHERE e.payment), 0)::bigint,
           sum(e.amount)::bigint
    FROM (
        SELECT b.client_id, b.documents AS amount, false AS payment FROM client_balance b
        UNION ALL
        SELECT b.client_id, -b.payments, true FROM client_balance b
        UNION ALL  -- documents issued after as_of: not there yet
        SELECT t.client_id, -t.outstanding, false
        FROM invoice t
        WHERE (SELECT h.latest_issue FROM ledger_horizon h) > as_of AND t.issue_date > as_of AND t.outstanding <> 0
        UNION ALL  -- payments received after as_of
        SELECT p.client_id, p.unallocated, true
        FROM payment p
        WHERE (SELECT h.latest_receipt FROM ledger_horizon h) > as_of AND p.received_on > as_of AND p.unallocated <> 0
        UNION ALL  -- allocations that do not count yet: back onto their documents…
        -- The client of each is looked up by key (a subquery per late
        -- allocation, none on most days): a join would hash all of invoice
        -- or payment, the sweep running with nested loops off.
        SELECT (SELECT t.client_id FROM invoice t WHERE t.id = x.document_id AND t.issue_date <= as_of), x.amount, false
        FROM ledger_late_allocation(as_of) la
        CROSS JOIN LATERAL (VALUES (la.invoice_id, la.amount), (la.credit_note_id, -la.amount)) AS x(document_id, amount)
        WHERE x.document_id IS NOT NULL
        UNION ALL  -- … and back onto their payments
        SELECT (SELECT p.client_id FROM payment p WHERE p.id = la.payment_id AND p.received_on <= as_of), -la.amount, true
        FROM ledger_late_allocation(as_of) la
        WHERE la.payment_id IS NOT NULL
    ) e
    WHERE e.client_id IS NOT NULL  -- a side not issued or received by as_of
    GROUP BY e.client_id
$$;
-- +goose StatementEnd

-- +goose Down
DROP FUNCTION ledger_client_net(date);
DROP TRIGGER payment_balance_truncate ON payment;
DROP TRIGGER payment_balance_delete ON payment;
DROP TRIGGER payment_balance_update ON payment;
DROP TRIGGER payment_balance_insert ON payment;
DROP TRIGGER invoice_balance_truncate ON invoice;
DROP TRIGGER invoice_balance_delete ON invoice;
DROP TRIGGER invoice_balance_update ON invoice;
DROP TRIGGER invoice_balance_insert ON invoice;
DROP FUNCTION ledger_keep_balance();
DROP FUNCTION ledger_rebuild_balance();
DROP TABLE ledger_horizon;
DROP TABLE client_balance;
