-- Letters with their client: of entity $1 (NULL: any), the one numbered $2
-- (NULL: any), the one keyed $3 (NULL: any), only those waiting to be posted
-- when $4, of client id $5 (NULL: any); by day, then id.
SELECT l.id, l.key, e.code, l.client_id, c.code, c.name, l.reminder_ids, l.step_id, l.day, l.channel,
       l.file_path, l.manifest, l.status, coalesce(l.tracking_number, ''), coalesce(l.provider_ref, ''),
       l.posted_on, coalesce(l.posted_by, ''), l.deposited_on, l.delivered_on, l.refused_on, l.failed_on,
       coalesce(l.outcome_reason, ''), coalesce(l.proof_url, ''),
       l.copy_status, coalesce(l.copy_message_id, ''), coalesce(l.copy_reason, ''), l.created_at,
       (SELECT coalesce(array_agg(i.number ORDER BY i.number), '{}')
        FROM reminder r JOIN invoice i ON i.id = r.invoice_id WHERE r.id = ANY (l.reminder_ids))
FROM letter l
JOIN client c ON c.id = l.client_id
JOIN entity e ON e.id = l.entity_id
WHERE ($1::bigint IS NULL OR l.entity_id = $1)
  AND ($2::bigint IS NULL OR l.id = $2)
  AND ($3::text IS NULL OR l.key = $3)
  AND (NOT $4 OR l.status = 'ready')
  AND ($5::bigint IS NULL OR l.client_id = $5)
ORDER BY l.day, l.id
