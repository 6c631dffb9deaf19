package provision

import (
	"math/big"
	"time"

	"github.com/relance/relance/internal/money"
)

// Kind is what a journal entry does.
type Kind string

// The kinds of journal entries (DESIGN.md §2, Provisioning).
const (
	// Reclassification moves a doubtful invoice's outstanding incl. VAT
	// from 411 to 416.
	Reclassification Kind = "reclassification"
	// Provision books a provision (6817 / 491) on the outstanding excl. VAT.
	Provision Kind = "provision"
	// Reversal takes a provision back (491 / 7817): the invoice was paid, or
	// its provision fell, or it was written off.
	Reversal Kind = "reversal"
	// WriteOff books the loss (654, and the VAT recovered in 44571) against
	// the receivable (416, or 411 when it was never reclassified).
	WriteOff Kind = "write_off"
)

// Causes of an entry: what a provision's rate rests on, or why it fell.
const (
	CauseAge        = "age"        // the plan's provision step and the matrix
	CauseInsolvency = "insolvency" // the client's insolvency proceeding
	CauseSettled    = "settled"    // the outstanding fell: paid, credited
	CauseRate       = "rate"       // the rate fell (the matrix changed)
	CauseWriteOff   = "write_off"  // written off: the loss replaces the provision
)

// Entry is one journal entry (écriture) as the ledger records it. Lines
// turns it into debit and credit lines on the configured accounts.
type Entry struct {
	ID         int64
	Day        time.Time // the day it takes effect: EcritureDate
	Kind       Kind
	Cause      string
	Client     string // the client's code: the auxiliary account
	ClientName string
	Invoice    string    // the invoice's number: PieceRef
	Issued     time.Time // the invoice's date: PieceDate
	Currency   string
	// Amount is incl. VAT for a reclassification and a write-off, the
	// provision's change for a provision or a reversal.
	Amount money.Amount
	// VAT is, for a write-off, the VAT recovered on the unpaid amount.
	VAT money.Amount
	// Base and RateBP are, for a provision or a reversal, the outstanding
	// excl. VAT and the rate of the provision after the entry.
	Base          money.Amount
	RateBP        int
	TaxDeductible bool // provision or reversal: false for a flat-rate matrix provision
	Doubtful      bool // write-off: the receivable had been reclassified to 416
	Actor, Reason string
}

// Proposal is a doubtful invoice and the provision it calls for on a day:
// a line of `relance provisions`.
type Proposal struct {
	Client, ClientName string
	Invoice            string
	Issued, Due        time.Time
	ProposedOn         time.Time // the day it was proposed
	Cause              string    // CauseAge or CauseInsolvency
	Profile            string    // the plan profile that picked the matrix row; "" for the default row
	Currency           string
	Outstanding        money.Amount // incl. VAT
	OutstandingExcl    money.Amount // excl. VAT
	// VATImported says OutstandingExcl follows the invoice's imported
	// amount excl. VAT; false when it assumes the default VAT rate.
	VATImported   bool
	DaysLate      int
	Bucket        string
	RateBP        int
	Amount        money.Amount
	TaxDeductible bool
}

// ExclVAT is the part excl. VAT of outstanding, an invoice's unpaid amount
// incl. VAT: in the invoice's own ratio when its amount excl. VAT is known
// (amountExcl ≥ 0 and amountIncl > 0), else at the VAT rate vatBP, rounded
// half-up to the cent. provision_due (migration 00050) applies the same
// rule in SQL.
func ExclVAT(outstanding, amountIncl money.Amount, amountExcl *money.Amount, vatBP int) money.Amount {
	if outstanding <= 0 {
		return 0
	}
	num := big.NewInt(int64(outstanding))
	var den *big.Int
	if amountExcl != nil && amountIncl > 0 {
		num.Mul(num, big.NewInt(int64(*amountExcl)))
		den = big.NewInt(int64(amountIncl))
	} else {
		num.Mul(num, big.NewInt(10000))
		den = big.NewInt(int64(10000 + vatBP))
	}
	return money.Amount(roundHalfUp(num, den))
}

// Of is the share rateBP of base, rounded half-up to the cent.
func Of(base money.Amount, rateBP int) money.Amount {
	num := new(big.Int).Mul(big.NewInt(int64(base)), big.NewInt(int64(rateBP)))
	return money.Amount(roundHalfUp(num, big.NewInt(10000)))
}

// roundHalfUp is num/den rounded half away from zero, as PostgreSQL's
// round(numeric) does.
func roundHalfUp(num, den *big.Int) int64 {
	neg := (num.Sign() < 0) != (den.Sign() < 0)
	n := new(big.Int).Abs(num)
	d := new(big.Int).Abs(den)
	q, r := new(big.Int).QuoRem(n, d, new(big.Int))
	if r.Mul(r, big.NewInt(2)).Cmp(d) >= 0 {
		q.Add(q, big.NewInt(1))
	}
	if neg {
		q.Neg(q)
	}
	return q.Int64()
}
