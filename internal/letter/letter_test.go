package letter_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/relance/relance/internal/letter"
	"github.com/relance/relance/internal/letter/lettertest"
	"github.com/relance/relance/internal/money"
	"github.com/relance/relance/internal/penalty"
	"github.com/relance/relance/templates"
)

func day(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

// bill is an invoice of the test portfolio.
type bill struct {
	number, issued, due string
	amount              money.Amount
	paid                money.Amount // settled on paidOn, before the due date
	paidOn              string
}

// notice builds the level-5 message of a client as the send worker does:
// interest from the shipped FR rate tables, the formal_notice templates,
// the letter part as the body.
func notice(t *testing.T, locale, asOf string, bills []bill) letter.Letter {
	t.Helper()
	rates, err := penalty.DefaultRates()
	if err != nil {
		t.Fatal(err)
	}
	calc, err := penalty.New("FR", rates, "")
	if err != nil {
		t.Fatal(err)
	}
	on := day(asOf)
	var invs []templates.Invoice
	for _, b := range bills {
		debt := penalty.Debt{Amount: b.amount, DueDate: day(b.due)}
		if b.paid > 0 {
			debt.Payments = []penalty.Payment{{Day: day(b.paidOn), Amount: b.paid}}
		}
		res, err := calc.Compute(debt, on)
		if err != nil {
			t.Fatal(err)
		}
		invs = append(invs, templates.Invoice{Number: b.number, IssueDate: day(b.issued), DueDate: day(b.due),
			DaysLate: int(on.Sub(day(b.due)).Hours() / 24), Currency: "EUR", Amount: b.amount, Outstanding: b.amount - b.paid,
			Interest: res.Interest, Indemnity: res.Indemnity, Periods: res.Periods,
			PaymentLink: "https://pay.example.com/" + b.number})
	}
	m := templates.Message{
		Creditor: templates.Party{Name: "Atelier Durand SAS", Address: []string{"12 rue des Tanneurs", "69002 Lyon"},
			SIREN: "123 456 789", VAT: "FR32123456789"},
		Debtor: templates.Party{Name: "Boulangerie Martin & Fils", Address: []string{"3 place du Marché", "38000 Grenoble"},
			SIREN: "987 654 321", VAT: "FR45987654321"},
		Entity: templates.Entity{Locale: "fr", Contact: "Service comptabilité clients", Email: "compta@atelier-durand.fr",
			Phone: "04 72 00 00 00", IBAN: "FR76 3000 6000 0112 3456 7890 189", BIC: "AGRIFRPP"},
		Client:    templates.Client{Code: "C042", Locale: locale},
		Day:       on,
		Step:      templates.Step{ID: "level5", Level: 5, Template: "formal_notice"},
		Invoices:  invs,
		Totals:    templates.TotalsOf(invs),
		Penalties: true,
		Deadline:  on.AddDate(0, 0, 8),
	}
	set, err := templates.Load("")
	if err != nil {
		t.Fatal(err)
	}
	r, err := set.Render("formal_notice", m)
	if err != nil {
		t.Fatal(err)
	}
	return letter.Letter{Message: m, Locale: r.Locale, Subject: r.Subject, Body: r.Letter}
}

// threeLateInvoices are late across 1 July 2025: two started in the first
// half-year (ECB 3.15 on 1 January + 10 = 13.15%), all run in the second
// (ECB 2.15 on 1 July + 10 = 12.15%). F2025-0117 was paid 1,800.00 before
// its due date.
var threeLateInvoices = []bill{
	{number: "F2025-0101", issued: "2025-05-10", due: "2025-06-10", amount: 1_200_000},
	{number: "F2025-0117", issued: "2025-05-25", due: "2025-06-25", amount: 480_000, paid: 180_000, paidOn: "2025-05-30"},
	{number: "F2025-0142", issued: "2025-06-10", due: "2025-07-10", amount: 240_000},
}

var (
	pdfText = lettertest.Text
	flat    = lettertest.Flat
)

// readBack renders l and checks that its text holds every want; it returns
// the PDF. LETTER_OUT=DIR keeps it as DIR/name.pdf, to look at.
func readBack(t *testing.T, name string, l letter.Letter, wants []string) []byte {
	t.Helper()
	pdf, err := letter.Render(l)
	if err != nil {
		t.Fatal(err)
	}
	text := pdfText(t, pdf)
	all := flat(text)
	for _, want := range wants {
		if !strings.Contains(all, want) {
			t.Errorf("the letter lacks %q", want)
		}
	}
	if t.Failed() {
		t.Logf("pdftotext:\n%s", text)
	}
	if dir := os.Getenv("LETTER_OUT"); dir != "" {
		_ = os.WriteFile(filepath.Join(dir, name+".pdf"), pdf, 0o644)
	}
	return pdf
}

// TestFormalNoticeStatement lays out the level-5 letter of a client with
// three late invoices over two half-years and reads it back with pdftotext:
// the parties, every invoice, each half-year's rate, days and interest, the
// indemnities and the total all match the computation written out here.
//
//	F2025-0101 12,000.00, due 10 June, 97 days late on 15 September:
//	  11–30 June    20 days × 13.15%: 12,000 × 0.1315 × 20/365 =  86.4657…
//	  1 July–15 Sep 77 days × 12.15%: 12,000 × 0.1215 × 77/365 = 307.5780…
//	  sum 394.0438… → 394.04; rounded down 86.46 + 307.57 = 394.03, the cent
//	  left goes to the larger remainder: 86.46 + 307.58
//	F2025-0117 3,000.00 still due (4,800.00 less 1,800.00), due 25 June, 82 days:
//	  26–30 June     5 days × 13.15%: 3,000 × 0.1315 × 5/365  =   5.4041…
//	  1 July–15 Sep 77 days × 12.15%: 3,000 × 0.1215 × 77/365 =  76.8945…
//	  sum 82.2986… → 82.30: 5.40 + 76.90
//	F2025-0142 2,400.00, due 10 July, 67 days:
//	  11 July–15 Sep 67 days × 12.15%: 2,400 × 0.1215 × 67/365 = 53.5265… → 53.53
//	Principal 17,400.00; interest 394.04 + 82.30 + 53.53 = 529.87;
//	indemnities 3 × 40.00 = 120.00; total 18,049.87; deadline 23 September.
func TestFormalNoticeStatement(t *testing.T) {
	readBack(t, "letter-fr", notice(t, "fr", "2025-09-15", threeLateInvoices), []string{
		// The parties.
		"Atelier Durand SAS", "12 rue des Tanneurs", "69002 Lyon", "SIREN 123 456 789", "TVA intracommunautaire FR32123456789",
		"Boulangerie Martin & Fils", "3 place du Marché", "38000 Grenoble",
		"Vos références : compte client C042 – SIREN 987 654 321 – TVA intracommunautaire FR45987654321",
		"LETTRE RECOMMANDÉE AVEC ACCUSÉ DE RÉCEPTION", "MISE EN DEMEURE", "Lyon, le 15 septembre 2025",
		// The invoices: number, date, due date, outstanding, days late, interest, indemnity, total.
		"F2025-0101 10/05/2025 10/06/2025 12 000,00 € 97 394,04 € 40,00 € 12 434,04 €",
		"F2025-0117 25/05/2025 25/06/2025 3 000,00 € 82 82,30 € 40,00 € 3 122,30 €",
		"F2025-0142 10/06/2025 10/07/2025 2 400,00 € 67 53,53 € 40,00 € 2 493,53 €",
		"Total 17 400,00 € 529,87 € 120,00 € 18 049,87 €",
		// The interest, half-year by half-year.
		"F2025-0101 du 11/06/2025 au 30/06/2025 20 13,15 % 12 000,00 € 86,46 €",
		"du 01/07/2025 au 15/09/2025 77 12,15 % 12 000,00 € 307,58 €",
		"F2025-0117 du 26/06/2025 au 30/06/2025 5 13,15 % 3 000,00 € 5,40 €",
		"du 01/07/2025 au 15/09/2025 77 12,15 % 3 000,00 € 76,90 €",
		"F2025-0142 du 11/07/2025 au 15/09/2025 67 12,15 % 2 400,00 € 53,53 €",
		// The totals, the deadline, the legal basis, the next step, how to pay.
		"Principal restant dû 17 400,00 €", "Pénalités de retard 529,87 €",
		"Indemnités forfaitaires (3 factures × 40,00 €) 120,00 €", "TOTAL À RÉGLER 18 049,87 €",
		"À régler au plus tard le 23/09/2025.",
		"dans un délai de 8 jours, soit au plus tard le 23 septembre 2025",
		"au taux de 13,15 % l'an du 01/01/2025 au 30/06/2025, puis de 12,15 % l'an depuis le 01/07/2025",
		"injonction de payer",
		"IBAN FR76 3000 6000 0112 3456 7890 189, BIC AGRIFRPP",
		"Paiement en ligne, facture F2025-0101 : https://pay.example.com/F2025-0101",
	})
}

func TestFormalNoticeInEnglish(t *testing.T) {
	readBack(t, "letter-en", notice(t, "en", "2025-09-15", threeLateInvoices), []string{
		"REGISTERED LETTER WITH ACKNOWLEDGEMENT OF RECEIPT", "FORMAL NOTICE", "Lyon, 15 September 2025",
		"Your references: account C042 – SIREN 987 654 321 – VAT number FR45987654321",
		"F2025-0101 10 May 2025 10 Jun 2025 €12,000.00 97 €394.04 €40.00 €12,434.04",
		"F2025-0101 11 Jun 2025 to 30 Jun 2025 20 13.15% €12,000.00 €86.46",
		"1 Jul 2025 to 15 Sep 2025 77 12.15% €12,000.00 €307.58",
		"Fixed compensation (3 invoices × €40.00) €120.00", "TOTAL DUE €18,049.87",
		"To be paid no later than 23 Sep 2025.",
		"at the rate of 13.15% per annum from 1 January 2025 to 30 June 2025, then 12.15% per annum since 1 July 2025",
		"order for payment",
	})
}

// Mail abroad ends each address with its country (ledger's
// Address.Lines): the letter is still dated from the creditor's town.
func TestFormalNoticeAbroadIsDatedFromTheTown(t *testing.T) {
	l := notice(t, "en", "2025-09-15", threeLateInvoices)
	l.Message.Creditor.Address = append(l.Message.Creditor.Address, "FRANCE")
	l.Message.Debtor.Address = []string{"Hauptstraße 5", "10115 Berlin", "GERMANY"}
	readBack(t, "letter-abroad", l, []string{"FRANCE", "Hauptstraße 5", "10115 Berlin", "GERMANY", "Lyon, 15 September 2025"})
}

// An invoice not yet due that rode along is named, never claimed.
func TestFormalNoticeLeavesOutWhatIsNotYetDue(t *testing.T) {
	bills := append(append([]bill(nil), threeLateInvoices...), bill{number: "F2025-0230", issued: "2025-08-20", due: "2025-09-20", amount: 90_000})
	l := notice(t, "fr", "2025-09-15", bills)
	pdf, err := letter.Render(l)
	if err != nil {
		t.Fatal(err)
	}
	text := flat(pdfText(t, pdf))
	if !strings.Contains(text, "TOTAL À RÉGLER 18 049,87 €") || !strings.Contains(text, "de la somme de 18 049,87 €") {
		t.Error("the claim changed with an invoice not yet due")
	}
	if !strings.Contains(text, "non encore échue(s) : F2025-0230, échéance le 20/09/2025.") {
		t.Errorf("the invoice not yet due is not named:\n%s", text)
	}
	if strings.Contains(text, "F2025-0230 20/08/2025") {
		t.Error("the invoice not yet due is in the statement")
	}
}

var pageObject = regexp.MustCompile(`/Type /Page\b[^s]`)

func TestRenderIsReproducibleAndPaged(t *testing.T) {
	var many []bill
	for i := range 80 {
		due := day("2025-06-01").AddDate(0, 0, i)
		many = append(many, bill{number: fmt.Sprintf("F2025-%04d", 100+i), issued: due.AddDate(0, 0, -30).Format(time.DateOnly),
			due: due.Format(time.DateOnly), amount: money.Amount(100_000 + 1_000*i)})
	}
	for _, tc := range []struct {
		name     string
		bills    []bill
		minPages int
	}{{"three invoices", threeLateInvoices, 2}, {"eighty invoices", many, 5}} {
		l := notice(t, "fr", "2025-09-15", tc.bills)
		pdf, err := letter.Render(l)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.HasPrefix(pdf, []byte("%PDF-")) {
			t.Fatalf("%s: not a PDF: %q", tc.name, pdf[:min(len(pdf), 16)])
		}
		if pages := len(pageObject.FindAll(pdf, -1)); pages < tc.minPages {
			t.Errorf("%s: %d pages, want at least %d", tc.name, pages, tc.minPages)
		}
		again, err := letter.Render(l)
		if err != nil || !bytes.Equal(pdf, again) {
			t.Errorf("%s: two renders differ (%v)", tc.name, err)
		}
		if os.Getenv("LETTER_OUT") != "" {
			_ = os.WriteFile(filepath.Join(os.Getenv("LETTER_OUT"), strings.ReplaceAll(tc.name, " ", "-")+".pdf"), pdf, 0o644)
		}
		// Every invoice and every period reaches the page, across page breaks.
		text := pdfText(t, pdf)
		for _, b := range tc.bills {
			if n := strings.Count(text, b.number); n < 2 {
				t.Errorf("%s: %s appears %d times, want its row and its interest", tc.name, b.number, n)
			}
		}
	}
}

func TestRenderRejectsEmptyLetters(t *testing.T) {
	l := notice(t, "fr", "2025-09-15", threeLateInvoices)
	l.Body = " \n"
	if _, err := letter.Render(l); err == nil {
		t.Error("empty body accepted")
	}
	l = notice(t, "fr", "2025-09-15", threeLateInvoices)
	l.Message.Debtor.Name = ""
	if _, err := letter.Render(l); err == nil {
		t.Error("letter without recipient accepted")
	}
}
