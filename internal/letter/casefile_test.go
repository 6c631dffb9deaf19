package letter_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/relance/relance/internal/ledger"
	"github.com/relance/relance/internal/letter"
	"github.com/relance/relance/internal/letter/lettertest"
	"github.com/relance/relance/internal/penalty"
)

// dossier is case 7 as of 12 September 2025: an injonction de payer for
// F-1 (12,000.00 due 14 July, the DESIGN example: 60 days at 12.15 %) and
// F-2 (1,000.00 due 30 June, 400.00 of it recovered on 20 August).
func dossier() ledger.CaseDossier {
	return ledger.CaseDossier{
		Day: day("2025-09-12"),
		Case: ledger.Case{ID: 7, Client: "C042", Procedure: ledger.Injonction, Currency: "EUR",
			Reference: "RG 25/01234", Handler: "Me Lambert", Opened: day("2025-08-10"), Filed: day("2025-08-12"),
			Granted: day("2025-08-25"), Served: day("2025-08-29"), OpenedBy: "cli:alice",
			Invoices: []ledger.CaseInvoice{
				{Number: "F-1", Issued: day("2025-06-14"), Due: day("2025-07-14"), Amount: 1200000, Claimed: 1200000, Outstanding: 1200000},
				{Number: "F-2", Issued: day("2025-05-31"), Due: day("2025-06-30"), Amount: 100000, Claimed: 100000, Recovered: 40000,
					Outstanding: 60000, Settlements: []ledger.Settlement{{Day: day("2025-08-20"), Amount: 40000}}},
			},
			Costs: []ledger.CaseCost{
				{Kind: ledger.CostFees, Amount: 3500, On: day("2025-08-12"), Note: "greffe"},
				{Kind: ledger.CostBailiff, Amount: 8950, On: day("2025-08-29"), Note: "signification"},
			}},
		Creditor: ledger.Entity{Code: "default", Name: "Atelier Durand SAS", Country: "FR", Locale: "fr", SIREN: "123456789",
			Address: ledger.Address{Line1: "12 rue des Tanneurs", Postcode: "69002", City: "Lyon"}},
		Debtor: ledger.Client{Code: "C042", Name: "Boulangerie Martin & Fils", Country: "FR", SIREN: "987654321",
			Address: ledger.Address{Line1: "3 place du Marché", Postcode: "38000", City: "Grenoble"}},
		Reminders: []ledger.CaseReminder{
			{Day: day("2025-07-01"), Step: "level1", Level: 1, Channel: "email", Invoices: []string{"F-2"}},
			{Day: day("2025-07-15"), Step: "level1", Level: 1, Channel: "email", Invoices: []string{"F-1"}},
			{Day: day("2025-07-31"), Step: "level5", Level: 5, Channel: "registered_letter", Invoices: []string{"F-1", "F-2"}},
		},
	}
}

func caseRules(t *testing.T) letter.Rules {
	t.Helper()
	rates, err := penalty.DefaultRates()
	if err != nil {
		t.Fatal(err)
	}
	rules, err := penalty.NewChooser("", rates, "")
	if err != nil {
		t.Fatal(err)
	}
	return rules
}

// TestCaseFileReadsBack lays the case file out in French and English and
// reads what a lawyer would: the parties, the stages with the opposition
// deadline, the invoices, the claim with its penalties worked out by hand,
// the reminders with dates and channels, the letter without a recorded
// posting, the costs.
//
// F-1: 12,000.00 × 12.15 % × 60/365 = 239.67 (DESIGN §2). F-2: 1,000.00 for
// 51 days (1 July – 20 August) and 600.00 for 23 days (21 August – 12
// September) at 12.15 %: (100,000 × 51 + 60,000 × 23) × 0.1215 / 365 cents =
// 21.57. Claim: 12,600.00 + 261.24 + 2 × 40.00 = 12,941.24.
func TestCaseFileReadsBack(t *testing.T) {
	tests := []struct {
		locale string
		want   []string
	}{
		{"fr", []string{
			"Atelier Durand SAS", "DOSSIER DE RECOUVREMENT CONTENTIEUX", "Dossier n° 7 – injonction de payer", "Établi le 12/09/2025",
			"CRÉANCIER", "DÉBITEUR", "Boulangerie Martin & Fils", "3 place du Marché", "SIREN 987 654 321", "compte client C042",
			"Référence : RG 25/01234", "Mandataire : Me Lambert", "Dossier ouvert le 10/08/2025 par cli:alice",
			"saisine (requête ou assignation) 12/08/2025", "signification au débiteur 29/08/2025",
			"fin du délai d'opposition (signification + 1 mois) 29/09/2025", "titre exécutoire —", "clôture —",
			"F-2 31/05/2025 30/06/2025 1 000,00 € 1 000,00 € 400,00 € 600,00 €", "Total 13 000,00 € 400,00 € 12 600,00 €",
			"F-1 14/06/2025 14/07/2025 12 000,00 € 60 239,67 € 40,00 €", "du 01/07/2025 au 20/08/2025 51 12,15 % 1 000,00 €",
			"du 21/08/2025 au 12/09/2025 23 12,15 % 600,00 €", "TOTAL DE LA CRÉANCE 12 941,24 €",
			"01/07/2025 relance n° 1 e-mail F-2", "31/07/2025 mise en demeure lettre recommandée AR F-1, F-2",
			"31/07/2025 mise en demeure F-1, F-2 dépôt non enregistré",
			"12/08/2025 frais de justice et d'avocat greffe 35,00 €", "29/08/2025 commissaire de justice signification 89,50 €",
			"Réclamé à l'ouverture (10/08/2025) 13 000,00 €", "Recouvré pendant la procédure 400,00 €",
			"Reste dû au 12/09/2025, pénalités et indemnités comprises 12 941,24 €", "Frais engagés 124,50 €",
		}},
		{"en", []string{
			"LEGAL COLLECTION CASE FILE", "Case 7 – order for payment (injonction de payer)", "Drawn up on 12 Sep 2025",
			"CREDITOR", "DEBTOR", "account C042", "Handled by: Me Lambert", "opposition deadline (served + 1 month) 29 Sep 2025",
			"TOTAL CLAIM €12,941.24", "reminder 1 email F-2", "formal notice registered letter F-1, F-2", "posting not recorded",
			"bailiff (commissaire de justice) signification €89.50", "Costs incurred €124.50", "Recovered during the procedure €400.00",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.locale, func(t *testing.T) {
			pdf, _ := readCaseFile(t, dossier(), tt.locale, tt.want)
			if os.Getenv("RELANCE_KEEP_CASE_FILE") != "" {
				os.WriteFile(filepath.Join(os.Getenv("RELANCE_KEEP_CASE_FILE"), "case-"+tt.locale+".pdf"), pdf, 0o644)
			}
		})
	}
}

// TestCaseFileLetterProof: a formal notice whose posting the ledger
// recorded shows the day, the tracking number and what became of it; a
// refused one also gives the provider's reason, clipped to its cell.
func TestCaseFileLetterProof(t *testing.T) {
	d := dossier()
	n := &d.Reminders[2]
	n.Posted, n.Proof, n.Outcome, n.OutcomeOn = day("2025-08-01"), "1A12345678901", ledger.LetterDelivered, day("2025-08-04")
	d.Reminders = append(d.Reminders, ledger.CaseReminder{Day: day("2025-08-20"), Step: "level5", Level: 5,
		Channel: "registered_letter", Invoices: []string{"F-2"}, Posted: day("2025-08-21"), Outcome: ledger.LetterRefused,
		OutcomeOn: day("2025-08-25"), OutcomeReason: "refusé par le destinataire, pli renvoyé à l'expéditeur le 26 août"})
	tests := []struct {
		locale string
		want   []string
	}{
		{"fr", []string{"31/07/2025 mise en demeure F-1, F-2 déposée le 01/08/2025", "n° 1A12345678901", "AR signé le 04/08/2025",
			"20/08/2025 mise en demeure F-2 déposée le 21/08/2025", "refusée le 25/08/2025",
			"refusé par le destinataire, pli renvoyé…"}},
		{"en", []string{"formal notice F-1, F-2 posted on 1 Aug 2025", "no. 1A12345678901", "receipt signed on 4 Aug 2025",
			"refused on 25 Aug 2025"}},
	}
	for _, tt := range tests {
		t.Run(tt.locale, func(t *testing.T) {
			_, text := readCaseFile(t, d, tt.locale, tt.want)
			if strings.Contains(text, "dépôt non enregistré") || strings.Contains(text, "posting not recorded") {
				t.Error("a recorded posting reads as not recorded")
			}
		})
	}
}

// readCaseFile lays d out in locale and checks that its text holds each of
// want; it returns the PDF and its flattened text.
func readCaseFile(t *testing.T, d ledger.CaseDossier, locale string, want []string) ([]byte, string) {
	t.Helper()
	pdf, err := letter.RenderCaseFile(d, caseRules(t), locale)
	if err != nil {
		t.Fatal(err)
	}
	text := lettertest.Flat(lettertest.Text(t, pdf))
	for _, w := range want {
		if !strings.Contains(text, w) {
			t.Errorf("case file lacks %q", w)
		}
	}
	if t.Failed() {
		t.Logf("the case file reads:\n%s", lettertest.Text(t, pdf))
	}
	return pdf, text
}
