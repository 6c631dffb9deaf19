package importer

import (
	"fmt"
	"sort"
	"strings"

	"github.com/relance/relance/internal/ledger"
)

// maxShownErrors is how many row errors an ImportError prints before
// summarising the rest, so a broken million-row file stays readable.
const maxShownErrors = 50

// maxKeptErrors bounds the memory spent on errors of a hopeless file; the
// count of the rest is still exact.
const maxKeptErrors = 1000

// RowError is one problem of one row of an input file, reported as
// `file:line: column: reason`. Column is empty for a problem of the whole row.
type RowError struct {
	File   string
	Line   int
	Column string
	Reason string
}

func (e RowError) Error() string {
	if e.Column == "" {
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Reason)
	}
	return fmt.Sprintf("%s:%d: %s: %s", e.File, e.Line, e.Column, e.Reason)
}

// ImportError is returned when a file has bad rows: nothing was imported.
// Errors holds the first maxKeptErrors problems sorted by line; Total counts
// them all.
type ImportError struct {
	File   string
	Errors []RowError
	Total  int
}

// Error lists up to 50 problems, one a line, then "… and N more errors".
func (e *ImportError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %d error(s), nothing imported", e.File, e.Total)
	for i, re := range e.Errors {
		if i == maxShownErrors {
			break
		}
		b.WriteString("\n")
		b.WriteString(re.Error())
	}
	if e.Total > maxShownErrors {
		fmt.Fprintf(&b, "\n… and %d more errors", e.Total-maxShownErrors)
	}
	return b.String()
}

// errorList collects row errors while a file streams through.
type errorList struct {
	file  string
	kept  []RowError
	total int
}

func (l *errorList) add(line int, column, reason string) {
	l.total++
	if len(l.kept) < maxKeptErrors {
		l.kept = append(l.kept, RowError{File: l.file, Line: line, Column: column, Reason: reason})
	}
}

// addProblems adds the rows the ledger refused once it saw the whole file,
// each under the file's name of the field at fault.
func (l *errorList) addProblems(problems []ledger.RowProblem) {
	for _, p := range problems {
		l.add(p.Line, columnOf(p.Field), p.Reason)
	}
}

func (l *errorList) err() error {
	if l.total == 0 {
		return nil
	}
	sort.SliceStable(l.kept, func(i, j int) bool { return l.kept[i].Line < l.kept[j].Line })
	return &ImportError{File: l.file, Errors: l.kept, Total: l.total}
}
