package ledger

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/relance/relance/internal/money"
)

var (
	//go:embed sql/case_lock.sql
	caseLockSQL string
	//go:embed sql/case_stage.sql
	caseStageSQL string
	//go:embed sql/case_close.sql
	caseCloseSQL string
	//go:embed sql/case_cost_insert.sql
	caseCostInsertSQL string
)

// CaseStage is a stage to record.
type CaseStage struct {
	Stage     string    // StageFiled, StageGranted, StageServed or StageEnforceable
	On        time.Time // the day it happened; zero: the act's day
	Reference string    // a docket or file number to record with it; "" keeps the one known
	Reason    string
}

// AdvanceCase records a stage of case id. Stages go forward (one may be
// skipped, none recorded twice), on or after the previous one and not after
// by.Day; enforceable comes only after the opposition deadline of a served
// case.
func (s *Store) AdvanceCase(ctx context.Context, by Act, id int64, st CaseStage) (Case, error) {
	if st.On.IsZero() {
		st.On = by.Day
	}
	c, err := s.caseWrite(ctx, by, id, "record "+st.Stage+" on", func(tx pgx.Tx, c Case) (event, error) {
		if err := checkStage(c, st, by.Day); err != nil {
			return event{}, err
		}
		if _, err := tx.Exec(ctx, caseStageSQL, c.ID, st.Stage, st.On, strings.TrimSpace(st.Reference)); err != nil {
			return event{}, err
		}
		detail := map[string]any{"case_id": c.ID, "on": formatDay(st.On), "invoices": c.numbers()}
		if ref := strings.TrimSpace(st.Reference); ref != "" {
			detail["reference"] = ref
		}
		if st.Stage == StageServed {
			detail["opposition_deadline"] = formatDay(OppositionDeadline(st.On))
		}
		return event{kind: "case_" + st.Stage, reason: st.Reason, detail: detail}, nil
	})
	return c, err
}

// checkStage says why st cannot be recorded on c, or nil.
func checkStage(c Case, st CaseStage, today time.Time) error {
	at := slices.Index(CaseStages, st.Stage)
	if at < 0 {
		if st.Stage == "opposition_deadline" {
			return errors.New("the opposition deadline is not recorded: it is served + 1 month, computed once served is")
		}
		return fmt.Errorf("stage %q: want one of %s", st.Stage, strings.Join(CaseStages, ", "))
	}
	if !c.Closed.IsZero() {
		return fmt.Errorf("closed on %s (%s)", formatDay(c.Closed), c.Outcome)
	}
	if st.On.After(today) {
		return fmt.Errorf("%s on %s is after %s: record a stage once it happened", st.Stage, formatDay(st.On), formatDay(today))
	}
	if day := c.StageDay(st.Stage); !day.IsZero() {
		return fmt.Errorf("already %s on %s", st.Stage, formatDay(day))
	}
	last, lastDay := StageOpened, c.Opened
	for _, later := range CaseStages {
		if day := c.StageDay(later); !day.IsZero() {
			if slices.Index(CaseStages, later) > at {
				return fmt.Errorf("already %s on %s: stages go forward", later, formatDay(day))
			}
			last, lastDay = later, day
		}
	}
	if st.On.Before(lastDay) {
		return fmt.Errorf("%s on %s is before %s (%s)", st.Stage, formatDay(st.On), last, formatDay(lastDay))
	}
	if dl := c.OppositionDeadline(); st.Stage == StageEnforceable && !dl.IsZero() && !st.On.After(dl) {
		return fmt.Errorf("the opposition deadline runs through %s: enforceable from %s", formatDay(dl), formatDay(dl.AddDate(0, 0, 1)))
	}
	return nil
}

// CaseCostEntry is a cost to record.
type CaseCostEntry struct {
	Kind   string
	Amount money.Amount // in the case's currency
	On     time.Time    // the day it was incurred; zero: the act's day
	Note   string       // what it is: an invoice of the commissaire de justice…
}

// AddCaseCost records a cost of case id, open or closed (a final bill may
// come after the close), incurred on or after its opening and not after
// by.Day.
func (s *Store) AddCaseCost(ctx context.Context, by Act, id int64, e CaseCostEntry) (Case, error) {
	if e.On.IsZero() {
		e.On = by.Day
	}
	return s.caseWrite(ctx, by, id, "record a cost on", func(tx pgx.Tx, c Case) (event, error) {
		switch {
		case !slices.Contains(CostKinds, e.Kind):
			return event{}, fmt.Errorf("kind %q: want one of %s", e.Kind, strings.Join(CostKinds, ", "))
		case e.Amount <= 0:
			return event{}, errors.New("the amount must be positive")
		case e.On.Before(c.Opened):
			return event{}, fmt.Errorf("incurred on %s, before the case opened on %s", formatDay(e.On), formatDay(c.Opened))
		case e.On.After(by.Day):
			return event{}, fmt.Errorf("incurred on %s, after %s", formatDay(e.On), formatDay(by.Day))
		}
		var costID int64
		if err := tx.QueryRow(ctx, caseCostInsertSQL, c.ID, e.Kind, int64(e.Amount), e.On, strings.TrimSpace(e.Note), by.Actor).Scan(&costID); err != nil {
			return event{}, err
		}
		return event{kind: "case_cost", reason: e.Note, detail: map[string]any{"case_id": c.ID, "cost_id": costID,
			"cost_kind": e.Kind, "amount": int64(e.Amount), "on": formatDay(e.On)}}, nil
	})
}

// CaseClosing is how a case ends.
type CaseClosing struct {
	Outcome string    // OutcomeRecovered or OutcomeLost
	On      time.Time // zero: the act's day
	Reason  string
}

// CloseCase closes case id: its invoices' amicable ladder resumes that day
// (a lost case's invoices are for a write-off or an exclusion).
func (s *Store) CloseCase(ctx context.Context, by Act, id int64, cl CaseClosing) (Case, error) {
	if cl.On.IsZero() {
		cl.On = by.Day
	}
	return s.caseWrite(ctx, by, id, "close", func(tx pgx.Tx, c Case) (event, error) {
		last := c.Opened
		for _, st := range CaseStages {
			if day := c.StageDay(st); !day.IsZero() {
				last = day
			}
		}
		switch {
		case cl.Outcome != OutcomeRecovered && cl.Outcome != OutcomeLost:
			return event{}, fmt.Errorf("outcome %q: want %s or %s", cl.Outcome, OutcomeRecovered, OutcomeLost)
		case !c.Closed.IsZero():
			return event{}, fmt.Errorf("already closed on %s (%s)", formatDay(c.Closed), c.Outcome)
		case cl.On.After(by.Day):
			return event{}, fmt.Errorf("closed on %s is after %s", formatDay(cl.On), formatDay(by.Day))
		case cl.On.Before(last):
			return event{}, fmt.Errorf("closed on %s is before its last stage, %s", formatDay(cl.On), formatDay(last))
		}
		if _, err := tx.Exec(ctx, caseCloseSQL, c.ID, cl.On, cl.Outcome, by.Actor); err != nil {
			return event{}, err
		}
		return event{kind: "case_closed", reason: cl.Reason, detail: map[string]any{"case_id": c.ID, "outcome": cl.Outcome,
			"on": formatDay(cl.On), "invoices": c.numbers(), "amount": int64(c.Recovered()), "claimed": int64(c.Claimed())}}, nil
	})
}

// caseWrite locks case id, hands it (as of by.Day) to fn, records the event
// fn returns (its act, client and invoice filled here) and returns the case
// as it then stands. what names the action in errors ("close", "record a
// cost on"…).
func (s *Store) caseWrite(ctx context.Context, by Act, id int64, what string, fn func(tx pgx.Tx, c Case) (event, error)) (Case, error) {
	var c Case
	fail := func(err error) (Case, error) { return c, fmt.Errorf("ledger: %s case %d: %w", what, id, err) }
	if err := by.check(); err != nil {
		return fail(err)
	}
	entity, err := s.entity(ctx)
	if err != nil {
		return c, err
	}
	err = s.write(ctx, func(tx pgx.Tx) error {
		var locked int64
		if err := tx.QueryRow(ctx, caseLockSQL, entity, id).Scan(&locked); errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("case %w in entity %s", ErrNotFound, s.opts.Entity)
		} else if err != nil {
			return err
		}
		before, err := s.caseIn(ctx, tx, entity, id, by.Day)
		if err != nil {
			return err
		}
		e, err := fn(tx, before)
		if err != nil {
			return err
		}
		if c, err = s.caseIn(ctx, tx, entity, id, by.Day); err != nil {
			return err
		}
		e.clientID, e.act = c.ClientID, by
		return e.insert(ctx, tx)
	})
	if err != nil {
		return fail(err)
	}
	return c, nil
}
