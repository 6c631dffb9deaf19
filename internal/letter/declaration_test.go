package letter_test

import (
	"strings"
	"testing"

	"github.com/relance/relance/internal/claim"
	"github.com/relance/relance/internal/ledger"
	"github.com/relance/relance/internal/letter"
	"github.com/relance/relance/internal/letter/lettertest"
	"github.com/relance/relance/templates"
)

// TestDeclarationToFillIn: without a practitioner or a signatory, the
// declaration leaves lines to fill in by hand; a claim with two currencies
// has a total for each; the same claim gives the same bytes.
func TestDeclarationToFillIn(t *testing.T) {
	c := claim.Claim{Day: day("2025-09-22"), Client: "I",
		Creditor:   templates.Party{Name: "Atelier Durand SAS", Address: []string{"12 rue des Tanneurs", "69002 Lyon"}},
		Debtor:     templates.Party{Name: "Imprimerie Lefèvre", SIREN: "552 100 554"},
		Proceeding: ledger.Insolvency{Kind: ledger.Liquidation, Opened: day("2025-09-10")},
		Items: []claim.Item{
			{Number: "F-1", Issued: day("2025-08-01"), Due: day("2025-08-31"), Currency: "EUR", Principal: 600000, Interest: 1798, Indemnity: 4000, DaysLate: 10},
			{Number: "F-2", Issued: day("2025-09-01"), Due: day("2025-10-01"), Currency: "GBP", Principal: 50000, DaysLate: -21},
		},
		Totals: []claim.Total{{Currency: "EUR", Principal: 600000, Interest: 1798, Indemnity: 4000},
			{Currency: "GBP", Principal: 50000, NotDue: 50000}},
	}
	pdf, err := letter.RenderDeclaration(letter.Declaration{Claim: c})
	if err != nil {
		t.Fatal(err)
	}
	again, _ := letter.RenderDeclaration(letter.Declaration{Claim: c})
	if string(again) != string(pdf) {
		t.Error("the same declaration gave other bytes")
	}
	flat := lettertest.Flat(lettertest.Text(t, pdf))
	for _, want := range []string{"Maître ……", "Mandataire judiciaire", "Lyon, le 22 septembre 2025",
		"Liquidation judiciaire, jugement d'ouverture du 10/09/2025.", "au titre de la liquidation judiciaire ouverte à l'encontre de Imprimerie Lefèvre",
		"F-1 01/08/2025 31/08/2025 échue 6 000,00 € 17,98 € 40,00 € 6 057,98 €",
		"F-2 01/09/2025 01/10/2025 à échoir 500,00 £ 0,00 £ 0,00 £ 500,00 £",
		"MONTANT DÉCLARÉ 6 057,98 €", "dont principal à échoir 500,00 £", "MONTANT DÉCLARÉ 500,00 £",
		"Nom, qualité et signature"} {
		if !strings.Contains(flat, want) {
			t.Errorf("the declaration lacks %q:\n%s", want, flat)
		}
	}
	c.Items = nil
	if _, err := letter.RenderDeclaration(letter.Declaration{Claim: c}); err == nil || !strings.Contains(err.Error(), "nothing to declare") {
		t.Errorf("an empty claim: %v", err)
	}
}
