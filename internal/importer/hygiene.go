package importer

import (
	"fmt"

	"github.com/relance/relance/internal/ledger"
)

// The cleaning of a cell (ledger.CleanText), its cap (ledger.MaxTextChars,
// ledger.CheckLength) and the quoting of values in messages (ledger.Quote)
// are the ledger's: a value is made safe, or refused, with the same rules
// and words in a file as through the CLI or the API. What is the file's
// own stays here: a bound on a record before it is read, and one warning
// per file for the cells cleaned.

// MaxCellChars caps every cell of an imported file, in characters: the
// ledger's cap on any text it keeps. A longer cell is refused at its line.
const MaxCellChars = ledger.MaxTextChars

// maxRecordBytes caps one record of a CSV file or one line of a FEC, so that
// a 100 MB line is refused after its first MiB instead of being read whole.
const maxRecordBytes = 1 << 20

// cleanTally counts the cells ledger.CleanText changed, for one warning per
// file instead of one per cell.
type cleanTally struct {
	file  string
	n     int
	first string // file:line: column of the first
}

func (t *cleanTally) add(line int, column string) {
	if t.n == 0 {
		t.first = fmt.Sprintf("%s:%d: %s", t.file, line, column)
	}
	t.n++
}

// warning is the file's warning about removed characters, "" when none.
func (t *cleanTally) warning() string {
	if t.n == 0 {
		return ""
	}
	return fmt.Sprintf("%s: control or invisible characters removed from %d cell(s), the first at %s", t.file, t.n, t.first)
}
