-- One client_updated event per client a batch of clients created or
-- changed ($1 entity, $2 batch, $3 actor, $4 day), so that each client's
-- timeline says who changed it and which fields the batch gave (the names
-- of SetClient's events). batch_clients_update.sql and the insert set
-- updated_at to now(), the transaction's start: a client described as it
-- is stored is not written, and gets no event.
INSERT INTO event (kind, client_id, detail, actor, reason, day)
SELECT 'client_updated', c.id, jsonb_build_object('batch', $2::bigint, 'created', c.created_at = now()), $3,
       concat_ws(', ',
           CASE WHEN b.client_name IS NOT NULL THEN 'name' END, CASE WHEN b.country IS NOT NULL THEN 'country' END,
           CASE WHEN b.address_line1 IS NOT NULL THEN 'address_line1' END,
           CASE WHEN b.address_line2 IS NOT NULL THEN 'address_line2' END,
           CASE WHEN b.postcode IS NOT NULL THEN 'postcode' END, CASE WHEN b.city IS NOT NULL THEN 'city' END,
           CASE WHEN b.contact_name IS NOT NULL THEN 'contact' END, CASE WHEN b.phone IS NOT NULL THEN 'phone' END,
           CASE WHEN b.emails IS NOT NULL THEN 'emails' END, CASE WHEN b.cc_emails IS NOT NULL THEN 'cc' END,
           CASE WHEN b.siren IS NOT NULL THEN 'siren' END, CASE WHEN b.siret IS NOT NULL THEN 'siret' END,
           CASE WHEN b.vat_number IS NOT NULL THEN 'vat' END, CASE WHEN b.credit_limit IS NOT NULL THEN 'credit_limit' END,
           CASE WHEN b.segment IS NOT NULL THEN 'segment' END, CASE WHEN b.profile IS NOT NULL THEN 'profile' END,
           CASE WHEN b.locale IS NOT NULL THEN 'locale' END),
       $4
FROM batch_client b JOIN client c ON c.entity_id = $1 AND c.code = b.client_code
WHERE c.updated_at = now()
