package ledger

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

var (
	//go:embed sql/tasks.sql
	tasksSQL string
	//go:embed sql/task_done.sql
	taskDoneSQL string
	//go:embed sql/claim_task_candidates.sql
	claimTaskCandidatesSQL string
	//go:embed sql/claim_task_upsert.sql
	claimTaskUpsertSQL string
)

// The kinds of tasks.
const (
	// TaskPhoneCall is a plan's phone_call step: someone calls the client
	// about the invoice.
	TaskPhoneCall = "phone_call"
	// TaskClaimDeclaration is the declaration of the claim to the
	// insolvency practitioner (mandataire judiciaire), due two months
	// after the BODACC publication.
	TaskClaimDeclaration = "claim_declaration"
)

// Task is work for a person, with its deadline.
type Task struct {
	ID         int64
	Kind       string // TaskPhoneCall or TaskClaimDeclaration
	Client     string // code
	ClientName string
	Invoice    string    // "" for a task about the whole client
	Due        time.Time // a business day of the client's country
	Note       string
	Done       time.Time // the day it was closed; zero while open
	DoneBy     string
	Insolvency Insolvency // the client's proceeding (a claim declaration is about it)
}

// TaskFilter selects tasks.
type TaskFilter struct {
	DueBy time.Time // only those due on or before; zero for any
	Kind  string    // only this kind; "" for any
	Done  bool      // closed ones too
}

func scanTask(row pgx.Row, extra ...any) (Task, error) {
	var t Task
	var done, opened, published *time.Time
	err := row.Scan(append([]any{&t.ID, &t.Kind, &t.Client, &t.ClientName, &t.Invoice, &t.Due, &t.Note, &done,
		&t.DoneBy, &t.Insolvency.Kind, &opened, &published}, extra...)...)
	t.Done, t.Insolvency.Opened, t.Insolvency.Published = dateOf(done), dateOf(opened), dateOf(published)
	return t, err
}

// Tasks lists the store's entity's tasks by due date: the open ones, or
// every one with f.Done.
func (s *Store) Tasks(ctx context.Context, f TaskFilter) ([]Task, error) {
	entity, err := s.entity(ctx)
	if err != nil {
		return nil, err
	}
	rows, err := s.db.Query(ctx, tasksSQL, entity, nullDate(f.DueBy), f.Kind, f.Done)
	if err != nil {
		return nil, fmt.Errorf("ledger: tasks: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Task, error) { return scanTask(r) })
	if err != nil {
		return nil, fmt.Errorf("ledger: tasks: %w", err)
	}
	return out, nil
}

// CompleteTask closes task id on by.Day, adding note to it; the client's
// timeline records who did it.
func (s *Store) CompleteTask(ctx context.Context, by Act, id int64, note string) (Task, error) {
	var t Task
	if err := by.check(); err != nil {
		return t, fmt.Errorf("ledger: task %d: %w", id, err)
	}
	entity, err := s.entity(ctx)
	if err != nil {
		return t, err
	}
	err = s.write(ctx, func(tx pgx.Tx) error {
		var clientID int64
		var invoiceID *int64
		var closed bool
		t, err = scanTask(tx.QueryRow(ctx, taskDoneSQL, entity, id, by.Day, by.Actor, note), &clientID, &invoiceID, &closed)
		switch {
		case errors.Is(err, pgx.ErrNoRows):
			return fmt.Errorf("task %d in entity %s: %w", id, s.opts.Entity, ErrNotFound)
		case err != nil:
			return err
		case !closed:
			return fmt.Errorf("already done on %s by %s", formatDay(t.Done), t.DoneBy)
		}
		var inv int64
		if invoiceID != nil {
			inv = *invoiceID
		}
		return event{kind: "task_done", clientID: clientID, invoiceID: inv, reason: note, act: by,
			detail: map[string]any{"task_id": t.ID, "task": t.Kind, "due": formatDay(t.Due)}}.insert(ctx, tx)
	})
	if err != nil {
		return t, fmt.Errorf("ledger: task %d: %w", id, err)
	}
	return t, nil
}

// NextBusinessDay is the first business day on or after day in country.
type NextBusinessDay func(country string, day time.Time) (time.Time, error)

// ReviewClaimTasks makes sure every client (every entity) whose insolvency
// proceeding was published by day has its claim-declaration task, due on
// the deadline (publication + 2 months, Insolvency.ClaimDeadline) or, when
// that is not a business day of the client's country, the next one (a
// deadline falling on a day off runs to the next working day, CPC art.
// 642). A corrected publication moves an open task. It returns how many
// tasks it created.
func (s *Store) ReviewClaimTasks(ctx context.Context, day time.Time, next NextBusinessDay) (int, error) {
	created := 0
	err := s.write(ctx, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, claimTaskCandidatesSQL, day)
		if err != nil {
			return err
		}
		type candidate struct {
			id         int64
			country    string
			in         Insolvency
			currentDue *time.Time
		}
		list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (candidate, error) {
			var c candidate
			var opened *time.Time
			err := r.Scan(&c.id, &c.country, &c.in.Kind, &opened, &c.in.Published, &c.currentDue)
			c.in.Opened = dateOf(opened)
			return c, err
		})
		if err != nil {
			return err
		}
		var ids []int64
		var dues []time.Time
		var notes []string
		for _, c := range list {
			due, err := next(c.country, c.in.ClaimDeadline())
			if err != nil {
				return fmt.Errorf("client #%d: %w", c.id, err)
			}
			if c.currentDue != nil && c.currentDue.Equal(due) {
				continue
			}
			ids, dues = append(ids, c.id), append(dues, due)
			notes = append(notes, fmt.Sprintf("%s opened %s, published %s", c.in.Kind, formatDay(c.in.Opened), formatDay(c.in.Published)))
		}
		if len(ids) == 0 {
			return nil
		}
		rows, err = tx.Query(ctx, claimTaskUpsertSQL, ids, dues, notes)
		if err != nil {
			return err
		}
		fresh, err := pgx.CollectRows(rows, pgx.RowTo[bool])
		for _, f := range fresh {
			if f {
				created++
			}
		}
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("ledger: claim declaration tasks %s: %w", formatDay(day), err)
	}
	return created, nil
}
