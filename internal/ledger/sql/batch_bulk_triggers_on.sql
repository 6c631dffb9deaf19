-- Puts back the triggers batch_bulk_triggers_off.sql dropped or turned off,
-- once batch_bulk_fill.sql has written what they would have, and drops the
-- link the insert read (invoice_bulk_link).
DO $$
DECLARE
    d record;
BEGIN
    FOR d IN SELECT def FROM invoice_bulk_triggers ORDER BY tgname LOOP
        EXECUTE d.def;
    END LOOP;
END
$$;
DROP TABLE invoice_bulk_triggers;
ALTER TABLE allocation ENABLE TRIGGER allocation_counts_insert, ENABLE TRIGGER allocation_source_insert;
DROP TABLE invoice_bulk_link
