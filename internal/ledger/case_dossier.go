package ledger

import (
	"context"
	_ "embed"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

var (
	//go:embed sql/case_reminders.sql
	caseRemindersSQL string
	//go:embed sql/case_settlements.sql
	caseSettlementsSQL string
)

// CaseDossier is what a case file shows as of a day: the case with its
// invoices (each with its settlements, for the interest) and costs, both
// parties, and the messages and letters sent about its invoices.
type CaseDossier struct {
	Day       time.Time
	Case      Case
	Creditor  Entity
	Debtor    Client
	Reminders []CaseReminder // oldest first
}

// CaseReminder is one message or letter sent about some of a case's
// invoices, from the reminder ledger.
type CaseReminder struct {
	Day      time.Time // the day it was decided and sent
	Step     string    // the plan step: pre_due, level1…
	Level    int       // 0 for a pre-due notice, 1–5 for the ladder
	Channel  string    // email, registered_letter…
	Invoices []string  // the case's invoices it listed
	SentAt   time.Time // when it left (an email) or was laid out (a letter)
	// Posted and Proof are a registered letter's posting day (the
	// provider's proof of deposit, else the posting a person recorded or the
	// provider's acceptance) and its tracking number, from the letter table
	// as of the dossier's day; zero and "" while it waits in the outbox.
	Posted time.Time
	Proof  string
	// Outcome is what became of the letter by then: LetterDelivered (the
	// acknowledgement of receipt), LetterRefused or LetterFailed, on
	// OutcomeOn, with the provider's reason for a refusal or a failure; ""
	// while it is on its way.
	Outcome       string
	OutcomeOn     time.Time
	OutcomeReason string
}

// Letter reports whether it was a registered letter (the formal notice).
func (r CaseReminder) Letter() bool { return r.Channel == "registered_letter" }

// CaseDossier gathers the case file of case id as of day (not zero): the
// amounts, settlements and messages up to that day.
func (s *Store) CaseDossier(ctx context.Context, id int64, day time.Time) (CaseDossier, error) {
	d := CaseDossier{Day: day}
	fail := func(err error) (CaseDossier, error) {
		return d, fmt.Errorf("ledger: case file of case %d: %w", id, err)
	}
	c, err := s.Case(ctx, id, day)
	if err != nil {
		return d, err
	}
	d.Case = c
	if d.Creditor, d.Debtor, err = s.Parties(ctx, c.ClientID, day); err != nil {
		return fail(err)
	}
	rows, err := s.db.Query(ctx, caseRemindersSQL, id, day)
	if err != nil {
		return fail(err)
	}
	d.Reminders, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (CaseReminder, error) {
		var m CaseReminder
		var sent, posted, outcome *time.Time
		err := r.Scan(&m.Day, &m.Step, &m.Level, &m.Channel, &m.Invoices, &sent,
			&posted, &m.Proof, &m.Outcome, &outcome, &m.OutcomeReason)
		m.SentAt, m.Posted, m.OutcomeOn = dateOf(sent), dateOf(posted), dateOf(outcome)
		return m, err
	})
	if err != nil {
		return fail(err)
	}
	rows, err = s.db.Query(ctx, caseSettlementsSQL, id, day)
	if err != nil {
		return fail(err)
	}
	at := map[int64]int{}
	for i, inv := range d.Case.Invoices {
		at[inv.InvoiceID] = i
	}
	var invoiceID int64
	var st Settlement
	if _, err := pgx.ForEachRow(rows, []any{&invoiceID, &st.Day, &st.Amount}, func() error {
		inv := &d.Case.Invoices[at[invoiceID]]
		inv.Settlements = append(inv.Settlements, st)
		return nil
	}); err != nil {
		return fail(err)
	}
	return d, nil
}
