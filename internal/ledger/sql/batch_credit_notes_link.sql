-- Links each staged credit note to the invoice it applies to ($1: the
-- entity).
UPDATE invoice cn SET applies_to_id = t.id
FROM invoice_stage s JOIN invoice t ON t.entity_id = $1 AND t.number = s.applies_to
WHERE cn.entity_id = $1 AND cn.number = s.number AND cn.applies_to_id IS DISTINCT FROM t.id
