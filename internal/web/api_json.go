package web

import (
	"time"

	"github.com/relance/relance/internal/ledger"
	"github.com/relance/relance/internal/money"
)

// The API's JSON follows docs/aging-json.md: amounts are strings in major
// units with a '.' and two decimals, dates ISO YYYY-MM-DD, null when none.

// day formats a date, nil for none.
func day(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	s := t.Format(time.DateOnly)
	return &s
}

func amount(a money.Amount) string { return money.FormatPlain(a) }

type clientJSON struct {
	ClientID      string         `json:"client_id"`
	ClientName    string         `json:"client_name"`
	Country       string         `json:"country"`
	AddressLine1  string         `json:"address_line1"`
	AddressLine2  string         `json:"address_line2"`
	Postcode      string         `json:"postcode"`
	City          string         `json:"city"`
	ContactName   string         `json:"contact_name"`
	Phone         string         `json:"phone"`
	Email         []string       `json:"email"`
	CC            []string       `json:"cc"`
	SIREN         string         `json:"siren"`
	SIRET         string         `json:"siret"`
	VATNumber     string         `json:"vat_number"`
	CreditLimit   *string        `json:"credit_limit"`
	Segment       string         `json:"segment"`
	Profile       string         `json:"profile"`
	Locale        string         `json:"locale"`
	PayerScore    string         `json:"payer_score"`
	Excluded      bool           `json:"excluded"`
	BouncingSince *time.Time     `json:"bouncing_since"`
	Insolvency    *insolvencyOut `json:"insolvency"`
	Paused        bool           `json:"paused"`
	PausedUntil   *string        `json:"paused_until"`
	Balance       string         `json:"balance"`
	Overdue       string         `json:"overdue"`
}

type insolvencyOut struct {
	Kind          string  `json:"kind"`
	Opened        *string `json:"opened"`
	Published     *string `json:"published"`
	ClaimDeadline *string `json:"claim_deadline"`
}

func nonNilList(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func newClientJSON(c ledger.Client) clientJSON {
	out := clientJSON{ClientID: c.Code, ClientName: c.Name, Country: c.Country, AddressLine1: c.Address.Line1,
		AddressLine2: c.Address.Line2, Postcode: c.Address.Postcode, City: c.Address.City, ContactName: c.Contact,
		Phone: c.Phone, Email: nonNilList(c.Emails), CC: nonNilList(c.CC), SIREN: c.SIREN, SIRET: c.SIRET, VATNumber: c.VAT,
		Segment: c.Segment, Profile: c.Profile, Locale: c.Locale, PayerScore: c.PayerScore, Excluded: c.Excluded,
		Paused: c.Paused, PausedUntil: day(c.PausedUntil), Balance: amount(c.Balance), Overdue: amount(c.Overdue)}
	if c.CreditLimit != nil {
		l := amount(*c.CreditLimit)
		out.CreditLimit = &l
	}
	if !c.BouncingSince.IsZero() {
		out.BouncingSince = &c.BouncingSince
	}
	if c.Insolvency.Kind != "" {
		out.Insolvency = &insolvencyOut{Kind: c.Insolvency.Kind, Opened: day(c.Insolvency.Opened),
			Published: day(c.Insolvency.Published), ClaimDeadline: day(c.Insolvency.ClaimDeadline())}
	}
	return out
}

type invoiceJSON struct {
	InvoiceNumber string  `json:"invoice_number"`
	ClientID      string  `json:"client_id"`
	Kind          string  `json:"kind"`
	IssueDate     *string `json:"issue_date"`
	DueDate       *string `json:"due_date"`
	Currency      string  `json:"currency"`
	Amount        string  `json:"amount"`
	Outstanding   string  `json:"outstanding"`
	AppliesTo     string  `json:"applies_to"`
	Excluded      bool    `json:"excluded"`
	ClosedOn      *string `json:"closed_on"`
	Version       int64   `json:"version"` // its ETag, unquoted
}

func newInvoiceJSON(i ledger.Invoice) invoiceJSON {
	return invoiceJSON{InvoiceNumber: i.Number, ClientID: i.Client, Kind: i.Kind, IssueDate: day(i.Issued), DueDate: day(i.Due),
		Currency: i.Currency, Amount: amount(i.Amount), Outstanding: amount(i.Outstanding), AppliesTo: i.AppliesTo,
		Excluded: i.Excluded, ClosedOn: day(i.Closed), Version: i.Version}
}

type timelineJSON struct {
	Day      *string        `json:"day"`
	At       time.Time      `json:"at"`
	Kind     string         `json:"kind"`
	Invoices []string       `json:"invoices"`
	Amount   *string        `json:"amount"`
	Currency string         `json:"currency"`
	Actor    string         `json:"actor"`
	Reason   string         `json:"reason"`
	Step     string         `json:"step"`
	Channel  string         `json:"channel"`
	Detail   map[string]any `json:"detail"`
}

func newTimelineJSON(e ledger.TimelineEntry) timelineJSON {
	t := timelineJSON{Day: day(e.Day), At: e.At, Kind: e.Kind, Invoices: nonNilList(e.Invoices), Currency: e.Currency,
		Actor: e.Actor, Reason: e.Reason, Step: e.Step, Channel: e.Channel, Detail: e.Detail}
	if e.Amount != 0 {
		a := amount(e.Amount)
		t.Amount = &a
	}
	return t
}

type disputeJSON struct {
	InvoiceNumber string  `json:"invoice_number"`
	ClientID      string  `json:"client_id"`
	Reason        string  `json:"reason"`
	Note          string  `json:"note"`
	Opened        *string `json:"opened"`
	Until         *string `json:"until"`
	Resolved      *string `json:"resolved"`
	Outcome       string  `json:"outcome"`
	OpenedBy      string  `json:"opened_by"`
	ResolvedBy    string  `json:"resolved_by"`
	Outstanding   string  `json:"outstanding"`
	Currency      string  `json:"currency"`
}

func newDisputeJSON(d ledger.Dispute) disputeJSON {
	return disputeJSON{InvoiceNumber: d.Invoice, ClientID: d.Client, Reason: d.Reason, Note: d.Note, Opened: day(d.Opened),
		Until: day(d.Until), Resolved: day(d.Resolved), Outcome: d.Outcome, OpenedBy: d.OpenedBy, ResolvedBy: d.ResolvedBy,
		Outstanding: amount(d.Outstanding), Currency: d.Currency}
}

type promiseJSON struct {
	Scope      string   `json:"scope"`
	ClientID   string   `json:"client_id"`
	Invoices   []string `json:"invoices"`
	PromisedOn *string  `json:"promised_on"`
	PayBy      *string  `json:"pay_by"`
	Until      *string  `json:"until"`
	Amount     string   `json:"amount"`
	Currency   string   `json:"currency"`
	Status     string   `json:"status"`
	By         string   `json:"by"`
	Note       string   `json:"note"`
}

func newPromiseJSON(p ledger.Promise) promiseJSON {
	return promiseJSON{Scope: p.Scope, ClientID: p.Client, Invoices: nonNilList(p.Invoices), PromisedOn: day(p.PromisedOn),
		PayBy: day(p.PayBy), Until: day(p.Until), Amount: amount(p.Amount), Currency: p.Currency, Status: p.Status,
		By: p.By, Note: p.Note}
}

type pauseJSON struct {
	From      *string `json:"from"`
	Until     *string `json:"until"`
	ResumedOn *string `json:"resumed_on"`
	Reason    string  `json:"reason"`
	By        string  `json:"by"`
	ResumedBy string  `json:"resumed_by"`
}

func newPauseJSON(p ledger.Pause) pauseJSON {
	return pauseJSON{From: day(p.From), Until: day(p.Until), ResumedOn: day(p.ResumedOn), Reason: p.Reason,
		By: p.By, ResumedBy: p.ResumedBy}
}

type allocationJSON struct {
	Invoice  string  `json:"invoice_number"`
	Client   string  `json:"client_id"`
	Source   string  `json:"source"`
	Amount   string  `json:"amount"`
	Currency string  `json:"currency"`
	Day      *string `json:"day"`
	Created  bool    `json:"created"` // false: the same allocation was already recorded
}

type tokenJSON struct {
	Name      string     `json:"name"`
	Role      Role       `json:"role"`
	Created   time.Time  `json:"created_at"`
	CreatedBy string     `json:"created_by"`
	LastUsed  *string    `json:"last_used"`
	Revoked   *time.Time `json:"revoked_at"`
	RevokedBy string     `json:"revoked_by"`
}
