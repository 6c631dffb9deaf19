package importer

import (
	"errors"
	"io"
)

// readAheadBatch is how many records the reading goroutine hands over at a
// time.
const readAheadBatch = 256

// readAhead is what one call of a source's next returned.
type readAhead struct {
	rec  []string
	line int
	err  error
}

// eachRecordAhead is eachRecord with the source read by a goroutine of its
// own, a few batches ahead of fn: decoding a CSV record costs about half of
// what checking it does, and the machine has more than one core. Only fn's
// goroutine touches errs, in the order of the file. It returns once the
// reading goroutine is done, so that the caller may close src.
func eachRecordAhead(src source, errs *errorList, fn func(rec []string, line int) bool) error {
	ch, stop := make(chan []readAhead, 8), make(chan struct{})
	go func() {
		defer close(ch)
		batch := make([]readAhead, 0, readAheadBatch)
		var cells []string // the batch's records, one allocation for all
		for {
			rec, line, err := src.next()
			if err == nil {
				// The reader reuses its record, not its strings.
				if len(cells)+len(rec) > cap(cells) {
					cells = make([]string, 0, max(readAheadBatch*len(rec), len(rec)))
				}
				at := len(cells)
				cells = append(cells, rec...)
				rec = cells[at:len(cells):len(cells)]
			}
			batch = append(batch, readAhead{rec: rec, line: line, err: err})
			var re *RowError
			last := err != nil && !errors.As(err, &re)
			if !last && len(batch) < readAheadBatch {
				continue
			}
			select {
			case ch <- batch:
			case <-stop:
				return
			}
			if last {
				return
			}
			batch = make([]readAhead, 0, readAheadBatch)
		}
	}()
	defer func() {
		close(stop)
		for range ch { // a batch it was sending
		}
	}()
	for batch := range ch {
		for _, r := range batch {
			if more, err := takeRecord(r.rec, r.line, r.err, errs, fn); !more {
				return err
			}
		}
	}
	return io.ErrUnexpectedEOF // never: the last batch ends in an error or io.EOF
}
