-- The statistics of what the bulk path wrote and did not analyse yet: it
-- analysed client and invoice as it inserted the invoices (invoice_bulk.go),
-- and recorded the allocations after.
ANALYZE allocation
