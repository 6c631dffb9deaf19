package aging

import (
	"context"
	"io"
)

// View is how an aged balance is rendered: Format is table, csv, json or
// xlsx; By is client, bucket or invoice; Locale words the table and xlsx
// formats. `relance aging` and the API's GET /api/v1/aging both render
// through Write, so that they give the same bytes for the same view.
type View struct {
	Format, By, Locale string
}

// Write renders the aged balance o in view v to w. The by-invoice view
// streams its rows from the database; the others hold one row per client.
// next fills the by-invoice view's next step (nil leaves it empty).
func Write(ctx context.Context, db Querier, o Options, next NextStepper, v View, w io.Writer) error {
	items := func(fn func(Item) error) error { return Items(ctx, db, o, next, fn) }
	if v.Format == "xlsx" {
		rep, err := ByClient(ctx, db, o)
		if err != nil {
			return err
		}
		return WriteXLSX(w, rep, v.Locale, items)
	}
	if v.By == "invoice" {
		var iw interface {
			Write(Item) error
			Close() error
		}
		switch v.Format {
		case "csv":
			iw = NewItemCSVWriter(w)
		case "json":
			iw = NewItemJSONWriter(w, o.AsOf)
		default:
			iw = NewItemTableWriter(w, o.AsOf, v.Locale)
		}
		if err := items(iw.Write); err != nil {
			return err
		}
		return iw.Close()
	}
	rep, err := ByClient(ctx, db, o)
	if err != nil {
		return err
	}
	switch {
	case v.Format == "csv" && v.By == "client":
		return WriteCSV(w, rep)
	case v.Format == "csv":
		return WriteBucketsCSV(w, rep)
	case v.Format == "json" && v.By == "client":
		return WriteJSON(w, rep)
	case v.Format == "json":
		return WriteBucketsJSON(w, rep)
	case v.By == "client":
		return WriteTable(w, rep, v.Locale)
	default:
		return WriteBucketsTable(w, rep, v.Locale)
	}
}
