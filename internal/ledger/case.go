package ledger

import (
	"context"
	_ "embed"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/relance/relance/internal/calendar"
	"github.com/relance/relance/internal/clock"
	"github.com/relance/relance/internal/money"
)

var (
	//go:embed sql/cases.sql
	casesSQL string
	//go:embed sql/case_invoices.sql
	caseInvoicesSQL string
	//go:embed sql/case_costs.sql
	caseCostsSQL string
)

// The procedures a case follows.
const (
	Injonction  = "injonction_de_payer" // order for payment (C. pr. civ. art. 1405 s.)
	SmallClaims = "petites_creances"    // simplified recovery of small claims by a commissaire de justice
	Assignation = "assignation"         // summons before the court
	Agency      = "agency"              // handed to a collection agency
)

// Procedures lists the procedures in the order they are offered.
var Procedures = []string{Injonction, SmallClaims, Assignation, Agency}

// The stages of a case, in order. Opened and Closed have their own methods;
// AdvanceCase records the four between. The opposition deadline is not a
// stage one records: Case.OppositionDeadline computes it from Served.
const (
	StageOpened      = "opened"
	StageFiled       = "filed"       // the request or the summons lodged
	StageGranted     = "granted"     // the order or the judgment obtained
	StageServed      = "served"      // served on the debtor
	StageEnforceable = "enforceable" // enforceable: the opposition deadline passed
	StageClosed      = "closed"
)

// CaseStages are the stages AdvanceCase records, in order.
var CaseStages = []string{StageFiled, StageGranted, StageServed, StageEnforceable}

// How a case ends.
const (
	OutcomeRecovered = "recovered"
	OutcomeLost      = "lost"
)

// The kinds of costs a case records.
const (
	CostFees             = "fees"              // court, registry and lawyer's fees
	CostBailiff          = "bailiff"           // the commissaire de justice
	CostAgencyCommission = "agency_commission" // the agency's share of what it recovers
)

// CostKinds lists the cost kinds.
var CostKinds = []string{CostFees, CostBailiff, CostAgencyCommission}

// Case (dossier contentieux) is legal collection of some of a client's
// overdue invoices, once the formal notice's deadline has passed unpaid.
// While open it pauses the amicable ladder of its invoices (their actions,
// such as provisioning, still fire). What it recovers is the payments
// allocated to its invoices after the day it opened, through the day it
// closed: relance records no recovery of its own beside the ledger's.
type Case struct {
	ID         int64
	Client     string // client code
	ClientID   int64
	ClientName string
	Country    string // the client's
	Procedure  string // Injonction, SmallClaims, Assignation or Agency
	Currency   string
	Reference  string // the court's docket (RG) or the agency's file number
	Handler    string // lawyer, commissaire de justice or agency in charge

	Opened      time.Time
	Filed       time.Time // zero until recorded
	Granted     time.Time
	Served      time.Time
	Enforceable time.Time
	Closed      time.Time
	Outcome     string // OutcomeRecovered or OutcomeLost once closed

	WithoutNotice bool // opened without a formal notice past its deadline
	OpenedBy      string
	ClosedBy      string

	Invoices []CaseInvoice
	Costs    []CaseCost
}

// CaseInvoice is one invoice of a case, with its amounts as of the day the
// case was read.
type CaseInvoice struct {
	InvoiceID   int64
	Number      string
	Issued, Due time.Time
	Amount      money.Amount // incl. VAT
	Claimed     money.Amount // outstanding at the end of the day the case opened
	Recovered   money.Amount // collected after the opening day, through the close
	Outstanding money.Amount
	// Settlements are every settlement of the invoice up to the day read,
	// for its late-payment interest; CaseDossier fills them.
	Settlements []Settlement
}

// Settlement is an amount settled on an invoice on a day (a payment, a
// credit note, an imported settlement…), dated with the day it counts from:
// the late-payment interest of a case file or of a claim declaration runs on
// what remained due.
type Settlement struct {
	Day    time.Time
	Amount money.Amount
}

// CaseCost is one cost of a case.
type CaseCost struct {
	ID     int64
	Kind   string // CostFees, CostBailiff or CostAgencyCommission
	Amount money.Amount
	On     time.Time
	Note   string
	By     string
}

// Stage is the case's current stage: the last one recorded.
func (c Case) Stage() string {
	switch {
	case !c.Closed.IsZero():
		return StageClosed
	case !c.Enforceable.IsZero():
		return StageEnforceable
	case !c.Served.IsZero():
		return StageServed
	case !c.Granted.IsZero():
		return StageGranted
	case !c.Filed.IsZero():
		return StageFiled
	}
	return StageOpened
}

// StageDay is the day stage was reached; zero when it was not (yet).
func (c Case) StageDay(stage string) time.Time {
	switch stage {
	case StageOpened:
		return c.Opened
	case StageFiled:
		return c.Filed
	case StageGranted:
		return c.Granted
	case StageServed:
		return c.Served
	case StageEnforceable:
		return c.Enforceable
	case StageClosed:
		return c.Closed
	}
	return time.Time{}
}

// Holds reports whether the case pauses its invoices' ladder on day: from
// the day it opened until the day it closed.
func (c Case) Holds(day time.Time) bool {
	return !c.Opened.After(day) && (c.Closed.IsZero() || c.Closed.After(day))
}

// OppositionDeadline is the last day the debtor may oppose once served
// (Served + 1 month); zero while not served. See OppositionDeadline.
func (c Case) OppositionDeadline() time.Time {
	if c.Served.IsZero() {
		return time.Time{}
	}
	return OppositionDeadline(c.Served)
}

// OppositionDeadline is the last day to oppose an order served on served:
// one month later (C. pr. civ. art. 1416), counted to the same day of the
// next month or, when that month is shorter, to its last day (art. 641),
// and carried to the next working day when it falls on a Saturday, a
// Sunday or a French public holiday (art. 642).
func OppositionDeadline(served time.Time) time.Time {
	y, m, d := served.Date()
	last := clock.EndOfMonth(clock.Date(y, m+1, 1)).Day()
	fr, _ := calendar.For("FR") // FR has its holiday table
	return fr.NextBusinessDay(clock.Date(y, m+1, min(d, last)))
}

// Claimed is what the case claims: its invoices' claims.
func (c Case) Claimed() money.Amount {
	return c.sum(func(i CaseInvoice) money.Amount { return i.Claimed })
}

// Recovered is what the case collected so far.
func (c Case) Recovered() money.Amount {
	return c.sum(func(i CaseInvoice) money.Amount { return i.Recovered })
}

// Outstanding is what its invoices still owe.
func (c Case) Outstanding() money.Amount {
	return c.sum(func(i CaseInvoice) money.Amount { return i.Outstanding })
}

func (c Case) sum(of func(CaseInvoice) money.Amount) money.Amount {
	var t money.Amount
	for _, i := range c.Invoices {
		t += of(i)
	}
	return t
}

// CostTotal is what the case cost so far.
func (c Case) CostTotal() money.Amount {
	var t money.Amount
	for _, x := range c.Costs {
		t += x.Amount
	}
	return t
}

func (c Case) numbers() []string {
	out := make([]string, len(c.Invoices))
	for i, inv := range c.Invoices {
		out[i] = inv.Number
	}
	return out
}

// CaseFilter selects cases. The zero filter selects every case, with its
// amounts as they stand.
type CaseFilter struct {
	Client string    // only this client's; "" for all
	OpenOn time.Time // only those open that day; zero: open or closed
	// AsOf is the day the amounts are read as of (settlements applied
	// after it added back); zero: as they stand.
	AsOf time.Time
}

// Case returns case id with its invoices and costs, amounts as of day
// (zero: as they stand).
func (s *Store) Case(ctx context.Context, id int64, day time.Time) (Case, error) {
	entity, err := s.entity(ctx)
	if err != nil {
		return Case{}, err
	}
	c, err := s.caseIn(ctx, s.db, entity, id, day)
	if err != nil {
		return c, fmt.Errorf("ledger: case %d: %w", id, err)
	}
	return c, nil
}

func (s *Store) caseIn(ctx context.Context, q DB, entity, id int64, day time.Time) (Case, error) {
	cs, err := s.cases(ctx, q, entity, &id, CaseFilter{AsOf: day})
	if err != nil {
		return Case{}, err
	}
	if len(cs) == 0 {
		return Case{}, fmt.Errorf("case %w in entity %s", ErrNotFound, s.opts.Entity)
	}
	return cs[0], nil
}

// Cases lists the entity's cases that f selects, oldest first, each with
// its invoices and costs.
func (s *Store) Cases(ctx context.Context, f CaseFilter) ([]Case, error) {
	entity, err := s.entity(ctx)
	if err != nil {
		return nil, err
	}
	cs, err := s.cases(ctx, s.db, entity, nil, f)
	if err != nil {
		return nil, fmt.Errorf("ledger: cases: %w", err)
	}
	return cs, nil
}

// asStanding is the day that reads amounts as they stand: nothing is
// applied after it.
var asStanding = clock.Date(9999, 12, 31)

// cases reads the selected cases, then their invoices and their costs: three
// queries whatever the number of cases.
func (s *Store) cases(ctx context.Context, q DB, entity int64, id *int64, f CaseFilter) ([]Case, error) {
	day := f.AsOf
	if day.IsZero() {
		day = asStanding
	}
	rows, err := q.Query(ctx, casesSQL, entity, id, nullText(f.Client), nullDate(f.OpenOn))
	if err != nil {
		return nil, err
	}
	cs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Case, error) {
		var c Case
		var filed, granted, served, enforceable, closed *time.Time
		err := r.Scan(&c.ID, &c.Client, &c.ClientID, &c.ClientName, &c.Country, &c.Procedure, &c.Currency, &c.Reference,
			&c.Handler, &c.Opened, &filed, &granted, &served, &enforceable, &closed, &c.Outcome, &c.WithoutNotice,
			&c.OpenedBy, &c.ClosedBy)
		c.Filed, c.Granted, c.Served, c.Enforceable, c.Closed = dateOf(filed), dateOf(granted), dateOf(served), dateOf(enforceable), dateOf(closed)
		return c, err
	})
	if err != nil || len(cs) == 0 {
		return cs, err
	}
	at := make(map[int64]int, len(cs))
	ids := make([]int64, len(cs))
	for i, c := range cs {
		at[c.ID], ids[i] = i, c.ID
	}
	rows, err = q.Query(ctx, caseInvoicesSQL, ids, day)
	if err != nil {
		return nil, err
	}
	var caseID int64
	var inv CaseInvoice
	_, err = pgx.ForEachRow(rows, []any{&caseID, &inv.InvoiceID, &inv.Number, &inv.Issued, &inv.Due, &inv.Amount,
		&inv.Claimed, &inv.Recovered, &inv.Outstanding}, func() error {
		c := &cs[at[caseID]]
		c.Invoices = append(c.Invoices, inv)
		return nil
	})
	if err != nil {
		return nil, err
	}
	rows, err = q.Query(ctx, caseCostsSQL, ids)
	if err != nil {
		return nil, err
	}
	var cost CaseCost
	_, err = pgx.ForEachRow(rows, []any{&caseID, &cost.ID, &cost.Kind, &cost.Amount, &cost.On, &cost.Note, &cost.By}, func() error {
		c := &cs[at[caseID]]
		c.Costs = append(c.Costs, cost)
		return nil
	})
	return cs, err
}
