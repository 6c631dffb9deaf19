// Package claim states the claim a creditor declares in its client's
// insolvency proceeding (déclaration de créance, C. com. L622-24 and
// R622-23; DESIGN.md §2, Insolvency): every invoice issued before the
// opening judgment and unpaid on its eve, each with its principal, the
// late-payment interest up to the day before the opening (accrual freezes
// at the opening, C. com. L622-28) and the fixed recovery indemnity, under
// the debtor's rule set (internal/penalty). An invoice not yet due at the
// opening is declared too, as a claim falling due later (à échoir), with no
// interest or indemnity. `relance tasks` shows the total beside the
// claim-declaration task; `relance claim` prints the statement and lays it
// out as a PDF for the insolvency practitioner (internal/letter).
package claim
