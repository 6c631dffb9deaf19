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

// text cleans the text *v and caps it (CleanText, CheckLength), free telling
// words people wrote from identifiers; nil is not said. It says whether
// *v was said and kept.
func (f *fieldErrors) text(field string, v *string, free bool) bool {
	if v == nil {
		return false
	}
	if err := CheckLength(*v); err != nil {
		f.add(field, err)
		return false
	}
	*v, _ = CleanText(*v, free)
	return true
}

// normalize puts *v in its stored form with normalize, one of the Normalize
// functions; nil is not said. It says whether *v is fine.
func (f *fieldErrors) normalize(field string, v *string, normalize func(string) (string, error)) bool {
	if v == nil {
		return true
	}
	n, err := normalize(*v)
	if err != nil {
		f.add(field, err)
		return false
	}
	*v = n
	return true
}

// err is nil when nothing was refused, else an *InvalidError.
func (f fieldErrors) err() error {
	if len(f) == 0 {
		return nil
	}
	return &InvalidError{Fields: f}
}
