-- Claim declarations due within $2 days of day $1: an insolvency proceeding
-- published in the BODACC must see its claim declared within two months of
-- the publication (DESIGN.md §2), and nobody has marked the claim
-- declaration task done. One alert per client and deadline (key
-- claim:<client>:<deadline>).
WITH due AS (
    SELECT c.id, c.code, c.name, e.code AS entity, c.insolvency_kind, c.insolvency_opened_on,
           c.insolvency_published_on, (c.insolvency_published_on + interval '2 months')::date AS deadline
    FROM client c JOIN entity e ON e.id = c.entity_id
    WHERE c.insolvency_published_on IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM task t WHERE t.client_id = c.id AND t.kind = 'claim_declaration' AND t.done_at IS NOT NULL)
), raised AS (
    INSERT INTO event (kind, client_id, detail, actor, reason, day)
    SELECT 'alert_claim_deadline', d.id,
           jsonb_build_object('key', 'claim:' || d.id || ':' || d.deadline, 'entity', d.entity, 'client', d.code,
                              'client_name', d.name, 'insolvency_kind', d.insolvency_kind,
                              'opened', d.insolvency_opened_on, 'published', d.insolvency_published_on,
                              'deadline', d.deadline, 'days_left', d.deadline - $1::date),
           'relance', 'claim declaration due ' || d.deadline, $1::date
    FROM due d
    WHERE d.deadline BETWEEN $1::date AND $1::date + $2::int
    ORDER BY d.id
    ON CONFLICT (kind, (detail ->> 'key')) WHERE kind LIKE 'alert\_%' DO NOTHING
    RETURNING kind
)
SELECT kind, count(*) FROM raised GROUP BY kind
