package ledger_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/relance/relance/internal/clock"
	"github.com/relance/relance/internal/ledger"
	"github.com/relance/relance/internal/pgtest"
)

// exampleStore is a store on a new database holding client C1 with invoice
// F-12 (1,200.00 due 2025-09-01), as an import would leave it.
func exampleStore() *ledger.Store {
	pool := pgtest.ExampleDB()
	_, err := pool.Exec(context.Background(), `
		WITH c AS (INSERT INTO client (entity_id, code, name, emails) VALUES (1, 'C1', 'Boulangerie Martin', '{compta@martin.example}') RETURNING id)
		INSERT INTO invoice (entity_id, client_id, number, issue_date, due_date, amount_incl_vat)
		SELECT 1, id, 'F-12', '2025-08-01', '2025-09-01', 120000 FROM c`)
	if err != nil {
		panic(err)
	}
	return ledger.New(pool, ledger.Options{DisputeReasons: []string{"price", "quality"}, PromiseGraceDays: 3})
}

func ExampleStore_OpenDispute() {
	ctx := context.Background()
	s := exampleStore()
	by := ledger.Act{Actor: "cli:alice", Day: clock.Date(2025, 9, 5)}
	d, err := s.OpenDispute(ctx, by, ledger.DisputeOpening{Invoice: "F-12", Reason: "quality", Note: "pièces rayées"})
	if err != nil {
		panic(err)
	}
	fmt.Println(d.Invoice, d.Client, d.Reason, d.Holds(clock.Date(2025, 9, 10)))

	_, err = s.OpenDispute(ctx, by, ledger.DisputeOpening{Invoice: "F-12", Reason: "price"})
	fmt.Println(err)

	by.Day = clock.Date(2025, 9, 20)
	d, _ = s.ResolveDispute(ctx, by, "F-12", "avoir émis")
	fmt.Println(d.Holds(clock.Date(2025, 9, 20)), d.Outcome)
	// Output:
	// F-12 C1 quality true
	// ledger: open dispute on F-12: already in dispute since 2025-09-05 (quality): resolve it first
	// false avoir émis
}

func ExampleStore_RecordPromise() {
	ctx := context.Background()
	s := exampleStore()
	by := ledger.Act{Actor: "cli:alice", Day: clock.Date(2025, 9, 10)}
	p, err := s.RecordPromise(ctx, by, ledger.PromiseRequest{Target: "F-12", PayBy: clock.Date(2025, 9, 20)})
	if err != nil {
		panic(err)
	}
	fmt.Println(p.Scope, p.Invoices, p.Amount, "holds through", p.Until.Format(time.DateOnly))

	// Nothing was paid: the first sweep after the end finds it broken, dated
	// the day after its end whenever it runs.
	settled, _ := s.Settle(ctx, clock.Date(2025, 10, 1))
	ps, _ := s.Promises(ctx, "C1")
	fmt.Println(settled.PromisesBroken, ps[0].Status, ps[0].SettledOn.Format(time.DateOnly))
	// Output:
	// invoice [F-12] 120000 holds through 2025-09-23
	// 1 broken 2025-09-24
}

func ExampleStore_Entity() {
	ctx := context.Background()
	s := ledger.New(pgtest.ExampleDB(), ledger.Options{})
	_, err := s.Entity(ctx, "acme")
	fmt.Println(errors.Is(err, ledger.ErrNotFound))
	fmt.Println(err)

	e, _ := s.AddEntity(ctx, ledger.Act{Actor: "cli:alice", Day: clock.Date(2025, 9, 1)}, ledger.Entity{
		Code: "acme", Name: "Acme Industrie SAS", SIREN: "732 829 320", IBAN: "FR76 3000 6000 0112 3456 7890 189",
		Address: ledger.Address{Line1: "12 rue des Tanneurs", Postcode: "69002", City: "Lyon"},
	})
	fmt.Println(e.Name, ledger.FormatSIREN(e.SIREN), ledger.FormatIBAN(e.IBAN))
	// Output:
	// true
	// ledger: entity "acme": not found (known: default; create one with `relance entity add`)
	// Acme Industrie SAS 732 829 320 FR76 3000 6000 0112 3456 7890 189
}

func ExampleParseEmails() {
	emails, err := ledger.ParseEmails(`compta@martin.example; "Martin, Paul" <paul@martin.example>, COMPTA@martin.example`)
	fmt.Println(emails, err)
	// Output:
	// [compta@martin.example paul@martin.example] <nil>
}

func ExampleAddress_Lines() {
	a := ledger.Address{Line1: "Hauptstraße 5", Postcode: "10115", City: "Berlin"}
	for _, l := range a.Lines("DE", "FR", "fr") {
		fmt.Println(l)
	}
	// Output:
	// Hauptstraße 5
	// 10115 Berlin
	// ALLEMAGNE
}

func ExampleStore_OpenCase() {
	ctx := context.Background()
	s := exampleStore()
	by := ledger.Act{Actor: "cli:alice", Day: clock.Date(2025, 11, 12)}
	// No formal notice went out through relance: the creditor says it goes ahead.
	c, err := s.OpenCase(ctx, by, ledger.CaseOpening{Client: "C1", Procedure: ledger.Injonction, WithoutNotice: true})
	if err != nil {
		panic(err)
	}
	fmt.Println(c.ID, c.Stage(), c.Claimed(), c.Holds(by.Day))

	by.Day = clock.Date(2025, 12, 3)
	c, _ = s.AdvanceCase(ctx, by, c.ID, ledger.CaseStage{Stage: ledger.StageServed, On: clock.Date(2025, 12, 1)})
	fmt.Println(c.Stage(), "opposition until", c.OppositionDeadline().Format(time.DateOnly))
	_, err = s.AdvanceCase(ctx, by, c.ID, ledger.CaseStage{Stage: ledger.StageEnforceable})
	fmt.Println(err)
	// Output:
	// 1 opened 120000 true
	// served opposition until 2026-01-02
	// ledger: record enforceable on case 1: the opposition deadline runs through 2026-01-02: enforceable from 2026-01-03
}

func ExampleOppositionDeadline() {
	// Served on 31 October: one month is 30 November, a Sunday.
	fmt.Println(ledger.OppositionDeadline(clock.Date(2025, 10, 31)).Format(time.DateOnly))
	// Output:
	// 2025-12-01
}

// A timeline entry's kind, as the CLI and the dashboard name it.
func ExampleTimelineLabel() {
	fmt.Println(ledger.TimelineLabel("dispute_opened", "fr"))
	fmt.Println(ledger.TimelineLabel("dispute_opened", "en"))
	fmt.Println(ledger.TimelineLabel("something_new", "fr"))
	// Output:
	// litige ouvert
	// dispute opened
	// something_new
}
