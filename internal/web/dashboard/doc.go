// Package dashboard renders the credit manager's pages: the aged balance
// (home), a client with its open items, timeline and actions, today's and
// the coming week's sends, the alerts and the KPIs. Pages are server
// rendered with html/template from embedded files (parsed once in New),
// charts are inline SVG drawn in Go, and no script is needed.
//
// Every figure comes from the package that computes it for the CLI: the
// aged balance and its downloads from internal/aging (aging.ByClient,
// aging.Write: the CSV and XLSX are the bytes `relance aging` writes), the
// open items from aging.Items with the plans' next step, the upcoming sends
// from internal/preview (the daemon's sweep run in a rolled-back
// sandbox, worker.Sandbox: the daemon's sweep never waits for it), the
// alerts from internal/watch and the KPIs from aging.Monthly and
// aging.Trend, read only (the payer scores `relance kpi` stores are left
// alone). Pages only read; the client page's forms write through
// ledger.Store with the principal's Actor.
//
// The upcoming page's preview (eight days of the sweep, tens of seconds at a
// million invoices) is kept, per entity and first day, a few at a time, and
// shown again while nothing it read has changed (upcoming_cache.go). The
// test is the database's, not this process's: every transaction that
// writes a table the preview reads leaves its id (migration 00280), and
// preview.Changed asks whether one is not visible in the snapshot the
// preview read, so a write by any path (API, this dashboard, the CLI in
// another process, the daemon's sweep) counts once it commits, one begun
// before the preview and committed after it too, one rolled back never, and
// neither the preview's own sandbox nor River's polling writes anything
// that counts. A reminder only going out on the first day or later does not
// count either (the sandbox counted it sent that day). It is one indexed
// look-up a load; a bounded age and this process's own writes would have
// missed the daemon and the CLI. A kept report is an hour old at most, and
// the page says when it was computed. Loads of one key while it computes
// wait for the one preview (singleflight).
//
// Authentication is not done here: the session middleware in front puts a
// web.Principal in each request's context (web.PrincipalFrom); the
// dashboard refuses a request without one (401) and a POST below
// web.LevelWrite (403), and shows viewers no action buttons. Every form
// carries the token Options.CSRFToken gives as the hidden field
// csrf_token, which the middleware checks. Routes lists each route with the
// level it requires, for the route × caller table test.
//
// The locale is, in order, ?lang= (remembered in a cookie), the cookie,
// Accept-Language, then the entity's locale; French pages write amounts as
// "1 234,56 €" and dates as "12/09/2025".
package dashboard
