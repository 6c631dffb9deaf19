-- The outstanding of the clients $1 on $2 (the ledger as of that day), per
-- currency: open documents less unapplied payments, the aged balance's
-- total.
SELECT b.client_id, b.currency, sum(b.amount)::bigint
FROM ledger_balance_entry($2) b
WHERE b.client_id = ANY ($1)
GROUP BY b.client_id, b.currency
ORDER BY b.client_id, b.currency
