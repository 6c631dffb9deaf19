package ledger

import "hash/maphash"

// numberFilter follows the invoice numbers a batch stages, as Copy sends
// them, so that the duplicate check (batch_invoice_duplicates.sql) need not
// hash every number of the batch to find the few listed twice: at a
// million rows that hash was 0.7 s of the server's CPU (0.1 s reading the
// candidates' rows), for a file that usually lists each number once.
//
// Up to filterExactNumbers rows it only keeps the numbers; past them, a
// Bloom filter of filterBits bits (2 MB, however large the batch) holds
// them all. A number whose bits are all set already may have been staged
// before: it becomes a candidate. Every number staged twice is a candidate
// (a Bloom filter has no false negatives), and a few others are (false
// positives: 419 of the bench's million numbers): the check then reads only
// the candidates' rows, and finds the same numbers as over the whole
// batch. Past maxCandidates it gives up, and the check reads the whole
// batch as before: beyond about 3 million rows the filter fills up and
// its false positives do so.
type numberFilter struct {
	first      []string // the numbers, until the filter starts
	seed       maphash.Seed
	bits       []uint64 // nil until filterExactNumbers numbers
	candidates []string
	over       bool // more than maxCandidates
}

const (
	filterExactNumbers = 4096
	filterBits         = 1 << 24
	filterHashes       = 4
	maxCandidates      = 50_000
)

// add records a staged number.
func (f *numberFilter) add(number string) {
	if f.bits == nil {
		if len(f.first) < filterExactNumbers {
			f.first = append(f.first, number)
			return
		}
		f.seed, f.bits = maphash.MakeSeed(), make([]uint64, filterBits/64)
		for _, n := range f.first {
			f.set(n)
		}
		f.first = nil
	}
	f.set(number)
}

// set sets number's bits, and makes it a candidate when they all were.
func (f *numberFilter) set(number string) {
	h := maphash.String(f.seed, number)
	// Double hashing: the filter's hashes from the two halves of one.
	h1, h2 := uint32(h), uint32(h>>32)|1
	seen := true
	for i := range uint32(filterHashes) {
		x := (h1 + i*h2) % filterBits
		w, bit := x/64, uint64(1)<<(x%64)
		if f.bits[w]&bit == 0 {
			seen = false
			f.bits[w] |= bit
		}
	}
	if !seen || f.over {
		return
	}
	if len(f.candidates) == maxCandidates {
		f.over, f.candidates = true, nil
		return
	}
	f.candidates = append(f.candidates, number)
}

// among returns the numbers the duplicate check must read: nil for all of
// them (a small batch, or too many candidates), else the candidates (empty:
// no number was staged twice).
func (f *numberFilter) among() []string {
	if f.bits == nil || f.over {
		return nil
	}
	if f.candidates == nil {
		return []string{}
	}
	return f.candidates
}
