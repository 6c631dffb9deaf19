package letter_test

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/relance/relance/internal/letter"
	"github.com/relance/relance/templates"
)

func notice(t *testing.T, locale string, invoices int) letter.Letter {
	t.Helper()
	set, err := templates.Load("")
	if err != nil {
		t.Fatal(err)
	}
	day := time.Date(2025, 9, 12, 0, 0, 0, 0, time.UTC)
	var invs []templates.Invoice
	for i := range invoices {
		due := day.AddDate(0, 0, -61-i)
		invs = append(invs, templates.Invoice{Number: fmt.Sprintf("F2025-%04d", 100+i), IssueDate: due.AddDate(0, 0, -30),
			DueDate: due, DaysLate: 61 + i, Currency: "EUR", Amount: 1200000, Outstanding: 1200000, Interest: 24365, Indemnity: 4000})
	}
	m := templates.Message{
		Entity: templates.Entity{Name: "Atelier Durand SAS", Locale: "fr", Address: []string{"12 rue des Tanneurs", "69002 Lyon"},
			SIREN: "123 456 789", Email: "compta@atelier-durand.fr", Phone: "04 72 00 00 00", IBAN: "FR76 3000 6000 0112 3456 7890 189"},
		Client:      templates.Client{Code: "C042", Name: "Boulangerie Martin & Fils", Locale: locale, Address: []string{"3 place du Marché", "38000 Grenoble"}},
		Day:         day,
		Step:        templates.Step{ID: "level5", Level: 5, Template: "formal_notice"},
		Invoices:    invs,
		Totals:      templates.TotalsOf(invs),
		PenaltyRate: 1215,
		Penalties:   true,
		Deadline:    day.AddDate(0, 0, 8),
	}
	r, err := set.Render("formal_notice", m)
	if err != nil {
		t.Fatal(err)
	}
	return letter.Letter{Message: m, Locale: r.Locale, Subject: r.Subject, Body: r.Text}
}

var pageObject = regexp.MustCompile(`/Type /Page\b[^s]`)

func TestRender(t *testing.T) {
	for _, tc := range []struct {
		locale   string
		invoices int
		pages    int
	}{
		{"fr", 2, 2},
		{"en", 2, 2},
		{"fr", 80, 0}, // a long statement: the body and the appendix both overflow
	} {
		l := notice(t, tc.locale, tc.invoices)
		pdf, err := letter.Render(l)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.HasPrefix(pdf, []byte("%PDF-")) {
			t.Fatalf("%s/%d: not a PDF: %q", tc.locale, tc.invoices, pdf[:min(len(pdf), 16)])
		}
		pages := len(pageObject.FindAll(pdf, -1))
		if tc.pages != 0 && pages != tc.pages {
			t.Errorf("%s/%d invoices: %d pages, want %d", tc.locale, tc.invoices, pages, tc.pages)
		}
		if tc.pages == 0 && pages < 4 {
			t.Errorf("%s/%d invoices: %d pages, want at least 4", tc.locale, tc.invoices, pages)
		}
		again, err := letter.Render(l)
		if err != nil || !bytes.Equal(pdf, again) {
			t.Errorf("%s/%d: two renders differ (%v)", tc.locale, tc.invoices, err)
		}
		if os.Getenv("LETTER_OUT") != "" {
			_ = os.WriteFile(fmt.Sprintf("%s/letter-%s-%d.pdf", os.Getenv("LETTER_OUT"), tc.locale, tc.invoices), pdf, 0o644)
		}
	}
}

func TestRenderRejectsEmptyLetters(t *testing.T) {
	l := notice(t, "fr", 1)
	l.Body = " \n"
	if _, err := letter.Render(l); err == nil {
		t.Error("empty body accepted")
	}
	l = notice(t, "fr", 1)
	l.Message.Client.Name = ""
	if _, err := letter.Render(l); err == nil {
		t.Error("letter without recipient accepted")
	}
}

// pdfText extracts a PDF's text with pdftotext (poppler-utils, which
// `make deps` installs).
func pdfText(t *testing.T, pdf []byte) string {
	t.Helper()
	bin, err := exec.LookPath("pdftotext")
	if err != nil {
		t.Fatal("pdftotext not found: install poppler-utils (make deps does)")
	}
	path := filepath.Join(t.TempDir(), "letter.pdf")
	if err := os.WriteFile(path, pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, "-enc", "UTF-8", path, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return string(out)
}

// TestLetterNamesBothParties: the formal notice carries the creditor's name,
// address and SIREN, and the debtor's name and address in the envelope's
// window.
func TestLetterNamesBothParties(t *testing.T) {
	l := notice(t, "fr", 1)
	l.Message.Entity.VAT = "FR44732829320"
	l.Message.Client.Address = append(l.Message.Client.Address, "ALLEMAGNE")
	pdf, err := letter.Render(l)
	if err != nil {
		t.Fatal(err)
	}
	text := pdfText(t, pdf)
	for _, want := range []string{
		"Atelier Durand SAS", "12 rue des Tanneurs", "69002 Lyon", "SIREN 123 456 789", "TVA intracommunautaire FR44732829320",
		"Boulangerie Martin & Fils", "3 place du Marché", "38000 Grenoble", "ALLEMAGNE",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the letter lacks %q:\n%s", want, text)
		}
	}
}
