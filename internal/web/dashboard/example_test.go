package dashboard_test

import (
	"fmt"

	"github.com/relance/relance/internal/web"
	"github.com/relance/relance/internal/web/dashboard"
)

// The routes and the level each requires: viewers read every page,
// managers and admins also post the client page's forms.
func ExampleRoutes() {
	for _, r := range dashboard.Routes() {
		level := "read"
		if r.Level >= web.LevelWrite {
			level = "write"
		}
		fmt.Printf("%-4s %-33s %s\n", r.Method, r.Pattern, level)
	}
	// Output:
	// GET  /{$}                              read
	// GET  /aging                            read
	// GET  /aging.csv                        read
	// GET  /aging.xlsx                       read
	// GET  /clients/{code}                   read
	// POST /clients/{code}/disputes          write
	// POST /clients/{code}/disputes/resolve  write
	// POST /clients/{code}/promises          write
	// POST /clients/{code}/pause             write
	// POST /clients/{code}/resume            write
	// POST /clients/{code}/insolvency        write
	// POST /clients/{code}/bounce/clear      write
	// GET  /upcoming                         read
	// GET  /alerts                           read
	// GET  /kpi                              read
	// GET  /assets/{file}                    read
}
