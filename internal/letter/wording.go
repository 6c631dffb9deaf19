package letter

import (
	"fmt"
	"strings"
	"time"
)

// wording is the fixed text of a letter in one language; the body comes
// from the template.
type wording struct {
	locale                                          string
	registered, title, subject, yourRef, account    string
	siren, vat                                      string
	statement, invoices, interestByHalf, totals     string
	invoice, issued, due, outstanding, late         string
	interest, indemnity, total, period, days, rate  string
	base, principal, penalties, indemnities, payNow string
	deadline, payment, transfer, online, notClaimed string
	dueOn                                           string
	page                                            string
	place                                           func(city string, t time.Time) string
	periodOf                                        func(from, to time.Time) string
	indemnityCount                                  func(n int, each string) string
	date                                            func(time.Time) string
}

var frMonths = [...]string{"janvier", "février", "mars", "avril", "mai", "juin", "juillet",
	"août", "septembre", "octobre", "novembre", "décembre"}

var french = wording{
	locale:     "fr",
	registered: "LETTRE RECOMMANDÉE AVEC ACCUSÉ DE RÉCEPTION", title: "MISE EN DEMEURE",
	subject: "Objet : ", yourRef: "Vos références : ", account: "compte client ",
	siren: "SIREN ", vat: "TVA intracommunautaire ",
	statement: "Décompte des sommes dues au %s", invoices: "Factures échues impayées",
	interestByHalf: "Pénalités de retard par facture et par semestre", totals: "Récapitulatif",
	invoice: "Facture", issued: "Date", due: "Échéance", outstanding: "Reste dû", late: "Retard (j)",
	interest: "Pénalités", indemnity: "Indemnité", total: "Total", period: "Période", days: "Jours",
	rate: "Taux annuel", base: "Montant dû", principal: "Principal restant dû",
	penalties: "Pénalités de retard", indemnities: "Indemnités forfaitaires", payNow: "TOTAL À RÉGLER",
	deadline: "À régler au plus tard le %s.", payment: "Modalités de paiement",
	transfer:   "Virement bancaire : IBAN %s%s, en rappelant en référence les numéros de facture.",
	online:     "Paiement en ligne, facture %s : %s",
	notClaimed: "Pour mémoire, non comprise(s) dans la présente mise en demeure car non encore échue(s) : %s.",
	dueOn:      "%s, échéance le %s",
	page:       "Page %d/{nb}",
	place: func(city string, t time.Time) string {
		day := fmt.Sprint(t.Day())
		if t.Day() == 1 {
			day = "1er"
		}
		d := fmt.Sprintf("le %s %s %d", day, frMonths[t.Month()-1], t.Year())
		if city == "" {
			return strings.ToUpper(d[:1]) + d[1:]
		}
		return city + ", " + d
	},
	periodOf: func(from, to time.Time) string {
		return "du " + from.Format("02/01/2006") + " au " + to.Format("02/01/2006")
	},
	indemnityCount: func(n int, each string) string {
		if n == 1 {
			return "1 facture × " + each
		}
		return fmt.Sprintf("%d factures × %s", n, each)
	},
	date: func(t time.Time) string { return t.Format("02/01/2006") },
}

var english = wording{
	locale:     "en",
	registered: "REGISTERED LETTER WITH ACKNOWLEDGEMENT OF RECEIPT", title: "FORMAL NOTICE",
	subject: "Subject: ", yourRef: "Your references: ", account: "account ",
	siren: "SIREN ", vat: "VAT number ",
	statement: "Statement of the sums due on %s", invoices: "Overdue unpaid invoices",
	interestByHalf: "Late payment interest by invoice and half-year", totals: "Summary",
	invoice: "Invoice", issued: "Date", due: "Due date", outstanding: "Outstanding", late: "Days late",
	interest: "Interest", indemnity: "Compensation", total: "Total", period: "Period", days: "Days",
	rate: "Annual rate", base: "Amount due", principal: "Outstanding principal",
	penalties: "Late payment interest", indemnities: "Fixed compensation", payNow: "TOTAL DUE",
	deadline: "To be paid no later than %s.", payment: "Payment details",
	transfer:   "Bank transfer: IBAN %s%s, quoting the invoice numbers as reference.",
	online:     "Pay online, invoice %s: %s",
	notClaimed: "For the record, not included in this formal notice as not yet due: %s.",
	dueOn:      "%s, due %s",
	page:       "Page %d/{nb}",
	place: func(city string, t time.Time) string {
		d := t.Format("2 January 2006")
		if city == "" {
			return d
		}
		return city + ", " + d
	},
	periodOf: func(from, to time.Time) string {
		return from.Format("2 Jan 2006") + " to " + to.Format("2 Jan 2006")
	},
	indemnityCount: func(n int, each string) string {
		if n == 1 {
			return "1 invoice × " + each
		}
		return fmt.Sprintf("%d invoices × %s", n, each)
	},
	date: func(t time.Time) string { return t.Format("2 Jan 2006") },
}

func wordingFor(locale string) wording {
	if strings.HasPrefix(locale, "en") {
		return english
	}
	return french
}

// cityOf reads the town of a French-style address line, "69002 Lyon" or
// "69002 LYON CEDEX 02", for the place before the date: the last line that
// starts with a postcode, since mail abroad ends with the country's name;
// "" when none does.
func cityOf(address []string) string {
	for i := len(address) - 1; i >= 0; i-- {
		code, city, ok := strings.Cut(strings.TrimSpace(address[i]), " ")
		if !ok || len(code) != 5 || strings.Trim(code, "0123456789") != "" {
			continue
		}
		city = strings.TrimSpace(city)
		if i := strings.Index(strings.ToUpper(city), " CEDEX"); i > 0 {
			city = city[:i]
		}
		return city
	}
	return ""
}
