package web

import (
	"fmt"
	"log/slog"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"riverqueue.com/riverui"
)

// JobsPrefix is where River UI is mounted.
const JobsPrefix = "/jobs"

// NewJobsUI builds River UI over client, for Options.Jobs. Job arguments are
// hidden in the lists (they name clients). The caller starts it (its
// background services) and stops it after the River client.
func NewJobsUI(client *river.Client[pgx.Tx], logger *slog.Logger) (*riverui.Handler, error) {
	ui, err := riverui.NewHandler(&riverui.HandlerOpts{
		Endpoints:                riverui.NewEndpoints(client, nil),
		JobListHideArgsByDefault: true,
		Logger:                   logger,
		Prefix:                   JobsPrefix,
	})
	if err != nil {
		return nil, fmt.Errorf("web: river ui: %w", err)
	}
	return ui, nil
}
