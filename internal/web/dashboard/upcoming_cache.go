package dashboard

import (
	"context"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"

	"github.com/relance/relance/internal/preview"
)

// keptForecasts is how many previews the upcoming page keeps: one per
// entity and first day asked lately (today's, and one other day or
// entity). A report at 300,000 invoices is about 20 MB, and grows with the
// ledger (the preview's JSON of a million invoices is 91 MB): the daemon's
// memory is what bounds the count, not the pages people open.
const keptForecasts = 2

// forecasts keeps the upcoming page's previews and gives one back while
// nothing it read has changed (preview.Changed: no transaction that wrote
// the ledger, the reminders, the provisions or the cases committed since
// its snapshot, whatever process wrote it). Loads of one key that need a
// preview at the same time wait for the one that runs.
type forecasts struct {
	run func(ctx context.Context, opts preview.Options) (*preview.Report, error)
	// base ends the previews: they outlive the load that started them,
	// not the server (Options.Base). nil: never.
	base    context.Context
	now     func() time.Time // the dashboard's clock: when a preview was computed
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
	fc   *forecast
	used uint64 // when it was last given, in gets: the least recent goes first
}

// forecast is a preview's report and, once a load asked for them, its days
// summarized for the page. Shared by the loads: read only.
type forecast struct {
	rep    *preview.Report
	at     time.Time // when it was computed, by the dashboard's clock
	once   sync.Once
	days   []upcomingDay
	levels []int
}

// summary is the report's days and levels (summarize), computed once.
func (fc *forecast) summary() ([]upcomingDay, []int) {
	fc.once.Do(func() { fc.days, fc.levels = summarize(fc.rep) })
	return fc.days, fc.levels
}

// get returns the preview of opts.Days days from opts.From for opts.Entity:
// the kept one if nothing it read has changed, else a new one. The report
// and its summary are shared: their readers must not change them.
func (f *forecasts) get(ctx context.Context, opts preview.Options) (*forecast, error) {
	key := forecastKey{opts.Entity, opts.From}
	if fc := f.lookup(key); fc != nil {
		changed, err := f.changed(ctx, fc.rep)
		if err != nil {
			return nil, err
		}
		if !changed {
			return fc, nil
		}
	}
	// The preview runs on past a load that gives up (its tab closed): the
	// loads waiting for it, and the next one, get it. The server's
	// shutdown ends it (base).
	ch := f.runs.DoChan(key.entity+"\x00"+key.from.Format(time.DateOnly), func() (any, error) {
		runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
		defer cancel()
		if f.base != nil {
			defer context.AfterFunc(f.base, cancel)()
		}
		rep, err := f.run(runCtx, opts)
		if err != nil {
			return nil, err
		}
		fc := &forecast{rep: rep, at: f.now()}
		f.keep(key, fc)
		return fc, nil
	})
	select {
	case <-ctx.Done():
		return nil, ctx.Err()
	case r := <-ch:
		if r.Err != nil {
			return nil, r.Err
		}
		return r.Val.(*forecast), nil
	}
}

func (f *forecasts) lookup(key forecastKey) *forecast {
	f.mu.Lock()
	defer f.mu.Unlock()
	k, ok := f.kept[key]
	if !ok {
		return nil
	}
	f.uses++
	k.used = f.uses
	f.kept[key] = k
	return k.fc
}

// keep keeps fc for key, forgetting the least recently used one past
// keptForecasts.
func (f *forecasts) keep(key forecastKey, fc *forecast) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.kept == nil {
		f.kept = map[forecastKey]keptForecast{}
	}
	f.uses++
	f.kept[key] = keptForecast{fc: fc, used: f.uses}
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
