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

	"github.com/relance/relance/internal/calendar"
	"github.com/relance/relance/internal/clock"
	"github.com/relance/relance/internal/money"
)

var (
	//go:embed sql/case_targets.sql
	caseTargetsSQL string
	//go:embed sql/case_notice.sql
	caseNoticeSQL string
	//go:embed sql/case_insert.sql
	caseInsertSQL string
	//go:embed sql/cases.sql
	casesSQL string
	//go:embed sql/case_lock.sql
	caseLockSQL string
	//go:embed sql/case_invoices.sql
	caseInvoicesSQL string
	//go:embed sql/case_costs.sql
	caseCostsSQL string
	//go:embed sql/case_stage.sql
	caseStageSQL string
	//go:embed sql/case_close.sql
	caseCloseSQL string
	//go:embed sql/case_cost_insert.sql
	caseCostInsertSQL string
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
// credit note, an imported settlement…).
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

// CaseOpening is a case to open.
type CaseOpening struct {
	Client string
	// Invoices are the invoice numbers it takes; none takes every invoice
	// of the client overdue on the day with something outstanding that no
	// open case holds.
	Invoices  []string
	Procedure string
	Reference string // docket or file number, when already known
	Handler   string // lawyer, commissaire de justice or agency
	Reason    string // why, for the event trail
	// WithoutNotice opens the case although no formal notice listing its
	// invoices went out, or its deadline has not passed (a notice sent
	// outside relance, an agency that sends its own).
	WithoutNotice bool
}

// caseTarget is one invoice a case would take, with what the checks need.
type caseTarget struct {
	n                              int
	invoiceID, clientID            int64
	number, client, kind, currency string
	issued, due                    time.Time
	outstanding                    money.Amount
	openCase                       *int64
	openSince                      *time.Time
}

// OpenCase opens a case on by.Day for some of a client's overdue invoices:
// their amicable ladder stops that day. It is refused for a client under
// an insolvency proceeding (individual proceedings are suspended), for an
// invoice that is unknown, another client's, a credit note, not yet due,
// paid, or already in an open case (each refusal names its invoice), and,
// unless o.WithoutNotice, before the deadline of a formal notice listing
// one of the invoices has passed (Options.NoticeDays after it went out).
func (s *Store) OpenCase(ctx context.Context, by Act, o CaseOpening) (Case, error) {
	var c Case
	fail := func(err error) (Case, error) { return c, fmt.Errorf("ledger: open case for %s: %w", o.Client, err) }
	if err := by.check(); err != nil {
		return fail(err)
	}
	if !slices.Contains(Procedures, o.Procedure) {
		return fail(fmt.Errorf("procedure %q: want one of %s", o.Procedure, strings.Join(Procedures, ", ")))
	}
	entity, err := s.entity(ctx)
	if err != nil {
		return c, err
	}
	var id int64
	err = s.clientWrite(ctx, by, o.Client, func(tx pgx.Tx, cl Client) error {
		if in := cl.Insolvency; in.Kind != "" && !in.Opened.After(by.Day) {
			return fmt.Errorf("a %s proceeding opened on %s: individual proceedings are suspended (C. com. L622-21); declare the claim instead",
				in.Kind, formatDay(in.Opened))
		}
		targets, err := s.caseTargets(ctx, tx, entity, cl.ID, by.Day, o.Invoices)
		if err != nil {
			return err
		}
		if err := checkCaseTargets(cl, by.Day, o.Invoices, targets); err != nil {
			return err
		}
		ids := make([]int64, len(targets))
		claimed := make([]int64, len(targets))
		for i, t := range targets {
			ids[i], claimed[i] = t.invoiceID, int64(t.outstanding)
		}
		if !o.WithoutNotice {
			if err := s.checkNotice(ctx, tx, ids, by.Day); err != nil {
				return err
			}
		}
		if err := tx.QueryRow(ctx, caseInsertSQL, entity, cl.ID, o.Procedure, targets[0].currency, by.Day,
			strings.TrimSpace(o.Reference), strings.TrimSpace(o.Handler), o.WithoutNotice, by.Actor, ids, claimed).Scan(&id); err != nil {
			return err
		}
		if c, err = s.caseIn(ctx, tx, entity, id, by.Day); err != nil {
			return err
		}
		detail := map[string]any{"case_id": id, "procedure": o.Procedure, "invoices": c.numbers(), "amount": int64(c.Claimed())}
		for k, v := range map[string]string{"reference": c.Reference, "handler": c.Handler} {
			if v != "" {
				detail[k] = v
			}
		}
		if o.WithoutNotice {
			detail["without_notice"] = true
		}
		return event{kind: "case_opened", clientID: cl.ID, reason: o.Reason, detail: detail, act: by}.insert(ctx, tx)
	})
	if err != nil {
		return fail(err)
	}
	return c, nil
}

// caseTargets reads and locks the invoices a case would take (see
// case_targets.sql), in request order; nil for an unknown number.
func (s *Store) caseTargets(ctx context.Context, tx pgx.Tx, entity, client int64, day time.Time, numbers []string) ([]*caseTarget, error) {
	rows, err := tx.Query(ctx, caseTargetsSQL, entity, client, nonNil(numbers), day)
	if err != nil {
		return nil, err
	}
	found, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*caseTarget, error) {
		t := &caseTarget{}
		err := r.Scan(&t.n, &t.invoiceID, &t.number, &t.clientID, &t.client, &t.kind, &t.issued, &t.due, &t.currency,
			&t.outstanding, &t.openCase, &t.openSince)
		return t, err
	})
	if err != nil {
		return nil, err
	}
	if len(numbers) == 0 {
		if len(found) == 0 {
			return nil, fmt.Errorf("nothing overdue on %s outside an open case", formatDay(day))
		}
		return found, nil
	}
	targets := make([]*caseTarget, len(numbers))
	for _, t := range found {
		targets[t.n-1] = t
	}
	return targets, nil
}

// checkCaseTargets lists every refusal, each naming its invoice.
func checkCaseTargets(cl Client, day time.Time, numbers []string, targets []*caseTarget) error {
	var errs []error
	seen := map[string]bool{}
	currency := ""
	for _, t := range targets {
		if t != nil && currency == "" {
			currency = t.currency
		}
	}
	for i, t := range targets {
		number := ""
		if i < len(numbers) {
			number = numbers[i]
		}
		if t != nil {
			number = t.number
		}
		refuse := func(format string, args ...any) {
			errs = append(errs, fmt.Errorf("%s: "+format, append([]any{number}, args...)...))
		}
		switch {
		case seen[number]:
			refuse("listed twice")
		case t == nil:
			refuse("invoice %w", ErrNotFound)
		case t.clientID != cl.ID:
			refuse("an invoice of client %s, not %s", t.client, cl.Code)
		case t.kind != "invoice":
			refuse("a credit note cannot go to a case")
		case t.issued.After(day):
			refuse("issued on %s, after %s", formatDay(t.issued), formatDay(day))
		case !t.due.Before(day):
			refuse("not overdue: due on %s", formatDay(t.due))
		case t.outstanding <= 0:
			refuse("invoice is paid")
		case t.openCase != nil:
			refuse("already in case %d since %s", *t.openCase, formatDay(*t.openSince))
		case t.currency != currency:
			refuse("in %s while the case is in %s: open a case per currency", t.currency, currency)
		}
		seen[number] = true
	}
	return errors.Join(errs...)
}

// checkNotice refuses a case before the deadline of a formal notice listing
// one of its invoices has passed: a registered letter sent on L gives until
// L + NoticeDays to pay, so the case may open from the day after.
func (s *Store) checkNotice(ctx context.Context, tx pgx.Tx, invoices []int64, day time.Time) error {
	var first, last *time.Time
	if err := tx.QueryRow(ctx, caseNoticeSQL, invoices, day).Scan(&first, &last); err != nil {
		return err
	}
	if first == nil {
		return errors.New("no formal notice (registered letter) went out for these invoices: a case follows the level-5 letter once its deadline passes (--without-notice to open one anyway)")
	}
	deadline := first.AddDate(0, 0, s.noticeDays())
	if !deadline.Before(day) {
		return fmt.Errorf("the formal notice of %s gives until %s to pay: a case opens from %s (--without-notice to open one anyway)",
			formatDay(*first), formatDay(deadline), formatDay(deadline.AddDate(0, 0, 1)))
	}
	return nil
}

func (s *Store) noticeDays() int {
	if s.opts.NoticeDays > 0 {
		return s.opts.NoticeDays
	}
	return 8
}

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
