-- The clients of entity $1 whose SIREN (or, without one, their SIRET's
-- first nine digits) is one of $2, with their insolvency proceeding: what a
-- BODACC import matches its notices against. A hash join, whatever the
-- number of SIRENs a file brings.
WITH wanted AS (
    SELECT DISTINCT unnest($2::text[]) AS siren
)
SELECT c.code, w.siren, coalesce(c.insolvency_kind, ''), c.insolvency_opened_on, c.insolvency_published_on
FROM client c
JOIN wanted w ON w.siren = coalesce(c.siren, left(c.siret, 9))
WHERE c.entity_id = $1
ORDER BY c.code
