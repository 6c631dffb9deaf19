package importer

import (
	"context"

	"github.com/jackc/pgx/v5"
)

// copyBatch is how many rows the parser hands to COPY at a time: enough to
// keep both sides busy, small enough to bound memory.
const copyBatch = 2048

// copyRows runs produce in its own goroutine and hands what it emits to
// load (a ledger batch's Copy) through a feed, so that parsing and loading
// overlap. Memory is bounded by a few batches whatever the file's size.
func copyRows[R any](ctx context.Context, load func(context.Context, *feed[R]) (int, error),
	produce func(emit func(*R) bool) error) (int, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	ch := make(chan []R, 4)
	done := make(chan struct{})
	var prodErr error
	go func() {
		defer close(done)
		defer close(ch)
		batch := make([]R, 0, copyBatch)
		send := func() bool {
			select {
			case ch <- batch:
				batch = make([]R, 0, copyBatch)
				return true
			case <-ctx.Done():
				return false
			}
		}
		prodErr = produce(func(r *R) bool {
			batch = append(batch, *r)
			if len(batch) == copyBatch {
				return send()
			}
			return true
		})
		if len(batch) > 0 {
			send()
		}
	}()
	n, err := load(ctx, &feed[R]{ch: ch})
	cancel()
	<-done
	if prodErr != nil {
		return n, prodErr
	}
	return n, err
}

// feed hands the rows of batches from a channel to a ledger batch's Copy,
// one at a time (row), or as a pgx.CopyFromSource of their values (values).
type feed[R any] struct {
	ch    <-chan []R
	batch []R
	i     int
}

// row returns the next row, nil after the last.
func (f *feed[R]) row() *R {
	f.i++
	for f.i >= len(f.batch) {
		b, ok := <-f.ch
		if !ok {
			return nil
		}
		f.batch, f.i = b, 0
	}
	return &f.batch[f.i]
}

// values returns the feed as a COPY source of each row's values.
func (f *feed[R]) values(values func(*R, []any) []any) pgx.CopyFromSource {
	return &valuesSource[R]{feed: f, values: values}
}

// valuesSource is a pgx.CopyFromSource over a feed.
type valuesSource[R any] struct {
	feed   *feed[R]
	row    *R
	buf    []any
	values func(*R, []any) []any
}

func (s *valuesSource[R]) Next() bool {
	s.row = s.feed.row()
	return s.row != nil
}

func (s *valuesSource[R]) Values() ([]any, error) {
	s.buf = s.values(s.row, s.buf)
	return s.buf, nil
}

func (s *valuesSource[R]) Err() error { return nil }
