package web_test

import (
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/relance/relance/internal/calendar"
	"github.com/relance/relance/internal/web"
	"github.com/relance/relance/internal/web/dashboard"
	"github.com/relance/relance/plans"
	"github.com/relance/relance/worker"
)

// TestEveryRouteForEveryCaller is every route of the server (the API,
// River UI's pages and API, the probes, the login page and the real
// dashboard's pages and forms, from dashboard.Routes) for five callers:
// anonymous, a viewer, a manager, an admin and an expired session; see
// web.EveryRouteForEveryCaller for what is asserted. It lives here, in
// package web_test, because the dashboard imports web.
func TestEveryRouteForEveryCaller(t *testing.T) {
	web.EveryRouteForEveryCaller(t, realDashboard)
}

// realDashboard is the dashboard on the API's database, clock and ledger
// options, and its routes with their paths filled in.
func realDashboard(t *testing.T, api web.APIOptions) (http.Handler, []web.DashboardRoute) {
	t.Helper()
	set, err := plans.Default()
	if err != nil {
		t.Fatal(err)
	}
	sweeper := &worker.Sweeper{Plans: set, Clock: api.Clock,
		Calendars: func(country string) (worker.Calendar, error) { return calendar.For(country) }}
	h, err := dashboard.New(dashboard.Options{DB: api.DB, Clock: api.Clock, Location: api.Location, Ledger: api.Ledger,
		Locale: "fr", AgingEdges: api.AgingEdges, Plans: set, Sweeper: sweeper, CSRFToken: web.CSRFToken,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	fill := strings.NewReplacer("{$}", "", "{code}", web.SeededClient, "{file}", "style.css")
	var routes []web.DashboardRoute
	for _, r := range dashboard.Routes() {
		routes = append(routes, web.DashboardRoute{Pattern: r.Method + " " + fill.Replace(r.Pattern), Level: r.Level})
	}
	return h, routes
}
