-- +goose Up
-- Delivery under faults (issue 10). The ladder's min_gap counts from the day
-- a step was sent, not the day it was decided (DESIGN.md §2): after an
-- outage the next level waits min_gap days from the late delivery. sent_on
-- is that business day; a row still pending on a live job has none and
-- blocks the next level without starting the clock.
ALTER TABLE reminder ADD COLUMN sent_on date;
-- Rows sent before this migration went out the day they were decided, or
-- as near as anyone can now tell.
UPDATE reminder SET sent_on = due_on WHERE status = 'sent';

-- The reconciliation that runs before every sweep looks for pending rows
-- whose send job died (discarded, cancelled, deleted); there are few of
-- them among millions of rows.
CREATE INDEX reminder_pending_idx ON reminder (id) WHERE status = 'pending';

-- +goose Down
DROP INDEX reminder_pending_idx;
ALTER TABLE reminder DROP COLUMN sent_on;
