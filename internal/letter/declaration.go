package letter

import (
	"bytes"
	"errors"
	"fmt"
	"strings"

	"github.com/relance/relance/internal/claim"
	"github.com/relance/relance/internal/money"
	"github.com/relance/relance/templates"
)

// Declaration is a claim declaration (déclaration de créance) to lay out,
// in French: it is addressed to the French insolvency practitioner.
type Declaration struct {
	Claim claim.Claim
	// Practitioner is the mandataire judiciaire (or liquidator) the
	// declaration is sent to, one line per element (name, firm, address);
	// none leaves lines to fill in by hand.
	Practitioner []string
	// Signatory signs for the creditor (name and position); none leaves a
	// line to sign on.
	Signatory string
}

// The proceeding of each kind, as the declaration names it, and as its
// sentence names it ("au titre du redressement judiciaire ouvert…").
var proceedings = map[string][2]string{
	"sauvegarde":   {"procédure de sauvegarde", "de la procédure de sauvegarde ouverte"},
	"redressement": {"redressement judiciaire", "du redressement judiciaire ouvert"},
	"liquidation":  {"liquidation judiciaire", "de la liquidation judiciaire ouverte"},
}

// RenderDeclaration returns the claim declaration as PDF bytes: the
// creditor, the practitioner, the debtor and its proceeding, the
// declaration itself, the invoices (principal, interest up to the eve of
// the opening, indemnity, due or falling due later), their interest by
// half-year, the totals, and the certification and signature. The output
// depends only on d: a replay gives the same file.
func RenderDeclaration(d Declaration) ([]byte, error) {
	c := d.Claim
	if c.Creditor.Name == "" || c.Debtor.Name == "" {
		return nil, errors.New("letter: declaration: the creditor and the debtor need a name")
	}
	if len(c.Items) == 0 {
		return nil, fmt.Errorf("letter: declaration: nothing to declare on %s", c.Debtor.Name)
	}
	title := "Déclaration de créance – " + c.Debtor.Name
	doc := newDoc(templates.Message{Creditor: c.Creditor, Debtor: c.Debtor, Entity: c.Contact,
		Client: templates.Client{Code: c.Client}, Day: c.Day}, "fr", title)
	doc.declarationHeader(d)
	doc.declarationBody(c)
	doc.claimTable(c)
	doc.claimInterest(c)
	doc.claimTotals(c)
	doc.certification(d)
	var buf bytes.Buffer
	if err := doc.pdf.Output(&buf); err != nil {
		return nil, fmt.Errorf("letter: declaration: %w", err)
	}
	return buf.Bytes(), nil
}

// declarationHeader prints the creditor top left, the practitioner in the
// envelope's window, the place and date, and the title.
func (d *doc) declarationHeader(dec Declaration) {
	pdf, c := d.pdf, d.m.Creditor
	d.sender(d.m.Entity.Phone, d.m.Entity.Email)
	to := dec.Practitioner
	if len(to) == 0 {
		to = []string{"Maître ……………………………………", "Mandataire judiciaire", "……………………………………………", "……………………………………………"}
	}
	d.window(to[0], to[1:])
	pdf.SetY(max(pdf.GetY()+8, 88))
	pdf.SetFont("Helvetica", "", 10)
	pdf.CellFormat(0, 5, d.tr(d.w.place(cityOf(c.Address), d.m.Day)), "", 1, "R", false, 0, "")
	pdf.Ln(5)
	pdf.SetFont("Helvetica", "B", 14)
	pdf.CellFormat(0, 7, d.tr("DÉCLARATION DE CRÉANCE"), "", 1, "C", false, 0, "")
	pdf.SetFont("Helvetica", "", 8.5)
	pdf.CellFormat(0, 4.5, d.tr("articles L622-24 et R622-23 du Code de commerce"), "", 1, "C", false, 0, "")
	pdf.Ln(3)
}

// declarationBody names the debtor and its proceeding and declares.
func (d *doc) declarationBody(c claim.Claim) {
	pdf, in := d.pdf, c.Proceeding
	kind, ofKind := proceedings[in.Kind][0], proceedings[in.Kind][1]
	if kind == "" {
		kind, ofKind = "procédure collective", "de la procédure collective ouverte"
	}
	debtor := append([]string{c.Debtor.Name}, c.Debtor.Address...)
	debtor = append(debtor, d.ids(c.Debtor)...)
	pdf.SetFont("Helvetica", "B", 10)
	pdf.CellFormat(0, 5, d.tr("Débiteur"), "", 1, "L", false, 0, "")
	pdf.SetFont("Helvetica", "", 10)
	pdf.MultiCell(0, 4.6, d.tr(strings.Join(debtor, " – ")), "", "L", false)
	pdf.Ln(1.5)
	proc := fmt.Sprintf("%s, jugement d'ouverture du %s", kind, d.w.date(in.Opened))
	if !in.Published.IsZero() {
		proc += fmt.Sprintf(", publié au BODACC le %s (délai de déclaration : %s)", d.w.date(in.Published), d.w.date(in.ClaimDeadline()))
	}
	pdf.SetFont("Helvetica", "B", 10)
	pdf.CellFormat(0, 5, d.tr("Procédure"), "", 1, "L", false, 0, "")
	pdf.SetFont("Helvetica", "", 10)
	pdf.MultiCell(0, 4.6, d.tr(strings.ToUpper(proc[:1])+proc[1:]+"."), "", "L", false)
	pdf.Ln(3)
	body := fmt.Sprintf("Maître,\n\nNous avons l'honneur de déclarer entre vos mains, au titre %s à l'encontre de %s, "+
		"notre créance, à titre chirographaire, arrêtée au jour du jugement d'ouverture : le principal restant dû sur chaque facture "+
		"émise avant le %s, les pénalités de retard courues jusqu'au %s inclus (le cours des intérêts est arrêté par le jugement, "+
		"article L622-28 du Code de commerce) et l'indemnité forfaitaire pour frais de recouvrement de chaque facture échue "+
		"(article L441-10 du Code de commerce). Les factures non encore échues à l'ouverture sont déclarées à échoir.",
		ofKind, c.Debtor.Name, d.w.date(in.Opened), d.w.date(in.Opened.AddDate(0, 0, -1)))
	d.body(body)
}

// claimTable prints the invoices declared.
func (d *doc) claimTable(c claim.Claim) {
	w := d.w
	var rows [][]string
	bold := map[int]bool{}
	for _, t := range c.Totals {
		for _, it := range c.Items {
			if it.Currency != t.Currency {
				continue
			}
			nature := "échue"
			if it.NotDue() {
				nature = "à échoir"
			}
			rows = append(rows, []string{it.Number, w.date(it.Issued), w.date(it.Due), nature, d.money(it.Principal, t.Currency),
				d.money(it.Interest, t.Currency), d.money(it.Indemnity, t.Currency), d.money(it.Total(), t.Currency)})
		}
		bold[len(rows)] = true
		rows = append(rows, []string{w.total, "", "", "", d.money(t.Principal, t.Currency), d.money(t.Interest, t.Currency),
			d.money(t.Indemnity, t.Currency), d.money(t.Sum(), t.Currency)})
	}
	d.heading("Factures déclarées", headerHeight+rowHeight)
	d.table([]column{{w.invoice, 24, "L"}, {w.issued, 18, "L"}, {w.due, 18, "L"}, {"Nature", 16, "L"},
		{"Principal", 24, "R"}, {w.interest, 21, "R"}, {w.indemnity, 21, "R"}, {w.total, 28, "R"}}, rows, bold)
}

// claimInterest prints the interest of each invoice by half-year.
func (d *doc) claimInterest(c claim.Claim) {
	w := d.w
	var rows [][]string
	for _, it := range c.Items {
		for i, p := range it.Periods {
			number := it.Number
			if i > 0 {
				number = ""
			}
			rows = append(rows, []string{number, w.periodOf(p.From, p.To), fmt.Sprint(p.Days),
				money.FormatRate(p.RateBP, d.locale), d.money(p.Principal, it.Currency), d.money(p.Interest, it.Currency)})
		}
	}
	if len(rows) == 0 {
		return
	}
	d.heading(w.interestByHalf+" (jusqu'à la veille du jugement)", headerHeight+groupHeight(rows, 0))
	d.table([]column{{w.invoice, 25, "L"}, {w.period, 55, "L"}, {w.days, 14, "R"}, {w.rate, 22, "R"},
		{w.base, 28, "R"}, {w.interest, 26, "R"}}, rows, nil)
}

// claimTotals prints the amount declared in each currency.
func (d *doc) claimTotals(c claim.Claim) {
	for _, t := range c.Totals {
		lines := [][2]string{{"Principal", d.money(t.Principal, t.Currency)},
			{"Pénalités de retard jusqu'à la veille du jugement", d.money(t.Interest, t.Currency)},
			{"Indemnités forfaitaires de recouvrement", d.money(t.Indemnity, t.Currency)}}
		if t.NotDue > 0 {
			lines = append(lines, [2]string{"dont principal à échoir", d.money(t.NotDue, t.Currency)})
		}
		lines = append(lines, [2]string{"MONTANT DÉCLARÉ", d.money(t.Sum(), t.Currency)})
		d.heading(d.w.totals, 6*float64(len(lines))+8)
		for i, l := range lines {
			style, border := "", ""
			if i == len(lines)-1 {
				style, border = "B", "T"
			}
			d.pdf.SetFont("Helvetica", style, 9.5)
			d.pdf.SetX(marginLeft + 40)
			d.pdf.CellFormat(90, 6, d.tr(l[0]), border, 0, "L", false, 0, "")
			d.pdf.CellFormat(textWidth-130, 6, d.tr(l[1]), border, 1, "R", false, 0, "")
		}
	}
}

// certification closes the declaration: the creditor certifies it, lists
// what is enclosed, and signs.
func (d *doc) certification(dec Declaration) {
	d.need(45)
	d.pdf.Ln(4)
	d.body("Nous certifions sincère et véritable la présente déclaration de créance.\n\n" +
		"Pièces jointes : copie des factures déclarées et, le cas échéant, des relances et mises en demeure adressées au débiteur.\n\n" +
		"Nous vous prions d'agréer, Maître, l'expression de nos salutations distinguées.")
	d.pdf.Ln(4)
	signer := dec.Signatory
	if signer == "" {
		signer = "Nom, qualité et signature : ……………………………………"
	}
	d.pdf.SetFont("Helvetica", "", 10)
	d.pdf.SetX(marginLeft + 80)
	d.pdf.MultiCell(textWidth-80, 5, d.tr("Pour "+d.m.Creditor.Name+"\n"+signer), "", "L", false)
}
