-- What the staged invoices say beyond the invoices themselves, so that the
-- statements about it run only when it does: amounts paid, credit notes
-- applied to an invoice.
SELECT EXISTS (SELECT 1 FROM invoice_stage WHERE paid IS NOT NULL),
       EXISTS (SELECT 1 FROM invoice_stage WHERE applies_to IS NOT NULL)
