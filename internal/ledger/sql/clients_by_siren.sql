-- The clients of entity $1 whose SIREN (or SIRET's first nine digits) is
-- one of $2, with their insolvency proceeding: what a BODACC import
-- matches its notices against.
SELECT c.code, coalesce(c.siren, left(c.siret, 9)), coalesce(c.insolvency_kind, ''),
       c.insolvency_opened_on, c.insolvency_published_on
FROM client c
WHERE c.entity_id = $1 AND (c.siren = ANY ($2) OR left(c.siret, 9) = ANY ($2))
ORDER BY c.code
