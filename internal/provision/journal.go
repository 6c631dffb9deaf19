package provision

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/relance/relance/internal/money"
)

// Accounts is the chart of accounts the journal books on, and its journal
// (provision.accounts and provision.journal in the configuration). A
// company with longer account numbers (41100000) sets them here.
type Accounts struct {
	Receivable string // 411 Clients
	Doubtful   string // 416 Clients douteux ou litigieux
	Allowance  string // 491 Dépréciations des comptes de clients
	Expense    string // 6817 Dotations aux dépréciations des actifs circulants
	Reversal   string // 7817 Reprises sur dépréciations des actifs circulants
	Loss       string // 654 Pertes sur créances irrécouvrables
	VAT        string // 44571 TVA collectée
	// Journal is the journal's code (JournalCode) and JournalLabel its name
	// (JournalLib): OD, opérations diverses, by default.
	Journal, JournalLabel string
}

// DefaultAccounts is the French chart of accounts (plan comptable général)
// and the OD journal.
func DefaultAccounts() Accounts {
	return Accounts{Receivable: "411", Doubtful: "416", Allowance: "491", Expense: "6817", Reversal: "7817",
		Loss: "654", VAT: "44571", Journal: "OD", JournalLabel: "Opérations diverses"}
}

// role is an account number with the part it plays.
type role struct{ role, number string }

// roles lists the accounts by the part each plays, in a fixed order.
func (a Accounts) roles() []role {
	return []role{{"receivable", a.Receivable}, {"doubtful", a.Doubtful}, {"allowance", a.Allowance},
		{"expense", a.Expense}, {"reversal", a.Reversal}, {"loss", a.Loss}, {"vat", a.VAT}}
}

// Check reports an empty account number, or one given two parts.
func (a Accounts) Check() error {
	seen := map[string]string{}
	for _, r := range a.roles() {
		switch {
		case strings.TrimSpace(r.number) == "":
			return fmt.Errorf("accounts.%s: required", r.role)
		case strings.ContainsAny(r.number, "|\t\r\n"):
			return fmt.Errorf("accounts.%s: %q: no tabs, bars or line breaks", r.role, r.number)
		case seen[r.number] != "":
			return fmt.Errorf("accounts.%s: %s is already accounts.%s", r.role, r.number, seen[r.number])
		}
		seen[r.number] = r.role
	}
	if strings.TrimSpace(a.Journal) == "" || strings.ContainsAny(a.Journal+a.JournalLabel, "|\t\r\n") {
		return fmt.Errorf("journal.code: %q: want a code without tabs, bars or line breaks", a.Journal)
	}
	return nil
}

// Line is one line of the journal.
type Line struct {
	Entry        int       // the entry's number in the journal, from 1: the lines of an entry balance
	EntryID      int64     // the entry's id in the ledger
	Day          time.Time // EcritureDate
	Account      string
	AccountLabel string
	// Aux and AuxLabel are the client's code and name on the receivable
	// accounts (411, 416): the auxiliary account (CompAuxNum) of the FEC.
	Aux, AuxLabel string
	Piece         string    // the invoice's number
	PieceDate     time.Time // the invoice's date
	Label         string
	Debit, Credit money.Amount
	Currency      string
	// Deductible is "yes" or "no" on the lines of a provision or a
	// reversal, "" on others.
	Deductible string
}

// Lines turns entries into the journal's lines, in the order of the
// entries (ledger.Store.JournalEntries gives them by day), with labels in locale (fr or en). Each
// entry's lines balance.
func Lines(entries []Entry, a Accounts, locale string) []Line {
	w := wordingFor(locale)
	var out []Line
	for n, e := range entries {
		base := Line{Entry: n + 1, EntryID: e.ID, Day: e.Day, Piece: e.Invoice, PieceDate: e.Issued, Currency: e.Currency}
		line := func(account, label string, debit, credit money.Amount, aux bool) Line {
			l := base
			l.Account, l.AccountLabel, l.Label, l.Debit, l.Credit = account, w.account(a, account), label, debit, credit
			if aux {
				l.Aux, l.AuxLabel = e.Client, e.ClientName
			}
			return l
		}
		who := e.Invoice + " " + e.ClientName
		switch e.Kind {
		case Reclassification:
			label := fmt.Sprintf(w.reclassification, who)
			if e.Cause == CauseInsolvency {
				label += w.insolvency
			}
			out = append(out, line(a.Doubtful, label, e.Amount, 0, true), line(a.Receivable, label, 0, e.Amount, true))
		case Provision, Reversal:
			deductible, yes := w.notDeductible, "no"
			if e.TaxDeductible {
				deductible, yes = w.deductible, "yes"
			}
			var debit, credit Line
			if e.Kind == Provision {
				label := fmt.Sprintf(w.provision, who, money.FormatRate(e.RateBP, w.locale), w.amount(e.Base)) + deductible
				debit, credit = line(a.Expense, label, e.Amount, 0, false), line(a.Allowance, label, 0, e.Amount, false)
			} else {
				label := fmt.Sprintf(w.reversal, who, w.cause(e.Cause)) + deductible
				debit, credit = line(a.Allowance, label, e.Amount, 0, false), line(a.Reversal, label, 0, e.Amount, false)
			}
			debit.Deductible, credit.Deductible = yes, yes
			out = append(out, debit, credit)
		case WriteOff:
			receivable := a.Receivable
			if e.Doubtful {
				receivable = a.Doubtful
			}
			out = append(out, line(a.Loss, fmt.Sprintf(w.loss, who), e.Amount-e.VAT, 0, false))
			if e.VAT > 0 {
				out = append(out, line(a.VAT, fmt.Sprintf(w.vatRecovered, who), e.VAT, 0, false))
			}
			out = append(out, line(receivable, fmt.Sprintf(w.writeOff, who), 0, e.Amount, true))
		}
	}
	return out
}

// Totals are a journal's debits and credits in one currency.
type Totals struct {
	Currency      string
	Debit, Credit money.Amount
}

// Balance adds up the lines' debits and credits per currency, in currency
// order; a journal balances when each has Debit == Credit.
func Balance(lines []Line) []Totals {
	by := map[string]*Totals{}
	var order []string
	for _, l := range lines {
		t := by[l.Currency]
		if t == nil {
			t = &Totals{Currency: l.Currency}
			by[l.Currency] = t
			order = append(order, l.Currency)
		}
		t.Debit += l.Debit
		t.Credit += l.Credit
	}
	sort.Strings(order)
	out := make([]Totals, len(order))
	for i, c := range order {
		out[i] = *by[c]
	}
	return out
}

// journalWording is the fixed text of the journal in one language.
type journalWording struct {
	locale                                  string
	reclassification, insolvency, provision string
	reversal, loss, vatRecovered, writeOff  string
	deductible, notDeductible               string
	causes                                  map[string]string
	accounts                                map[string]string // by role
	decimal                                 string
}

var frenchJournal = journalWording{
	locale:           "fr",
	reclassification: "Reclassement en créance douteuse %s",
	insolvency:       " (procédure collective)",
	provision:        "Dépréciation %s : %s de %s HT",
	reversal:         "Reprise de dépréciation %s (%s)",
	loss:             "Perte sur créance irrécouvrable %s",
	vatRecovered:     "TVA récupérée sur créance irrécouvrable %s",
	writeOff:         "Passage en perte %s",
	deductible:       " - déductible",
	notDeductible:    " - non déductible",
	causes: map[string]string{CauseSettled: "réglée", CauseRate: "taux réduit", CauseWriteOff: "passage en perte",
		CauseAge: "ancienneté", CauseInsolvency: "procédure collective"},
	accounts: map[string]string{"receivable": "Clients", "doubtful": "Clients douteux ou litigieux",
		"allowance": "Dépréciations des comptes de clients", "expense": "Dotations aux dépréciations des actifs circulants",
		"reversal": "Reprises sur dépréciations des actifs circulants", "loss": "Pertes sur créances irrécouvrables",
		"vat": "TVA collectée"},
	decimal: ",",
}

var englishJournal = journalWording{
	locale:           "en",
	reclassification: "Reclassified as doubtful %s",
	insolvency:       " (insolvency proceeding)",
	provision:        "Provision %s: %s of %s excl. VAT",
	reversal:         "Provision reversal %s (%s)",
	loss:             "Bad debt written off %s",
	vatRecovered:     "VAT recovered on bad debt %s",
	writeOff:         "Written off %s",
	deductible:       " - tax-deductible",
	notDeductible:    " - not tax-deductible",
	causes: map[string]string{CauseSettled: "settled", CauseRate: "rate reduced", CauseWriteOff: "written off",
		CauseAge: "age", CauseInsolvency: "insolvency proceeding"},
	accounts: map[string]string{"receivable": "Trade receivables", "doubtful": "Doubtful receivables",
		"allowance": "Allowance for doubtful receivables", "expense": "Provision expense on current assets",
		"reversal": "Provision reversals on current assets", "loss": "Bad debt losses", "vat": "Output VAT"},
	decimal: ".",
}

func wordingFor(locale string) journalWording {
	if strings.HasPrefix(locale, "en") {
		return englishJournal
	}
	return frenchJournal
}

// account is the label of account in a's chart.
func (w journalWording) account(a Accounts, account string) string {
	for _, r := range a.roles() {
		if r.number == account {
			return w.accounts[r.role]
		}
	}
	return ""
}

func (w journalWording) cause(c string) string {
	if s, ok := w.causes[c]; ok {
		return s
	}
	return c
}

// amount writes an amount in a label: no grouping, the locale's decimal
// mark, as accounting software shows it.
func (w journalWording) amount(a money.Amount) string {
	return strings.Replace(money.FormatPlain(a), ".", w.decimal, 1)
}
