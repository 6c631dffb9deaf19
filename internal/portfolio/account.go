package portfolio

import (
	"cmp"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/relance/relance/internal/clock"
	"github.com/relance/relance/internal/ledger"
	"github.com/relance/relance/internal/money"
)

// termsChoice is payment terms as written in the file and as ledger reads
// them; a test checks that ledger.ParseTerms(text) gives terms.
type termsChoice struct {
	text   string
	terms  ledger.Terms
	weight int // per hundred clients
}

var termsChoices = []termsChoice{
	{"30 jours", ledger.Terms{Days: 30}, 50},
	{"45 FDM", ledger.Terms{Days: 45, EndOfMonth: true}, 30},
	{"60 jours", ledger.Terms{Days: 60}, 20},
}

// creditNoteTerms are the terms of a credit note: it is due on issue.
const creditNoteTerms = "comptant"

// disputeReasons are what clients say, each with the reason code of the
// default configuration (disputes.reasons) it files under.
var disputeReasons = []struct{ code, text string }{
	{"quality", "Marchandise non conforme à la commande"},
	{"quantity", "Quantité livrée inférieure à la quantité facturée"},
	{"price", "Prix facturé différent du devis"},
	{"billing", "Facture reçue en double"},
	{"delivery", "Prestation non réalisée ou incomplète"},
	{"billing", "Bon de commande manquant"},
	{"delivery", "Livraison endommagée, réserves émises"},
	{"price", "Remise commerciale non appliquée"},
}

// behaviour is what a payer type means in numbers, all integers so that the
// draw is the same on every platform.
type behaviour struct {
	neverPerMille    int // share of invoices never paid (lost, contested, forgotten)
	delayMin, delayN int // days after the due date: delayMin + IntN(delayN)
	partialPerMille  int // share of open invoices with a partial payment
	disputePerMille  int // share of open invoices in dispute
}

var behaviours = [...]behaviour{
	OnTime:       {neverPerMille: 5, delayMin: -10, delayN: 14, partialPerMille: 30, disputePerMille: 10},
	SlightlyLate: {neverPerMille: 15, delayMin: 1, delayN: 20, partialPerMille: 60, disputePerMille: 15},
	ChronicLate:  {neverPerMille: 50, delayMin: 15, delayN: 106, partialPerMille: 150, disputePerMille: 30},
	Failing:      {neverPerMille: 250, delayMin: 30, delayN: 150, partialPerMille: 200, disputePerMille: 40},
}

// maxDraws bounds the rejection sampling of an open invoice; past it the
// invoice is simply a recent one the client has not paid yet.
const maxDraws = 64

// draft is an item being drawn, with what hangs on it until it has a number.
type draft struct {
	Item
	payments []Payment
	dispute  *Dispute
	target   int // for a credit note, the index of its invoice among the invoices
}

// clientDraw is what the draws of one client's items share.
type clientDraw struct {
	r          *rand.Rand
	payer      PayerType
	b          behaviour
	terms      ledger.Terms
	asOf, stop time.Time
	window     int // days from 18 months before asOf to asOf
}

// account draws client i (0-based) and its n open items, numbered from
// first. It depends only on the seed, i, n, first and the as-of date.
func (p *Portfolio) account(i, n, first int) Account {
	r := rand.New(rand.NewPCG(p.opts.Seed, uint64(i)))
	asOf := p.opts.AsOf
	c, terms := newClient(r, i, p.sirenOffset)
	d := clientDraw{
		r: r, payer: c.Payer, b: behaviours[c.Payer], terms: terms, asOf: asOf,
		// A failing client stopped paying between one and a half and seven
		// and a half months ago.
		stop:   asOf.AddDate(0, 0, -(45 + r.IntN(180))),
		window: clock.DaysBetween(asOf.AddDate(0, -18, 0), asOf),
	}

	nCredit := 0
	for j := 1; j < n; j++ {
		if r.IntN(100) < 4 && nCredit < n/2 {
			nCredit++
		}
	}
	invoices := make([]draft, 0, n)
	for range n - nCredit {
		issue, due := d.openInvoiceDates()
		ttc := drawAmount(r, c.Profile == "key_account")
		invoices = append(invoices, draft{Item: Item{
			Kind: Invoice, Issue: issue, Due: due, Terms: c.Terms,
			AmountInclVAT: ttc, AmountExclVAT: exclVAT(ttc),
		}})
	}
	slices.SortStableFunc(invoices, func(a, b draft) int { return a.Issue.Compare(b.Issue) })
	for k := range invoices {
		d.partialPayments(&invoices[k])
		d.dispute(&invoices[k])
	}
	credits := d.creditNotes(invoices, nCredit)
	return number(c, invoices, credits, first)
}

// openInvoiceDates draws the issue and due dates of an invoice still open at
// the as-of date: dates spread over 18 months, kept when the client's
// behaviour leaves the invoice unpaid (rejection sampling).
func (d *clientDraw) openInvoiceDates() (issue, due time.Time) {
	for range maxDraws {
		issue = weekday(d.asOf.AddDate(0, 0, -d.r.IntN(d.window+1)))
		due = d.terms.DueDate(issue, ledger.DaysThenEOM)
		if d.open(issue, due) {
			return issue, due
		}
	}
	issue = weekday(d.asOf.AddDate(0, 0, -d.r.IntN(min(d.terms.Days, d.window)+1)))
	return issue, d.terms.DueDate(issue, ledger.DaysThenEOM)
}

// open says whether an invoice issued on issue and due on due is still
// unpaid at the as-of date.
func (d *clientDraw) open(issue, due time.Time) bool {
	if d.payer == Failing && !issue.Before(d.stop) {
		return true
	}
	if d.r.IntN(1000) < d.b.neverPerMille {
		return true
	}
	paid := due.AddDate(0, 0, d.b.delayMin+d.r.IntN(d.b.delayN))
	return paid.After(d.asOf)
}

// partialPayments sometimes pays 10–70% of an invoice, in one or two
// transfers on working days after its issue.
func (d *clientDraw) partialPayments(inv *draft) {
	r := d.r
	days := clock.DaysBetween(inv.Issue, d.asOf)
	if days <= 0 || r.IntN(1000) >= d.b.partialPerMille {
		return
	}
	total := inv.AmountInclVAT * money.Amount(10+r.IntN(61)) / 100
	parts := []money.Amount{total}
	if r.IntN(10) < 3 {
		firstPart := total * money.Amount(30+r.IntN(41)) / 100
		parts = []money.Amount{firstPart, total - firstPart}
	}
	var dates []time.Time
	for range parts {
		dates = append(dates, workingDayFrom(inv.Issue.AddDate(0, 0, 1+r.IntN(days)), inv.Issue.AddDate(0, 0, 1)))
	}
	slices.SortFunc(dates, time.Time.Compare)
	for j, amt := range parts {
		if amt <= 0 {
			continue
		}
		inv.Paid += amt
		inv.payments = append(inv.payments, Payment{Date: dates[j], Amount: amt, Reference: bankReference(r)})
	}
}

// dispute sometimes opens a dispute on an invoice, from a fortnight before
// its due date (and at least three days after issue) up to the as-of date.
func (d *clientDraw) dispute(inv *draft) {
	if d.r.IntN(1000) >= d.b.disputePerMille {
		return
	}
	from := inv.Issue.AddDate(0, 0, 3)
	if early := inv.Due.AddDate(0, 0, -15); early.After(from) {
		from = early
	}
	if span := clock.DaysBetween(from, d.asOf); span >= 0 {
		opened := workingDayFrom(from.AddDate(0, 0, d.r.IntN(span+1)), from)
		r := pick(d.r, disputeReasons)
		inv.dispute = &Dispute{Reason: r.code, Note: r.text, Opened: opened}
	}
}

// creditNotes draws n credit notes on distinct invoices, each for 10–100% of
// what is still owed on its invoice and issued after it, sorted by date.
func (d *clientDraw) creditNotes(invoices []draft, n int) []draft {
	r := d.r
	credits := make([]draft, 0, n)
	for _, target := range r.Perm(len(invoices))[:n] {
		inv := invoices[target]
		owed := inv.AmountInclVAT - inv.Paid
		amount := max(owed*money.Amount(10+r.IntN(91))/100, 1)
		issue := workingDayFrom(inv.Issue.AddDate(0, 0, r.IntN(clock.DaysBetween(inv.Issue, d.asOf)+1)), inv.Issue)
		credits = append(credits, draft{Item: Item{
			Kind: CreditNote, Issue: issue, Due: issue, Terms: creditNoteTerms,
			AmountInclVAT: -amount, AmountExclVAT: exclVAT(-amount),
		}, target: target})
	}
	slices.SortStableFunc(credits, func(a, b draft) int {
		return cmp.Or(a.Issue.Compare(b.Issue), cmp.Compare(a.target, b.target))
	})
	return credits
}

// number merges invoices and credit notes (each sorted by date) by issue
// date, an invoice before a credit note of the same day, and numbers them
// from first: numbers follow dates and a credit note comes after its invoice.
func number(c Client, invoices, credits []draft, first int) Account {
	acc := Account{Client: c, Items: make([]Item, 0, len(invoices)+len(credits))}
	numbers := make([]string, len(invoices))
	next := first
	newNumber := func(prefix string) string {
		s := prefix + pad(next, 7)
		next++
		return s
	}
	ci := 0
	for k := range invoices {
		for ci < len(credits) && credits[ci].Issue.Before(invoices[k].Issue) {
			acc.addCredit(&credits[ci].Item, numbers[credits[ci].target], newNumber("AV"))
			ci++
		}
		inv := &invoices[k]
		numbers[k] = newNumber("FA")
		inv.Number = numbers[k]
		acc.Items = append(acc.Items, inv.Item)
		for _, pay := range inv.payments {
			pay.Invoice = inv.Number
			acc.Payments = append(acc.Payments, pay)
		}
		if inv.dispute != nil {
			inv.dispute.Invoice = inv.Number
			acc.Disputes = append(acc.Disputes, *inv.dispute)
		}
	}
	for ; ci < len(credits); ci++ {
		acc.addCredit(&credits[ci].Item, numbers[credits[ci].target], newNumber("AV"))
	}
	return acc
}

func (acc *Account) addCredit(it *Item, appliesTo, number string) {
	it.Number, it.AppliesTo = number, appliesTo
	acc.Items = append(acc.Items, *it)
}

// newClient draws client i's identity and behaviour.
func newClient(r *rand.Rand, i int, sirenOffset uint64) (Client, ledger.Terms) {
	c := Client{Code: "C" + pad(i+1, 6), Country: "FR", Locale: "fr"}
	switch n := r.IntN(100); {
	case n < 45:
		c.Payer = OnTime
	case n < 75:
		c.Payer = SlightlyLate
	case n < 93:
		c.Payer = ChronicLate
	default:
		c.Payer = Failing
	}
	c.Profile = "standard"
	switch n := r.IntN(100); {
	case c.Payer == Failing && n < 80, c.Payer == ChronicLate && n < 35:
		c.Profile = "risky"
	case c.Payer <= SlightlyLate && n < 10:
		c.Profile = "key_account"
	}

	var stem string
	if r.IntN(10) == 0 {
		place := pick(r, foreignPlaces)
		c.Name, stem = englishName(r, place.form)
		c.Locale, c.Country = "en", place.country
		c.Street = strconv.Itoa(1+r.IntN(120)) + " " + place.street
		c.Postcode, c.City = place.postcode, place.city
		c.Email = pick(r, []string{"accounts", "accounts.payable", "finance"}) + "@" + slug(stem) + "." + place.tld
	} else {
		c.Name, stem = frenchName(r)
		c.SIREN = newSIREN(i, sirenOffset)
		town := pick(r, frenchCities)
		c.Street = streetNumber(r) + " " + pick(r, frenchStreets)
		c.Postcode, c.City = town.postcode, town.name
		c.Email = pick(r, []string{"comptabilite", "compta", "factures", "fournisseurs"}) + "@" + slug(stem) + ".fr"
	}

	n := r.IntN(100)
	if c.Profile == "key_account" {
		n = 30 + r.IntN(70) // big accounts negotiate longer terms
	}
	chosen := termsChoices[0]
	for _, t := range termsChoices {
		if n < t.weight {
			chosen = t
			break
		}
		n -= t.weight
	}
	c.Terms = chosen.text
	return c, chosen.terms
}

// drawAmount draws an amount including VAT: most invoices between 200 and
// 20,000 €, a few small ones and a long tail up to 150,000 €, skewed towards
// the low end of each band. Key accounts buy more.
func drawAmount(r *rand.Rand, keyAccount bool) money.Amount {
	n := r.IntN(1000)
	if keyAccount {
		n = 300 + r.IntN(700)
	}
	var lo, hi int64 // euros
	switch {
	case n < 20:
		lo, hi = 50, 200
	case n < 370:
		lo, hi = 200, 1_000
	case n < 720:
		lo, hi = 1_000, 5_000
	case n < 920:
		lo, hi = 5_000, 20_000
	case n < 980:
		lo, hi = 20_000, 60_000
	default:
		lo, hi = 60_000, 150_000
	}
	span := (hi - lo) * 100
	return money.Amount(lo*100 + min(r.Int64N(span), r.Int64N(span)))
}

// exclVAT is the amount excluding 20% VAT, rounded half away from zero to the
// cent: ttc × 10 / 12.
func exclVAT(ttc money.Amount) money.Amount {
	if ttc < 0 {
		return -exclVAT(-ttc)
	}
	return (ttc*10 + 6) / 12
}

// weekday moves a Saturday or Sunday back to the Friday before: ERPs do not
// invoice at weekends.
func weekday(d time.Time) time.Time {
	switch d.Weekday() {
	case time.Saturday:
		return d.AddDate(0, 0, -1)
	case time.Sunday:
		return d.AddDate(0, 0, -2)
	}
	return d
}

// workingDayFrom moves a weekend date d back to the Friday before, unless
// that falls before from: payments, credit notes and letters happen on
// working days, but never before what they follow.
func workingDayFrom(d, from time.Time) time.Time {
	if wd := weekday(d); !wd.Before(from) {
		return wd
	}
	return d
}

// bankReference draws a bank transfer reference such as "VIR 4830211957".
func bankReference(r *rand.Rand) string {
	return "VIR " + pad(int(r.Int64N(10_000_000_000)), 10)
}

// pad writes n in decimal with leading zeros up to width digits.
func pad(n, width int) string {
	s := strconv.Itoa(n)
	if len(s) >= width {
		return s
	}
	return strings.Repeat("0", width-len(s)) + s
}
