-- What a promise target $2 names in entity $1: an invoice number, a client
-- code, or both (then the caller asks which).
SELECT (SELECT i.id FROM invoice i WHERE i.entity_id = $1 AND i.number = $2),
       (SELECT c.id FROM client c WHERE c.entity_id = $1 AND c.code = $2)
