package ledger

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

var (
	//go:embed sql/pause_insert.sql
	pauseInsertSQL string
	//go:embed sql/pause_resume.sql
	pauseResumeSQL string
	//go:embed sql/pauses.sql
	pausesSQL string
	//go:embed sql/client_exclusion.sql
	clientExclusionSQL string
)

// PauseKind says what a Pause is.
type PauseKind string

// A pause is temporary and has a reason (a restructuring under discussion, a
// takeover); an exclusion takes the client out of dunning until someone
// includes it again (a key account handled by hand, a group company). Both
// stop every message and action for the client.
const (
	KindPause     PauseKind = "pause"
	KindExclusion PauseKind = "exclusion"
)

// Pause is one period during which nothing goes to a client.
type Pause struct {
	ID        int64
	Kind      PauseKind
	From      time.Time // first day
	Until     time.Time // last day (inclusive); zero: until resumed
	ResumedOn time.Time // first day it no longer held; zero: not resumed
	Reason    string
	By        string // who paused
	ResumedBy string
}

// Covers reports whether the pause holds on day.
func (p Pause) Covers(day time.Time) bool {
	return !p.From.After(day) && (p.Until.IsZero() || !p.Until.Before(day)) &&
		(p.ResumedOn.IsZero() || p.ResumedOn.After(day))
}

// PauseClient stops every message and action for the client from by.Day to
// until (inclusive; zero for "until resumed"). A pause already in force that
// day is an error: resume it first to change it.
func (s *Store) PauseClient(ctx context.Context, by Act, code, reason string, until time.Time) (Pause, error) {
	p, err := s.startPause(ctx, by, code, KindPause, reason, until)
	if err != nil {
		return p, fmt.Errorf("ledger: pause client %s: %w", code, err)
	}
	return p, nil
}

// ResumeClient ends the client's pause on by.Day: messages may go out that
// day again. A pause recorded for later days is cancelled.
func (s *Store) ResumeClient(ctx context.Context, by Act, code, reason string) ([]Pause, error) {
	ps, err := s.endPause(ctx, by, code, KindPause, reason)
	if err != nil {
		return ps, fmt.Errorf("ledger: resume client %s: %w", code, err)
	}
	return ps, nil
}

// ExcludeClient takes the client out of dunning from by.Day until
// IncludeClient: no message, no action (a key account handled by hand).
func (s *Store) ExcludeClient(ctx context.Context, by Act, code, reason string) (Pause, error) {
	p, err := s.startPause(ctx, by, code, KindExclusion, reason, time.Time{})
	if err != nil {
		return p, fmt.Errorf("ledger: exclude client %s: %w", code, err)
	}
	return p, nil
}

// IncludeClient ends the client's exclusion on by.Day.
func (s *Store) IncludeClient(ctx context.Context, by Act, code, reason string) error {
	if _, err := s.endPause(ctx, by, code, KindExclusion, reason); err != nil {
		return fmt.Errorf("ledger: include client %s: %w", code, err)
	}
	return nil
}

func (s *Store) startPause(ctx context.Context, by Act, code string, kind PauseKind, reason string, until time.Time) (Pause, error) {
	var p Pause
	if strings.TrimSpace(reason) == "" {
		return p, errors.New("a reason is required")
	}
	if !until.IsZero() && until.Before(by.Day) {
		return p, fmt.Errorf("until %s is before the day it starts, %s", formatDay(until), formatDay(by.Day))
	}
	err := s.clientWrite(ctx, by, code, func(tx pgx.Tx, c Client) error {
		var inserted bool
		var u *time.Time
		err := tx.QueryRow(ctx, pauseInsertSQL, c.ID, string(kind), by.Day, nullDate(until), reason, by.Actor).
			Scan(&p.ID, &p.From, &u, &p.Reason, &inserted)
		if err != nil {
			return err
		}
		p.Kind, p.Until, p.By = kind, dateOf(u), by.Actor
		if !inserted {
			what := "paused"
			if kind == KindExclusion {
				what = "excluded"
			}
			end := "until resumed"
			if !p.Until.IsZero() {
				end = "until " + formatDay(p.Until)
			}
			return fmt.Errorf("already %s from %s %s (%s)", what, formatDay(p.From), end, p.Reason)
		}
		if kind == KindExclusion {
			if _, err := tx.Exec(ctx, clientExclusionSQL, c.ID, true, reason); err != nil {
				return err
			}
		}
		detail := map[string]any{"pause_id": p.ID, "from": formatDay(p.From)}
		if !p.Until.IsZero() {
			detail["until"] = formatDay(p.Until)
		}
		return event{kind: "client_" + map[PauseKind]string{KindPause: "paused", KindExclusion: "excluded"}[kind],
			clientID: c.ID, reason: reason, detail: detail, act: by}.insert(ctx, tx)
	})
	return p, err
}

func (s *Store) endPause(ctx context.Context, by Act, code string, kind PauseKind, reason string) ([]Pause, error) {
	var ended []Pause
	err := s.clientWrite(ctx, by, code, func(tx pgx.Tx, c Client) error {
		rows, err := tx.Query(ctx, pauseResumeSQL, c.ID, string(kind), by.Day, by.Actor)
		if err != nil {
			return err
		}
		ended, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (Pause, error) {
			p := Pause{Kind: kind, ResumedOn: by.Day, ResumedBy: by.Actor}
			var u *time.Time
			err := r.Scan(&p.ID, &p.From, &u, &p.Reason)
			p.Until = dateOf(u)
			return p, err
		})
		if err != nil {
			return err
		}
		if len(ended) == 0 {
			if kind == KindExclusion {
				return errors.New("the client is not excluded")
			}
			return fmt.Errorf("the client is not paused on %s", formatDay(by.Day))
		}
		if kind == KindExclusion {
			if _, err := tx.Exec(ctx, clientExclusionSQL, c.ID, false, ""); err != nil {
				return err
			}
		}
		ids := make([]int64, len(ended))
		for i, p := range ended {
			ids[i] = p.ID
		}
		return event{kind: "client_" + map[PauseKind]string{KindPause: "resumed", KindExclusion: "included"}[kind],
			clientID: c.ID, reason: reason, detail: map[string]any{"pause_ids": ids}, act: by}.insert(ctx, tx)
	})
	return ended, err
}

// Pauses lists the client's pauses and exclusions, oldest first.
func (s *Store) Pauses(ctx context.Context, code string) ([]Pause, error) {
	id, err := s.clientID(ctx, code)
	if err != nil {
		return nil, fmt.Errorf("ledger: pauses of client %s: %w", code, err)
	}
	rows, err := s.db.Query(ctx, pausesSQL, id)
	if err != nil {
		return nil, fmt.Errorf("ledger: pauses of client %s: %w", code, err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Pause, error) {
		var p Pause
		var kind string
		var until, resumed *time.Time
		err := r.Scan(&p.ID, &kind, &p.From, &until, &resumed, &p.Reason, &p.By, &p.ResumedBy)
		p.Kind, p.Until, p.ResumedOn = PauseKind(kind), dateOf(until), dateOf(resumed)
		return p, err
	})
	if err != nil {
		return nil, fmt.Errorf("ledger: pauses of client %s: %w", code, err)
	}
	return out, nil
}
