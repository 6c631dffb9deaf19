-- One row of the event trail: who (actor) did what (kind, detail), to which
-- client or invoice, why (reason) and on which business day it takes effect.
-- $1 kind, $2 client id, $3 invoice id, $4 detail, $5 actor, $6 reason, $7 day
INSERT INTO event (kind, client_id, invoice_id, detail, actor, reason, day)
VALUES ($1, $2, $3, $4, $5, $6, $7)
