package web

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"time"
)

// healthz says the process is up.
func healthz(w http.ResponseWriter, _ *http.Request) {
	fmt.Fprintln(w, "ok")
}

// readyz says whether the database answers. The cause of a failure (host,
// port, user, the driver's message) is for the operator: anonymous callers,
// load balancers included, get "database unreachable" only; a caller with
// the dashboard's credentials gets the error, and the log has it.
type readyz struct {
	db   Pinger
	auth basicAuth
	log  *slog.Logger
}

// readyTimeout bounds the ping: a probe that hangs is a failed probe.
const readyTimeout = 2 * time.Second

func (h readyz) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), readyTimeout)
	defer cancel()
	err := h.db.Ping(ctx)
	if err == nil {
		fmt.Fprintln(w, "ready")
		return
	}
	h.log.Warn("readiness: database unreachable", "err", err)
	msg := "database unreachable"
	if h.auth.ok(r) {
		msg += ": " + err.Error()
	}
	http.Error(w, msg, http.StatusServiceUnavailable)
}
