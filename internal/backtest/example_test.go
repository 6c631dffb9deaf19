package backtest_test

import (
	"context"
	"fmt"
	"strings"

	"github.com/relance/relance/internal/backtest"
	"github.com/relance/relance/internal/calendar"
	"github.com/relance/relance/internal/clock"
	"github.com/relance/relance/internal/pgtest"
	"github.com/relance/relance/plans"
	"github.com/relance/relance/worker"
)

// Compare the default plans with the same plans sending level 1 a week
// after the due date instead of the day after, over September 2025, for
// one invoice due Monday 8 September.
func ExampleRun() {
	ctx := context.Background()
	pool := pgtest.ExampleDB()
	_, err := pool.Exec(ctx, `
		WITH c AS (INSERT INTO client (entity_id, code, name, emails) VALUES (1, 'C1', 'Boulangerie Martin', '{compta@martin.example}') RETURNING id)
		INSERT INTO invoice (entity_id, client_id, number, issue_date, due_date, amount_incl_vat)
		SELECT 1, id, 'F-12', '2025-08-08', '2025-09-08', 120000 FROM c`)
	if err != nil {
		panic(err)
	}
	sweeper := func(yaml string) backtest.Plan {
		set, err := plans.Load("draft.yaml", []byte(yaml))
		if err != nil {
			panic(err)
		}
		cals := func(country string) (worker.Calendar, error) { return calendar.For(country) }
		return backtest.Plan{Name: "draft.yaml", Sweeper: &worker.Sweeper{Plans: set, Calendars: cals}}
	}
	old := sweeper(string(plans.DefaultYAML))
	old.Name = plans.DefaultFile
	draft := sweeper(strings.Replace(string(plans.DefaultYAML), "{id: level1,    at: +1d,", "{id: level1,    at: +7d,", 1))
	rep, err := backtest.Run(ctx, pool, backtest.Options{Entity: "default", From: clock.Date(2025, 9, 1), To: clock.Date(2025, 9, 30),
		Old: old, New: draft})
	if err != nil {
		panic(err)
	}
	for _, lv := range rep.Total.Levels {
		fmt.Printf("level %d: %d emails, then %d\n", lv.Level, lv.Count.Old.Messages, lv.Count.New.Messages)
	}
	fc := rep.Total.FirstContact
	fmt.Printf("first contact: %.0f days after the due date, then %.0f\n", fc.Old.Mean, fc.New.Mean)
	for _, c := range rep.Clients {
		fmt.Printf("%s %s reminded differently from %s\n", c.Code, c.Name, c.FirstDifference)
	}
	// Output:
	// level 0: 1 emails, then 1
	// level 1: 1 emails, then 1
	// level 2: 1 emails, then 1
	// first contact: 1 days after the due date, then 7
	// C1 Boulangerie Martin reminded differently from 2025-09-09
}
