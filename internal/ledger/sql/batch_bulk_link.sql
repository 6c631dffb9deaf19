-- The bulk path's link of the batch's rows that apply to another
-- (applies_to) with the row they name, computed once, by Problems, into
-- invoice_bulk_link: line, the number it applies to, the line of that
-- number (target: NULL when the batch has none, which the unknown targets'
-- check reads, batch_bulk_unknown_targets.sql), its kind, what it has to
-- give (available: minus its amount), what the target owes after its
-- `paid` (outstanding), and the later of both issue dates (issued: an
-- allocation between them counts from it at the earliest). The insert
-- (batch_invoices_bulk.sql) reads it for the link and for what each credit
-- note settles. Computing it once serves both: the check's own anti-join
-- hashed every number of the batch (0.4 s of CPU at 1M) to find what this
-- join finds (bench/analysis.md, perf8-first).
--
-- Two steps, each analysed: the rows that name another first (a few
-- percent of the batch), then their join with the batch by number, which
-- the planner then hashes on their side and probes with the whole batch.
-- Written as one join over invoice_stage, it hashed the whole batch by
-- number (a million text keys) — twice, the insert reading the link twice —
-- for a few thousand credit notes; and inside the insert, a link whose
-- size the planner guesses wrong makes it hash the batch and feed the
-- insert out of line order, which the primary key pays for.
DROP TABLE IF EXISTS invoice_bulk_link;
CREATE TEMP TABLE invoice_bulk_applies ON COMMIT DROP AS
SELECT line, applies_to, kind, -amount AS available, issue_date FROM invoice_stage WHERE applies_to IS NOT NULL;
ANALYZE invoice_bulk_applies;
CREATE TEMP TABLE invoice_bulk_link ON COMMIT DROP AS
SELECT a.line, a.applies_to, t.line AS target, a.kind, a.available, t.amount - COALESCE(t.paid, 0) AS outstanding,
       GREATEST(a.issue_date, t.issue_date) AS issued
FROM invoice_bulk_applies a LEFT JOIN invoice_stage t ON t.number = a.applies_to;
DROP TABLE invoice_bulk_applies;
ANALYZE invoice_bulk_link;
