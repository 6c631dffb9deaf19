-- One client with everything recorded about it and its state on day $4:
-- by code $2 in entity $1, or by id $3 (then $1 and $2 are ignored).
SELECT c.id, c.code, c.name, c.country,
       coalesce(c.address_line1, ''), coalesce(c.address_line2, ''), coalesce(c.postcode, ''), coalesce(c.city, ''),
       coalesce(c.contact_name, ''), coalesce(c.phone, ''), c.emails, c.cc_emails,
       coalesce(c.siren, ''), coalesce(c.siret, ''), coalesce(c.vat_number, ''), c.credit_limit,
       coalesce(c.segment, ''), coalesce(c.profile, ''), coalesce(c.locale, ''), coalesce(c.payer_score::text, ''),
       c.excluded, coalesce(c.excluded_reason, ''), c.email_bouncing_since, coalesce(c.email_bounce_reason, ''),
       coalesce(c.insolvency_kind, ''), c.insolvency_opened_on, c.insolvency_published_on,
       e.code,
       -- its state on $4
       (SELECT pa.until FROM pause pa
         WHERE pa.client_id = c.id AND pa.kind = 'pause' AND pa.from_on <= $4
           AND (pa.until IS NULL OR pa.until >= $4) AND (pa.resumed_on IS NULL OR pa.resumed_on > $4)
         ORDER BY pa.until DESC NULLS FIRST LIMIT 1),
       EXISTS (SELECT 1 FROM pause pa
         WHERE pa.client_id = c.id AND pa.kind = 'pause' AND pa.from_on <= $4
           AND (pa.until IS NULL OR pa.until >= $4) AND (pa.resumed_on IS NULL OR pa.resumed_on > $4)),
       coalesce((SELECT sum(i.outstanding) FROM invoice i WHERE i.client_id = c.id AND i.outstanding <> 0), 0)
         - coalesce((SELECT sum(p.unallocated) FROM payment p WHERE p.client_id = c.id AND p.unallocated <> 0), 0),
       coalesce((SELECT sum(i.outstanding) FROM invoice i
                  WHERE i.client_id = c.id AND i.outstanding > 0 AND i.kind = 'invoice' AND i.due_date < $4), 0)
FROM client c
JOIN entity e ON e.id = c.entity_id
WHERE ($3::bigint IS NULL AND c.entity_id = $1 AND c.code = $2) OR c.id = $3
