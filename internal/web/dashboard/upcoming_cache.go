package dashboard

import (
	"context"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"

	"github.com/relance/relance/internal/preview"
)

// keptForecasts is how many previews the upcoming page keeps: one per
// entity and first day asked lately (a few entities, today and a day
// asked by as_of). A report at 300,000 invoices is about 20 MB.
const keptForecasts = 4

// forecasts keeps the upcoming page's previews and gives one back while
// nothing it read has changed (preview.Changed: no transaction that wrote
// the ledger, the reminders, the provisions or the cases committed since
// its snapshot, whatever process wrote it). Loads of one key that need a
// preview at the same time wait for the one that runs.
type forecasts struct {
	run     func(ctx context.Context, opts preview.Options) (*preview.Report, error)
	changed func(ctx context.Context, rep *preview.Report) (bool, error)

	mu   sync.Mutex
	kept map[forecastKey]keptForecast
	uses uint64 // gets so far: the clock of keptForecast.used
	runs singleflight.Group
}

type forecastKey struct {
	entity string
	from   time.Time
}

type keptForecast struct {
	rep  *preview.Report
	used uint64 // when it was last given, in gets: the least recent goes first
}

// get returns the preview of opts.Days days from opts.From for opts.Entity:
// the kept one if nothing it read has changed, else a new one. The report
// is shared: its reader must not change it.
func (f *forecasts) get(ctx context.Context, opts preview.Options) (*preview.Report, error) {
	key := forecastKey{opts.Entity, opts.From}
	if rep := f.lookup(key); rep != nil {
		changed, err := f.changed(ctx, rep)
		if err != nil {
			return nil, err
		}
		if !changed {
			return rep, nil
		}
	}
	// The preview runs on past a load that gives up (its tab closed): the
	// loads waiting for it, and the next one, get it.
	ch := f.runs.DoChan(key.entity+"\x00"+key.from.Format(time.DateOnly), func() (any, error) {
		rep, err := f.run(context.WithoutCancel(ctx), opts)
		if err == nil {
			f.keep(key, rep)
		}
		return rep, err
	})
	select {
	case <-ctx.Done():
		return nil, ctx.Err()
	case r := <-ch:
		if r.Err != nil {
			return nil, r.Err
		}
		return r.Val.(*preview.Report), nil
	}
}

func (f *forecasts) lookup(key forecastKey) *preview.Report {
	f.mu.Lock()
	defer f.mu.Unlock()
	k, ok := f.kept[key]
	if !ok {
		return nil
	}
	f.uses++
	k.used = f.uses
	f.kept[key] = k
	return k.rep
}

// keep keeps rep for key, forgetting the least recently used report past
// keptForecasts.
func (f *forecasts) keep(key forecastKey, rep *preview.Report) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.kept == nil {
		f.kept = map[forecastKey]keptForecast{}
	}
	f.uses++
	f.kept[key] = keptForecast{rep: rep, used: f.uses}
	for len(f.kept) > keptForecasts {
		var oldest forecastKey
		first := true
		for k, v := range f.kept {
			if first || v.used < f.kept[oldest].used {
				oldest, first = k, false
			}
		}
		delete(f.kept, oldest)
	}
}
