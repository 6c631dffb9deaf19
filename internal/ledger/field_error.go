package ledger

import "strings"

// FieldError is one value the ledger refuses: the field, by the ledger's
// name for it ("emails", "siren", "credit_limit"…), and why. The reason's
// words are the same whoever gave the value; a file import puts them after
// file:line: column, the CLI after the command, the API beside the field.
type FieldError struct {
	Field string
	Err   error
}

func (e FieldError) Error() string { return e.Field + ": " + e.Err.Error() }

func (e FieldError) Unwrap() error { return e.Err }

// InvalidError lists every field a write refused, in the order checked.
type InvalidError struct {
	Fields []FieldError
}

func (e *InvalidError) Error() string {
	lines := make([]string, len(e.Fields))
	for i, f := range e.Fields {
		lines[i] = f.Error()
	}
	return strings.Join(lines, "\n")
}

// fieldErrors collects the refusals of one check.
type fieldErrors []FieldError

func (f *fieldErrors) add(field string, err error) {
	*f = append(*f, FieldError{Field: field, Err: err})
}

// err is nil when nothing was refused, else an *InvalidError.
func (f fieldErrors) err() error {
	if len(f) == 0 {
		return nil
	}
	return &InvalidError{Fields: f}
}
