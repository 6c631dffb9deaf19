-- What recovery cost in the window [$2, $1], per currency, for entities $3
-- (NULL: every entity): the costs of cases incurred in it (in the case's
-- currency), and the registered letters sent in it, counted as the send
-- worker sends them: one per client, day and currency.
SELECT currency, sum(costs)::bigint, sum(letters)::int
FROM (
    SELECT lc.currency::text AS currency, c.amount AS costs, 0 AS letters
    FROM legal_case_cost c
    JOIN legal_case lc ON lc.id = c.case_id
    WHERE c.incurred_on BETWEEN $2 AND $1 AND ($3::bigint[] IS NULL OR lc.entity_id = ANY ($3))
    UNION ALL
    SELECT t.currency::text, 0, count(DISTINCT (r.client_id, r.due_on))
    FROM reminder r
    JOIN invoice t ON t.id = r.invoice_id
    WHERE r.channel = 'registered_letter' AND r.status = 'sent' AND r.due_on BETWEEN $2 AND $1
      AND ($3::bigint[] IS NULL OR t.entity_id = ANY ($3))
    GROUP BY t.currency
) x
GROUP BY currency
