package ledger

import "context"

// ApplyProof exposes withProof to the table test of a letter's statuses.
func ApplyProof(l Letter, p LetterProof) (Letter, error) {
	out, _, err := l.withProof(p)
	return out, err
}

// CopyWithPgx stages rows in b as the staging COPY did before its binary
// encoder: the reference TestStageByEncoderIsStageByPgx compares it with.
func CopyWithPgx(ctx context.Context, b *InvoiceBatch, rows []BatchInvoice) (int, error) {
	return b.copyWithPgx(ctx, rows)
}

// The statements whose plans plan_test.go reads, and the arguments of the
// provision review after its day.
var (
	ProvisionReviewSQL   = provisionReviewSQL
	CreditLimitAlertsSQL = creditLimitAlertsSQL
	DisputesSQL          = disputesSQL
	MatrixArgs           = matrixArgs
)
