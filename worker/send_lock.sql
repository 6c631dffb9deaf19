-- Everything one message needs, read and locked in one statement: the
-- reminder rows $1 (FOR UPDATE: another send of the same rows waits for
-- this one's commit, then finds them no longer pending), each with its
-- invoice and what the re-check asks as of $2 (disputed? promised? in
-- court? the client insolvent, paused, excluded, bouncing?), the invoice's
-- dated settlements for the penalties, both parties as messages and
-- letters name them, and the as-of of the entity's newest payment data for
-- the freshness guard.
-- The parties repeat on every row of the message (one to a few rows).
--
-- It runs once per message under a generic plan (send_tx.go), so its plan
-- is built for any rows: each lookup is a nested index probe (the
-- settlements in one LATERAL, the freshness a scalar subquery) rather than
-- a hash join built at every execution, and the rows come in the order the
-- scan locks them (the heap's, the same for any two sends of one row); the
-- worker orders them for the message.
SELECT r.id, r.status, r.step_id, coalesce(r.template, ''), r.profile, r.level,
       i.id, i.number, i.currency, i.issue_date, i.due_date, i.amount_incl_vat, i.outstanding, i.excluded,
       EXISTS (SELECT 1 FROM ledger_open_dispute($2) d WHERE d.invoice_id = i.id),
       EXISTS (SELECT 1 FROM promise p WHERE p.invoice_id = i.id AND p.promised_on <= $2 AND p.until >= $2
                 AND (p.settled_on IS NULL OR p.settled_on > $2)),
       EXISTS (SELECT 1 FROM ledger_open_case($2) lc WHERE lc.invoice_id = i.id),
       c.id, c.code, c.emails,
       c.insolvency_opened_on IS NOT NULL AND c.insolvency_opened_on <= $2,
       c.email_bouncing_since IS NOT NULL,
       EXISTS (SELECT 1 FROM pause pa WHERE pa.client_id = c.id AND pa.kind = 'pause' AND pa.from_on <= $2
                 AND (pa.until IS NULL OR pa.until >= $2) AND (pa.resumed_on IS NULL OR pa.resumed_on > $2)),
       c.excluded,
       s.days, s.amounts,
       -- the debtor
       c.name, c.country, coalesce(c.locale, ''),
       coalesce(c.address_line1, ''), coalesce(c.address_line2, ''), coalesce(c.postcode, ''), coalesce(c.city, ''),
       coalesce(c.siren, ''), coalesce(c.vat_number, ''),
       -- the creditor
       e.code, e.name, e.country, e.locale,
       coalesce(e.address_line1, ''), coalesce(e.address_line2, ''), coalesce(e.postcode, ''), coalesce(e.city, ''),
       coalesce(e.siren, ''), coalesce(e.vat_number, ''), coalesce(e.iban, ''), coalesce(e.bic, ''),
       coalesce(e.email, ''), coalesce(e.phone, ''), e.letter_channel,
       -- the freshness guard's: the entity's newest payment data
       (SELECT f.as_of FROM data_freshness f WHERE f.entity_id = e.id AND f.kind = 'payments')
FROM reminder r
JOIN invoice i ON i.id = r.invoice_id
JOIN client c ON c.id = r.client_id
JOIN entity e ON e.id = c.entity_id
-- the invoice's settlements, in the order interest runs on them
CROSS JOIN LATERAL (SELECT coalesce(array_agg(a.applied_on ORDER BY a.applied_on, a.id), '{}') AS days,
                           coalesce(array_agg(a.amount ORDER BY a.applied_on, a.id), '{}') AS amounts
                    FROM allocation a WHERE a.invoice_id = i.id) s
WHERE r.id = ANY ($1)
FOR UPDATE OF r
