package worker

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// sendTx is the transaction of one send: it locks the rows, records their
// outcome and commits. pgx.Tx is one (a registered letter's, whose ledger
// writes open savepoints); pipelined is an email's.
type sendTx interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Commit(ctx context.Context) error
	Rollback(ctx context.Context) error
}

// pipelined is an email's transaction on one pooled connection: its BEGIN
// travels with the lock statement and its COMMIT with the rows' mark, two
// round trips to PostgreSQL where pgx.Tx takes four. Only one of them lies
// between taking the relay's connection and sending on it: on a busy
// machine each round trip costs a wake-up of the backend and of the worker,
// and the relay's connection, one of two, waits through it.
//
// It is the same transaction as pgx.Tx's, statement for statement: BEGIN,
// the lock FOR UPDATE, the drops, the mark, COMMIT. A statement that fails
// in a pipeline makes PostgreSQL skip the rest up to the pipeline's end
// (the COMMIT is not run) and leaves the transaction aborted, which
// Rollback then ends; a COMMIT answered ROLLBACK is an error, as with pgx.
type pipelined struct {
	conn *pgxpool.Conn
	open bool // begun, neither committed nor rolled back
}

// genericPlanSQL has the transaction's statements run on their cached
// generic plans. PostgreSQL plans a prepared statement afresh for each
// execution while the generic plan's estimate is above the custom plans'
// (the lock statement's is 10 rows for "id = ANY ($1)" against 1); the
// lock statement took 0.86 ms to plan and 0.09 ms to run, and planning
// was two thirds of PostgreSQL's CPU in a drain (bench/analysis.md). Its
// generic plan is the custom one's with the ids as a parameter: index
// probes throughout. SET LOCAL ends with the transaction.
const genericPlanSQL = "set local plan_cache_mode = force_generic_plan"

// beginLocked begins an email's transaction and runs the lock statement
// (send_lock.sql) in the same round trip.
func (w *SendWorker) beginLocked(ctx context.Context, ids []int64, check time.Time) (*pipelined, locked, error) {
	c, err := w.Pool.Acquire(ctx)
	if err != nil {
		return nil, locked{}, fmt.Errorf("send: begin: %w", err)
	}
	p := &pipelined{conn: c, open: true}
	b := &pgx.Batch{}
	b.Queue("begin")
	b.Queue(genericPlanSQL)
	b.Queue(sendLockSQL, ids, check)
	br := c.SendBatch(ctx, b)
	lk, err := lockedFromBatch(br)
	if cerr := br.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("send: lock reminders: %w", cerr)
	}
	if err != nil {
		_ = p.Rollback(ctx)
		return nil, locked{}, err
	}
	return p, lk, nil
}

// lockedFromBatch reads the results of BEGIN, SET and the lock statement.
func lockedFromBatch(br pgx.BatchResults) (locked, error) {
	for range 2 {
		if _, err := br.Exec(); err != nil {
			return locked{}, fmt.Errorf("send: begin: %w", err)
		}
	}
	rows, err := br.Query()
	if err != nil {
		return locked{}, fmt.Errorf("send: lock reminders: %w", err)
	}
	return scanLocked(rows)
}

func (p *pipelined) Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	return p.conn.Exec(ctx, sql, args...)
}

// Commit commits in a round trip of its own.
func (p *pipelined) Commit(ctx context.Context) error {
	return p.execCommit(ctx, "")
}

// execCommit runs sql (none when "") and COMMIT in one round trip.
func (p *pipelined) execCommit(ctx context.Context, sql string, args ...any) error {
	if !p.open {
		return pgx.ErrTxClosed
	}
	b := &pgx.Batch{}
	if sql != "" {
		b.Queue(sql, args...)
	}
	b.Queue("commit")
	br := p.conn.SendBatch(ctx, b)
	err := commitResults(br, sql != "")
	if cerr := br.Close(); err == nil && cerr != nil {
		err = cerr
	}
	if err != nil {
		return err // still open: the deferred Rollback ends it
	}
	p.open = false
	p.conn.Release()
	return nil
}

// commitResults reads the statement's result, if any, then COMMIT's.
func commitResults(br pgx.BatchResults, statement bool) error {
	if statement {
		if _, err := br.Exec(); err != nil {
			return err
		}
	}
	tag, err := br.Exec()
	if err != nil {
		return err
	}
	if tag.String() == "ROLLBACK" {
		return pgx.ErrTxCommitRollback
	}
	return nil
}

// Rollback ends a transaction still open and gives the connection back; a
// no-op after Commit. A connection left inside a transaction (the rollback
// failed) is closed by the pool rather than reused.
func (p *pipelined) Rollback(ctx context.Context) error {
	if !p.open {
		return nil
	}
	p.open = false
	_, err := p.conn.Exec(ctx, "rollback")
	p.conn.Release()
	return err
}

// execCommit runs sql then commits tx: in one round trip for an email's
// pipelined transaction, in two for a pgx.Tx.
func execCommit(ctx context.Context, tx sendTx, sql string, args ...any) error {
	if p, ok := tx.(*pipelined); ok {
		return p.execCommit(ctx, sql, args...)
	}
	if _, err := tx.Exec(ctx, sql, args...); err != nil {
		return err
	}
	return tx.Commit(ctx)
}
