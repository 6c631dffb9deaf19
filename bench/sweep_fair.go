package main

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"

	"github.com/relance/relance/worker"
)

// fairSendArgs carries the payload of one of the sweep's send jobs under a
// kind of its own, so that no relance worker ever takes the baseline's jobs.
type fairSendArgs struct{ worker.SendArgs }

func (fairSendArgs) Kind() string { return "bench_fair_send" }

// enqueueFloor is the second half of the fair sweep baseline (DESIGN.md §6):
// River's InsertManyFastTx (COPY) of the very send jobs the sweep enqueued,
// same payloads, in one transaction, timed from the first insert to the
// commit. It returns the time and the number of jobs, and leaves no job.
func (b *bench) enqueueFloor(ctx context.Context, url string) (time.Duration, int, error) {
	pool, err := pgxpool.New(ctx, url)
	if err != nil {
		return 0, 0, err
	}
	defer pool.Close()
	rows, err := pool.Query(ctx, `SELECT args FROM river_job WHERE kind = 'relance_send' ORDER BY id`)
	if err != nil {
		return 0, 0, err
	}
	raw, err := pgx.CollectRows(rows, pgx.RowTo[[]byte])
	if err != nil {
		return 0, 0, err
	}
	params := make([]river.InsertManyParams, len(raw))
	for i, r := range raw {
		var a fairSendArgs
		if err := json.Unmarshal(r, &a); err != nil {
			return 0, 0, fmt.Errorf("send job args: %w", err)
		}
		params[i] = river.InsertManyParams{Args: a, InsertOpts: &river.InsertOpts{Queue: "bench_fair", MaxAttempts: 12}}
	}
	client, err := river.NewClient(riverpgxv5.New(pool), &river.Config{})
	if err != nil {
		return 0, 0, err
	}
	start := time.Now()
	tx, err := pool.Begin(ctx)
	if err != nil {
		return 0, 0, err
	}
	defer tx.Rollback(ctx)
	if _, err := client.InsertManyFastTx(ctx, tx, params); err != nil {
		return 0, 0, fmt.Errorf("InsertManyFastTx of %d jobs: %w", len(params), err)
	}
	if err := tx.Commit(ctx); err != nil {
		return 0, 0, err
	}
	took := time.Since(start)
	if _, err := pool.Exec(ctx, `DELETE FROM river_job WHERE kind = 'bench_fair_send'`); err != nil {
		return 0, 0, err
	}
	return took, len(params), nil
}
