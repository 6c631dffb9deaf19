-- Keeps the first of exactly repeated rows (same number, amount, client and
-- kind: the only repeats left once the conflicting ones are errors).
DELETE FROM invoice_stage a USING invoice_stage b
WHERE a.number = b.number AND a.line > b.line
