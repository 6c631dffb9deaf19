-- The memory of the sweep's hashes, for this transaction: at least 64MB, as
-- `make bench` measures it, never lowered when the server gives more. The
-- statement keeps some sets it looks up per row in a hash (the waking
-- invoices the wake days did not bring: NOT IN over the due wakes), which
-- PostgreSQL hashes only when it thinks the set fits in work_mem; past
-- that it scans the whole set again for every row. On PostgreSQL's default
-- 4MB, the first sweep after importing a million invoices (a million due
-- wakes) ran for more than 6 minutes without finishing, against 46 s here.
SELECT set_config('work_mem', '64MB', true)
WHERE pg_size_bytes(current_setting('work_mem')) < pg_size_bytes('64MB')
