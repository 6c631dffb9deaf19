package worker

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/relance/relance/internal/mail"
)

// relayRefusals counts the refusals in a row that are ours (mail.SenderRefused)
// across the send jobs of one process; a delivery resets it.
type relayRefusals struct {
	mu     sync.Mutex
	n      int
	paused bool // this process paused the send queue and has not delivered since
}

func (r *relayRefusals) add() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.n++
	return r.n
}

// reset starts the count again; it returns whether this process had paused
// the queue (a delivery means the pause is over).
func (r *relayRefusals) reset() (wasPaused bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.n, wasPaused, r.paused = 0, r.paused, false
	return wasPaused
}

func (r *relayRefusals) pausedNow() {
	r.mu.Lock()
	r.n, r.paused = 0, true
	r.mu.Unlock()
}

// undelivered handles a message that did not go for a reason that is not the
// client's: a temporary failure, or a refusal that is our configuration's or
// our relay's. Nothing is recorded against the client; the error goes back
// to River, which retries with backoff. A refusal of ours is logged at
// ERROR and counted, and after PauseAfter of them in a row the send queue
// pauses.
func (w *SendWorker) undelivered(ctx context.Context, job *river.Job[SendArgs], err error, log *slog.Logger) error {
	if mail.FaultOf(err) != mail.SenderRefused {
		log.Warn("temporary delivery failure, will retry", "attempt", job.Attempt, "err", err)
		return fmt.Errorf("send: %w", err)
	}
	stage := stageOf(err)
	n := w.refusals.add()
	if w.Counters != nil {
		w.Counters.Refused(stage)
	}
	log.Error("the relay refuses our messages: our configuration or our relay, no client blamed; will retry",
		"stage", stage, "refusals_in_a_row", n, "attempt", job.Attempt, "err", err)
	if w.PauseAfter > 0 && n >= w.PauseAfter {
		w.refusals.pausedNow()
		if perr := w.pauseSendQueue(ctx, err, n); perr != nil {
			log.Error("could not pause the send queue", "err", perr)
		}
	}
	return fmt.Errorf("send: refused on our side (%s): %w", stage, err)
}

// stageOf names the SMTP stage a send failed at.
func stageOf(err error) string {
	if me, ok := errors.AsType[*mail.Error](err); ok {
		return string(me.Stage)
	}
	return "unknown"
}

//go:embed pause_record.sql
var pauseRecordSQL string

// pauseSendQueue pauses the send queue for every process and records why in
// a 'send_queue_paused' event carrying the queue's paused_at, by which
// ResumeOwnPause later knows the pause is relance's own and not an
// operator's. The pause and its event commit together: a reader between
// the two would take relance's pause for an operator's, and a crash
// between them would leave it so.
func (w *SendWorker) pauseSendQueue(ctx context.Context, cause error, n int) error {
	client, err := river.ClientFromContextSafely[pgx.Tx](ctx)
	if err != nil {
		return err
	}
	err = pgx.BeginFunc(ctx, w.Pool, func(tx pgx.Tx) error {
		if err := client.QueuePauseTx(ctx, tx, QueueSend, nil); err != nil {
			return err
		}
		q, err := client.QueueGetTx(ctx, tx, QueueSend)
		if err != nil {
			return err
		}
		var since time.Time
		if q.PausedAt != nil {
			since = *q.PausedAt
		}
		if _, err := tx.Exec(ctx, pauseRecordSQL, since, n, cause.Error()); err != nil {
			return fmt.Errorf("record: %w", err)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("pause the send queue: %w", err)
	}
	if w.Counters != nil {
		w.Counters.SendQueuePaused(true)
	}
	w.logger().Error("SEND QUEUE PAUSED: the relay refused our messages "+fmt.Sprint(n)+
		" times in a row; this is our configuration or our relay, no client is blamed. Fix it, then resume the send queue in River UI (/jobs/queues/send), restart relance serve or run relance sweep --drain",
		"last_error", cause.Error())
	return nil
}

// Pause is the state of the send queue.
type Pause struct {
	Paused   bool
	Since    time.Time
	ByUs     bool   // relance paused it (pauseSendQueue), not an operator
	Reason   string // the last refusal, when ByUs
	Refusals int    // refusals in a row that paused it, when ByUs
}

// String says it plainly, for serve's log and sweep --drain's output.
func (p Pause) String() string {
	switch {
	case !p.Paused:
		return "send queue running"
	case p.ByUs:
		return fmt.Sprintf("send queue paused since %s after %d refusals in a row from the relay, our configuration or our relay (no client blamed): %s",
			p.Since.Format(time.RFC3339), p.Refusals, p.Reason)
	}
	return fmt.Sprintf("send queue paused since %s by an operator (River UI)", p.Since.Format(time.RFC3339))
}

//go:embed pause_last.sql
var pauseLastSQL string

// SendQueue reads the state of the send queue: paused or not, since when,
// and whether relance paused it and why.
func SendQueue(ctx context.Context, q Querier) (Pause, error) {
	rows, err := q.Query(ctx, pauseLastSQL, QueueSend)
	if err != nil {
		return Pause{}, fmt.Errorf("send queue: %w", err)
	}
	defer rows.Close()
	var p Pause
	if rows.Next() {
		var since, ours *time.Time
		var reason *string
		var n *int
		if err := rows.Scan(&since, &ours, &reason, &n); err != nil {
			return p, fmt.Errorf("send queue: %w", err)
		}
		if since != nil {
			p.Paused, p.Since = true, *since
			p.ByUs = ours != nil && ours.Equal(*since)
			if p.ByUs && reason != nil && n != nil {
				p.Reason, p.Refusals = *reason, *n
			}
		}
	}
	return p, rows.Err()
}

// QueueResumer resumes a River queue; *river.Client[pgx.Tx] is one.
type QueueResumer interface {
	QueueResume(ctx context.Context, name string, opts *river.QueuePauseOpts) error
}

// ResumeOwnPause resumes the send queue when relance paused it, as serve and
// `sweep --drain` do at start (whoever restarts them after a fix means to
// send). A pause made by an operator in River UI is left alone. It returns
// the state found.
func ResumeOwnPause(ctx context.Context, q Querier, client QueueResumer) (Pause, error) {
	p, err := SendQueue(ctx, q)
	if err != nil || !p.Paused || !p.ByUs {
		return p, err
	}
	if err := client.QueueResume(ctx, QueueSend, nil); err != nil && !errors.Is(err, rivertype.ErrNotFound) {
		return p, fmt.Errorf("resume the send queue: %w", err)
	}
	return p, nil
}
