-- Every client with a credit limit, in its entity's currency.
SELECT c.code, e.currency::text, c.credit_limit FROM client c JOIN entity e ON e.id = c.entity_id
WHERE c.credit_limit IS NOT NULL
