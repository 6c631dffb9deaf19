package letter

import (
	"crypto/sha256"
	"encoding/hex"
	"time"

	"github.com/relance/relance/internal/money"
	"github.com/relance/relance/templates"
)

// The manifest and the provider's messages are a contract with the outside
// (docs/letters-webhook.md): fields are only ever added.

// ManifestVersion is the version of the manifest's format.
const ManifestVersion = 1

// ServiceRegisteredAR is the postal service every formal notice asks for: a
// registered letter with acknowledgement of receipt (lettre recommandée avec
// accusé de réception), or its eIDAS electronic form (LRE) at a provider
// that offers it.
const ServiceRegisteredAR = "registered_with_acknowledgement"

// Manifest says what a letter is and how to post it: whoever prints it
// (the outbox channel) or the provider it is handed to (webhook) reads it
// beside the PDF.
type Manifest struct {
	Version int    `json:"version"`
	Key     string `json:"key"`     // the letter's idempotency key
	Service string `json:"service"` // ServiceRegisteredAR
	Day     string `json:"day"`     // the letter's date, YYYY-MM-DD
	// Deadline is the day the debtor is given to pay by, YYYY-MM-DD.
	Deadline  string     `json:"deadline"`
	Locale    string     `json:"locale"`  // fr or en
	Subject   string     `json:"subject"` // as printed
	Step      string     `json:"step"`    // the plan step, e.g. level5
	Entity    string     `json:"entity"`  // the creditor's code in relance
	Client    string     `json:"client"`  // the debtor's account code
	Document  Document   `json:"document"`
	Sender    Party      `json:"sender"`
	Recipient Party      `json:"recipient"`
	Invoices  []Invoice  `json:"invoices"` // the invoices claimed (overdue)
	Total     Amounts    `json:"total"`
	Reminders []int64    `json:"reminder_ids"` // the reminder ledger rows the letter carries
	NotDue    []NotDueAt `json:"not_yet_due,omitempty"`
}

// Document describes the PDF.
type Document struct {
	File        string `json:"file"` // its name beside the manifest
	ContentType string `json:"content_type"`
	Bytes       int    `json:"bytes"`
	SHA256      string `json:"sha256"` // hex
}

// Party is a sender or a recipient, with the address both structured (for
// a provider's form) and as printed in the envelope's window.
type Party struct {
	Name     string   `json:"name"`
	Lines    []string `json:"address_lines"` // as printed, the country last for mail abroad
	Line1    string   `json:"line1"`
	Line2    string   `json:"line2,omitempty"`
	Postcode string   `json:"postcode"`
	City     string   `json:"city"`
	Country  string   `json:"country"` // ISO 3166-1 alpha-2
	SIREN    string   `json:"siren,omitempty"`
	VAT      string   `json:"vat,omitempty"`
}

// Address is a party's postal address as the ledger holds it.
type Address struct {
	Line1, Line2, Postcode, City, Country string
}

// Invoice is one invoice claimed. Amounts are decimal strings in major
// units with a '.' ("12000.00"), in Currency.
type Invoice struct {
	Number      string `json:"number"`
	IssueDate   string `json:"issue_date"`
	DueDate     string `json:"due_date"`
	DaysLate    int    `json:"days_late"`
	Currency    string `json:"currency"`
	Outstanding string `json:"outstanding"`
	Interest    string `json:"interest"`
	Indemnity   string `json:"indemnity"`
}

// NotDueAt names an invoice the letter mentions but does not claim.
type NotDueAt struct {
	Number  string `json:"number"`
	DueDate string `json:"due_date"`
}

// Amounts are the letter's totals.
type Amounts struct {
	Currency    string `json:"currency"`
	Outstanding string `json:"outstanding"`
	Interest    string `json:"interest"`
	Indemnity   string `json:"indemnity"`
	Due         string `json:"due"` // what the letter asks to pay
}

// Handling is what a manifest says beyond the letter itself.
type Handling struct {
	Key, Entity, File string
	Sender, Recipient Address
	Reminders         []int64
}

// NewManifest describes the letter l, laid out as pdf, for h.
func NewManifest(l Letter, pdf []byte, h Handling) Manifest {
	m := l.Message
	sum := sha256.Sum256(pdf)
	out := Manifest{
		Version: ManifestVersion, Key: h.Key, Service: ServiceRegisteredAR,
		Day: day(m.Day), Deadline: day(m.Deadline), Locale: wordingFor(l.Locale).locale, Subject: l.Subject,
		Step: m.Step.ID, Entity: h.Entity, Client: m.Client.Code,
		Document:  Document{File: h.File, ContentType: "application/pdf", Bytes: len(pdf), SHA256: hex.EncodeToString(sum[:])},
		Sender:    party(m.Creditor, h.Sender),
		Recipient: party(m.Debtor, h.Recipient),
		Reminders: h.Reminders,
		Invoices:  []Invoice{},
	}
	for _, inv := range m.Overdue() {
		out.Invoices = append(out.Invoices, Invoice{
			Number: inv.Number, IssueDate: day(inv.IssueDate), DueDate: day(inv.DueDate), DaysLate: inv.DaysLate,
			Currency: inv.Currency, Outstanding: plain(inv.Outstanding), Interest: plain(inv.Interest),
			Indemnity: plain(inv.Indemnity),
		})
	}
	for _, inv := range m.NotYetDue() {
		out.NotDue = append(out.NotDue, NotDueAt{Number: inv.Number, DueDate: day(inv.DueDate)})
	}
	t := m.Claim()
	out.Total = Amounts{Currency: t.Currency, Outstanding: plain(t.Outstanding), Interest: plain(t.Interest),
		Indemnity: plain(t.Indemnity), Due: plain(t.Due)}
	return out
}

func party(p templates.Party, a Address) Party {
	return Party{Name: p.Name, Lines: p.Address, Line1: a.Line1, Line2: a.Line2, Postcode: a.Postcode, City: a.City,
		Country: a.Country, SIREN: p.SIREN, VAT: p.VAT}
}

func day(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(time.DateOnly)
}

func plain(a money.Amount) string { return money.FormatPlain(a) }

// Upload is the body POSTed to a letter provider: the manifest and the PDF
// (base64 in JSON).
type Upload struct {
	Manifest Manifest   `json:"manifest"`
	Document Attachment `json:"document"`
}

// Attachment is a file inside a JSON body.
type Attachment struct {
	File        string `json:"file"`
	ContentType string `json:"content_type"`
	Data        []byte `json:"data"` // base64 in JSON
}

// Receipt is what a provider may answer to an Upload (any 2xx is taken;
// these fields are read when present).
type Receipt struct {
	ID       string `json:"id"`              // the provider's id of the letter
	Tracking string `json:"tracking_number"` // the registered letter's number, when already known
}

// Proof is the body of a provider's callback about a letter it was handed.
type Proof struct {
	Key      string    `json:"key"`   // the letter's idempotency key
	Event    string    `json:"event"` // deposited, delivered, refused or failed
	At       time.Time `json:"at"`    // when it happened (RFC 3339)
	ID       string    `json:"id,omitempty"`
	Tracking string    `json:"tracking_number,omitempty"`
	ProofURL string    `json:"proof_url,omitempty"`
	Reason   string    `json:"reason,omitempty"`
}
