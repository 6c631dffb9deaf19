package importer

import (
	"context"

	"github.com/jackc/pgx/v5"
)

// copyBatch is how many rows the parser hands to COPY at a time: enough to
// keep both sides busy, small enough to bound memory.
const copyBatch = 2048

// copyRows runs produce in its own goroutine and hands what it emits to
// load (a ledger batch's Copy) as a COPY source, so that parsing and loading
// overlap. Memory is bounded by a few batches whatever the file's size.
func copyRows[R any](ctx context.Context, load func(context.Context, pgx.CopyFromSource) (int, error),
	produce func(emit func(*R) bool) error, values func(*R, []any) []any) (int, error) {
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
	n, err := load(ctx, &feed[R]{ch: ch, values: values})
	cancel()
	<-done
	if prodErr != nil {
		return n, prodErr
	}
	return n, err
}

// feed is a pgx.CopyFromSource over batches from a channel.
type feed[R any] struct {
	ch     <-chan []R
	batch  []R
	i      int
	buf    []any
	values func(*R, []any) []any
}

func (f *feed[R]) Next() bool {
	f.i++
	for f.i >= len(f.batch) {
		b, ok := <-f.ch
		if !ok {
			return false
		}
		f.batch, f.i = b, 0
	}
	return true
}

func (f *feed[R]) Values() ([]any, error) {
	f.buf = f.values(&f.batch[f.i], f.buf)
	return f.buf, nil
}

func (f *feed[R]) Err() error { return nil }
