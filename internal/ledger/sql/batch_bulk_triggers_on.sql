-- Turns back on the triggers batch_bulk_triggers_off.sql turned off, once
-- batch_bulk_fill.sql has written what they would have, and drops the
-- link the insert read (invoice_bulk_link).
ALTER TABLE invoice ENABLE TRIGGER invoice_balance_insert, ENABLE TRIGGER invoice_wake_insert;
ALTER TABLE allocation ENABLE TRIGGER allocation_counts_insert, ENABLE TRIGGER allocation_source_insert;
DROP TABLE invoice_bulk_link
