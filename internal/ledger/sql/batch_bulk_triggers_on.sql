-- Turns back on the triggers batch_bulk_triggers_off.sql turned off, once
-- batch_bulk_fill.sql has written what they would have.
ALTER TABLE invoice ENABLE TRIGGER invoice_balance_insert, ENABLE TRIGGER invoice_wake_insert
