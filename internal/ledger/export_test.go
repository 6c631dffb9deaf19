package ledger

// ApplyProof exposes withProof to the table test of a letter's statuses.
func ApplyProof(l Letter, p LetterProof) (Letter, error) {
	out, _, err := l.withProof(p)
	return out, err
}
