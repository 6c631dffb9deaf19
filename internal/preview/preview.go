// Package preview is the dry run behind `relance preview`: for each day of a
// range and each client of an entity, the message the daemon would send
// (channel, template of the highest step due, invoices, amounts, penalties)
// and the invoices held back with the reason. It reads the ledger with one
// streaming query, decides with plans.Resolve, and writes nothing: later days
// are simulated by assuming earlier days' messages and actions went out.
package preview

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/relance/relance/internal/calendar"
	"github.com/relance/relance/internal/clock"
	"github.com/relance/relance/internal/money"
	"github.com/relance/relance/internal/penalty"
	"github.com/relance/relance/plans"
)

// Querier is the one method preview needs of a pool or a transaction.
type Querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

// ErrUnknownEntity is returned for an entity code the database does not have.
var ErrUnknownEntity = errors.New("unknown entity")

// Options say what to preview.
type Options struct {
	Entity    string              // entity code
	From      time.Time           // first day (00:00 UTC)
	Days      int                 // number of days, at least 1
	Plans     *plans.Set          // the reminder plans
	Penalties *penalty.Calculator // nil: no penalty amounts
}

// Report is the preview of every day.
type Report struct {
	Entity string `json:"entity"`
	Days   []Day  `json:"days"`
}

// Day is what would happen on one day.
type Day struct {
	Date     string    `json:"date"`
	Messages []Message `json:"messages"`
	Actions  []Action  `json:"actions"`
	Held     []Held    `json:"held"`
}

// Message is the one message a client would get on one channel that day.
type Message struct {
	ClientCode string        `json:"client_code"`
	ClientName string        `json:"client_name"`
	Locale     string        `json:"locale"`
	Profile    string        `json:"profile"`
	Channel    string        `json:"channel"`
	Template   string        `json:"template"` // the template of the highest step due
	StepID     string        `json:"step_id"`
	Level      int           `json:"level"` // 0 for a pre-due notice
	Currency   string        `json:"currency"`
	Total      money.Amount  `json:"total"` // outstanding of the listed invoices, cents
	Invoices   []InvoiceLine `json:"invoices"`
}

// InvoiceLine is one invoice listed in a message.
type InvoiceLine struct {
	Number      string       `json:"number"`
	DueDate     string       `json:"due_date"`
	DaysLate    int          `json:"days_late"`
	Outstanding money.Amount `json:"outstanding"`
	StepID      string       `json:"step_id"`
	Level       int          `json:"level"`
	Interest    money.Amount `json:"interest,omitempty"`  // late interest, on steps with penalties
	Indemnity   money.Amount `json:"indemnity,omitempty"` // fixed recovery indemnity
}

// Action is an action step (provision, phone_call) that would fire.
type Action struct {
	ClientCode string `json:"client_code"`
	Number     string `json:"number"`
	StepID     string `json:"step_id"`
	Action     string `json:"action"`
}

// Held is an invoice that has a step due but is held back, and why.
type Held struct {
	ClientCode  string       `json:"client_code"`
	Number      string       `json:"number"`
	Outstanding money.Amount `json:"outstanding"`
	Currency    string       `json:"currency"`
	Reason      plans.Reason `json:"reason"`
}

// heldReasons are the reasons worth showing: something would go out but for them.
var heldReasons = map[plans.Reason]bool{
	plans.Dispute: true, plans.Promise: true, plans.Gap: true, plans.MinAmount: true,
	plans.Insolvency: true, plans.NetBalance: true, plans.Excluded: true, plans.Case: true,
}

type client struct {
	id                          int64
	code, name, locale, country string
	segment, profile, score     string
	insolvency                  time.Time
	net                         money.Amount       // net balance as of Options.From
	cal                         *calendar.Calendar // nil when the country has no holiday table
	invoices                    []*invoice
}

type invoice struct {
	number              string
	issue, due          time.Time
	currency            string
	amount, outstanding money.Amount // outstanding now (all allocations)
	excluded            bool
	allocDays           []time.Time
	allocAmounts        []int64
	disputes            [][2]time.Time // opened, resolved (far future when open)
	promises            [][2]time.Time // promised_on, until
	cases               [][2]time.Time // held_from, held_to − 1 (far future while open)
	ledger              []plans.LedgerEntry
}

// outstandingOn is the invoice's outstanding at the end of day d.
func (iv *invoice) outstandingOn(d time.Time) money.Amount {
	o := iv.outstanding
	for i, ad := range iv.allocDays {
		if ad.After(d) {
			o += money.Amount(iv.allocAmounts[i])
		}
	}
	return o
}

func within(spans [][2]time.Time, d time.Time) bool {
	for _, s := range spans {
		if !d.Before(s[0]) && !d.After(s[1]) {
			return true
		}
	}
	return false
}

// Run loads the entity's open invoices and previews opts.Days days.
func Run(ctx context.Context, db Querier, opts Options) (*Report, error) {
	if opts.Days < 1 {
		opts.Days = 1
	}
	if opts.Plans == nil {
		return nil, errors.New("preview: no plans")
	}
	clients, err := load(ctx, db, opts.Entity, opts.From)
	if err != nil {
		return nil, err
	}
	rep := &Report{Entity: opts.Entity}
	for i := 0; i < opts.Days; i++ {
		d := opts.From.AddDate(0, 0, i)
		day, err := previewDay(d, clients, opts)
		if err != nil {
			return nil, err
		}
		rep.Days = append(rep.Days, day)
	}
	return rep, nil
}

func previewDay(d time.Time, clients []*client, opts Options) (Day, error) {
	day := Day{Date: d.Format(time.DateOnly), Messages: []Message{}, Actions: []Action{}, Held: []Held{}}
	for _, c := range clients {
		// The client's net balance moves with the payments on its invoices
		// after the first day.
		net := c.net
		for _, iv := range c.invoices {
			net -= iv.outstandingOn(opts.From) - iv.outstandingOn(d)
		}
		prof := opts.Plans.ProfileFor(plans.Client{Profile: c.profile, Score: c.score, Outstanding: net, Country: c.country, Segment: c.segment})
		if prof == nil {
			continue
		}
		cal := c.cal
		if cal == nil {
			// A country without a holiday table: the profile's calendar.
			cal, _ = calendar.For(prof.Calendar)
		}
		byChannel := map[string]*Message{}
		for _, iv := range c.invoices {
			if iv.issue.After(d) {
				continue
			}
			out := iv.outstandingOn(d)
			dec := plans.Resolve(plans.Input{
				AsOf: d, DueDate: iv.due, Outstanding: out,
				Disputed: within(iv.disputes, d), Promised: within(iv.promises, d), Excluded: iv.excluded,
				InCase:     within(iv.cases, d),
				NetBalance: net, InsolvencyOpened: c.insolvency, Calendar: cal,
				Profile: prof, Ledger: iv.ledger,
			})
			for _, a := range dec.Actions {
				day.Actions = append(day.Actions, Action{ClientCode: c.code, Number: iv.number, StepID: a.ID, Action: a.Action})
				iv.ledger = append(iv.ledger, plans.LedgerEntry{StepID: a.ID, Day: d})
			}
			// Held back only on the client's business days: on other days
			// nothing would go out anyway.
			if heldReasons[dec.Reason] && out > 0 && cal.IsBusinessDay(d) {
				day.Held = append(day.Held, Held{ClientCode: c.code, Number: iv.number, Outstanding: out, Currency: iv.currency, Reason: dec.Reason})
			}
			st := dec.Message
			if st == nil {
				continue
			}
			iv.ledger = append(iv.ledger, plans.LedgerEntry{StepID: st.ID, Day: d})
			line := InvoiceLine{Number: iv.number, DueDate: iv.due.Format(time.DateOnly), DaysLate: clock.DaysBetween(iv.due, d),
				Outstanding: out, StepID: st.ID, Level: st.Level}
			if st.Penalties && opts.Penalties != nil {
				debt := penalty.Debt{Amount: iv.amount, DueDate: iv.due, FrozenFrom: c.insolvency}
				for i, ad := range iv.allocDays {
					debt.Payments = append(debt.Payments, penalty.Payment{Day: ad, Amount: money.Amount(iv.allocAmounts[i])})
				}
				res, err := opts.Penalties.Compute(debt, d)
				if err != nil {
					return day, fmt.Errorf("preview: invoice %s: %w", iv.number, err)
				}
				line.Interest, line.Indemnity = res.Interest, res.Indemnity
			}
			m := byChannel[st.Channel]
			if m == nil {
				m = &Message{ClientCode: c.code, ClientName: c.name, Locale: c.locale, Profile: prof.Name,
					Channel: st.Channel, Currency: iv.currency, Level: -1}
				byChannel[st.Channel] = m
			}
			if st.Level > m.Level {
				m.Level, m.StepID, m.Template = st.Level, st.ID, st.Template
			}
			m.Invoices = append(m.Invoices, line)
			m.Total += out
		}
		channels := make([]string, 0, len(byChannel))
		for ch := range byChannel {
			channels = append(channels, ch)
		}
		sort.Strings(channels)
		for _, ch := range channels {
			day.Messages = append(day.Messages, *byChannel[ch])
		}
	}
	return day, nil
}

// previewQuery streams the entity's invoices open on $2 (outstanding now
// plus what was allocated after $2), with their allocations, disputes,
// promises, legal cases and reminder ledger as arrays, and each client's net balance on
// $2 (its documents' outstanding minus unallocated payments received by
// then). Rows come ordered by client.
const previewQuery = `
WITH ent AS (
    SELECT id, locale FROM entity WHERE code = $1
), inv AS (
    SELECT i.*, i.outstanding + COALESCE((
        SELECT sum(a.amount) FROM allocation a WHERE a.invoice_id = i.id AND a.applied_on > $2), 0) AS outstanding_then
    FROM invoice i JOIN ent ON ent.id = i.entity_id
), net AS (
    SELECT c.id AS client_id,
        COALESCE((SELECT sum(inv.outstanding_then) FROM inv WHERE inv.client_id = c.id AND inv.issue_date <= $2), 0)
      - COALESCE((SELECT sum(p.unallocated) FROM payment p WHERE p.client_id = c.id AND p.received_on <= $2), 0) AS balance
    FROM client c JOIN ent ON ent.id = c.entity_id
)
SELECT c.id, c.code, c.name, COALESCE(c.locale, ent.locale), c.country, COALESCE(c.segment, ''),
       COALESCE(c.profile, ''), COALESCE(c.payer_score, ''), c.insolvency_opened_on, net.balance,
       i.number, i.issue_date, i.due_date, i.currency, i.amount_incl_vat, i.outstanding, i.excluded,
       COALESCE((SELECT array_agg(a.applied_on ORDER BY a.applied_on, a.id) FROM allocation a WHERE a.invoice_id = i.id), '{}'),
       COALESCE((SELECT array_agg(a.amount ORDER BY a.applied_on, a.id) FROM allocation a WHERE a.invoice_id = i.id), '{}'),
       COALESCE((SELECT array_agg(d.opened_on ORDER BY d.id) FROM dispute d WHERE d.invoice_id = i.id), '{}'),
       COALESCE((SELECT array_agg(COALESCE(d.resolved_on - 1, '9999-12-31'::date) ORDER BY d.id) FROM dispute d WHERE d.invoice_id = i.id), '{}'),
       COALESCE((SELECT array_agg(p.promised_on ORDER BY p.id) FROM promise p WHERE p.invoice_id = i.id), '{}'),
       COALESCE((SELECT array_agg(p.until ORDER BY p.id) FROM promise p WHERE p.invoice_id = i.id), '{}'),
       COALESCE((SELECT array_agg(lci.held_from ORDER BY lci.case_id) FROM legal_case_invoice lci WHERE lci.invoice_id = i.id), '{}'),
       COALESCE((SELECT array_agg(COALESCE(lci.held_to - 1, '9999-12-31'::date) ORDER BY lci.case_id)
                 FROM legal_case_invoice lci WHERE lci.invoice_id = i.id), '{}'),
       COALESCE((SELECT array_agg(r.step_id ORDER BY r.id) FROM reminder r WHERE r.invoice_id = i.id), '{}'),
       COALESCE((SELECT array_agg(r.due_on ORDER BY r.id) FROM reminder r WHERE r.invoice_id = i.id), '{}')
FROM inv i
JOIN client c ON c.id = i.client_id
JOIN ent ON true
JOIN net ON net.client_id = c.id
WHERE i.kind = 'invoice' AND i.outstanding_then > 0
ORDER BY c.code, c.id, i.due_date, i.number`

func load(ctx context.Context, db Querier, entity string, from time.Time) ([]*client, error) {
	var exists bool
	rows, err := db.Query(ctx, `SELECT true FROM entity WHERE code = $1`, entity)
	if err != nil {
		return nil, fmt.Errorf("preview: %w", err)
	}
	for rows.Next() {
		exists = true
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("preview: %w", err)
	}
	if !exists {
		return nil, fmt.Errorf("preview: entity %q: %w", entity, ErrUnknownEntity)
	}

	rows, err = db.Query(ctx, previewQuery, entity, from)
	if err != nil {
		return nil, fmt.Errorf("preview: %w", err)
	}
	defer rows.Close()
	var clients []*client
	var cur *client
	for rows.Next() {
		var (
			c                              client
			insolvency                     *time.Time
			net                            int64
			iv                             invoice
			amount, outstanding            int64
			dOpen, dEnd, pFrom, pTo, rDays []time.Time
			caseFrom, caseTo               []time.Time
			rSteps                         []string
		)
		if err := rows.Scan(&c.id, &c.code, &c.name, &c.locale, &c.country, &c.segment, &c.profile, &c.score, &insolvency, &net,
			&iv.number, &iv.issue, &iv.due, &iv.currency, &amount, &outstanding, &iv.excluded,
			&iv.allocDays, &iv.allocAmounts, &dOpen, &dEnd, &pFrom, &pTo, &caseFrom, &caseTo, &rSteps, &rDays); err != nil {
			return nil, fmt.Errorf("preview: %w", err)
		}
		iv.amount, iv.outstanding = money.Amount(amount), money.Amount(outstanding)
		for i := range dOpen {
			iv.disputes = append(iv.disputes, [2]time.Time{dOpen[i], dEnd[i]})
		}
		for i := range pFrom {
			iv.promises = append(iv.promises, [2]time.Time{pFrom[i], pTo[i]})
		}
		for i := range caseFrom {
			iv.cases = append(iv.cases, [2]time.Time{caseFrom[i], caseTo[i]})
		}
		for i := range rSteps {
			iv.ledger = append(iv.ledger, plans.LedgerEntry{StepID: rSteps[i], Day: rDays[i]})
		}
		if cur == nil || cur.id != c.id {
			c.net = money.Amount(net)
			if insolvency != nil {
				c.insolvency = *insolvency
			}
			if calendar.Known(c.country) {
				c.cal, _ = calendar.For(c.country)
			}
			cur = &c
			clients = append(clients, cur)
		}
		ivCopy := iv
		cur.invoices = append(cur.invoices, &ivCopy)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("preview: %w", err)
	}
	return clients, nil
}
