// Package provision holds the accounting of doubtful debts (DESIGN.md §2,
// Provisioning and Insolvency): the provision matrix, the journal entries
// and the lines they make on the chart of accounts, and the formats an
// accountant reads them in (the listing as a table, CSV or XLSX; the
// journal as CSV or FEC).
//
// The ledger (internal/ledger) stores the proposals and the entries; the
// daily sweep reviews them. An invoice becomes doubtful when its plan's
// provision step fires, or when its client's insolvency proceeding opens
// (whatever the invoice's age, if it was issued before the opening). From
// then on, each day's provision is its outstanding excl. VAT × the rate of
// its bucket in the matrix (by plan profile), or the insolvency rate when
// that is higher; a proposal of 0 is never made. The review books the
// difference with what was booked so far, so a month's journal holds:
//
//   - the 411 → 416 reclassification, at the outstanding incl. VAT, the day
//     the invoice becomes doubtful;
//   - a 6817 / 491 provision each time the provision rises (proposal, older
//     bucket, insolvency);
//   - a 491 / 7817 reversal each time it falls (paid, credited, rate
//     lowered), and when the invoice is written off;
//   - the write-off itself (`relance writeoff`): 654 for the loss excl.
//     VAT, 44571 for the VAT recovered, against 416 (or 411 when the
//     invoice was never reclassified) for the unpaid amount incl. VAT.
//
// A provision from the flat matrix is not tax-deductible in France (CGI
// art. 39-1-5° wants a loss that is probable and individually assessed);
// one resting on an insolvency proceeding is, and the journal says which
// each is. The excl. VAT amount is the invoice's own ratio when the import
// gave it, else the configured default VAT rate, which the listing names.
//
// VAT on a write-off: the VAT included in the unpaid amount (in the same
// ratio) is recovered, as CGI art. 272-1 allows for a debt that is
// definitively irrecoverable; `relance writeoff --no-vat-recovery` books
// the whole unpaid amount incl. VAT as the loss when that does not hold
// (a debt abandoned without proof that it cannot be collected).
package provision
