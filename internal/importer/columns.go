package importer

import (
	"strings"

	"github.com/relance/relance/internal/ledger"
)

// field is a column relance understands in an invoice or payment file.
type field int

const (
	fieldNone field = iota
	fieldNumber
	fieldClientID
	fieldClientName
	fieldIssueDate
	fieldDueDate
	fieldTerms
	fieldAmount
	fieldAmountExcl
	fieldPaid
	fieldCurrency
	fieldKind
	fieldAppliesTo
	fieldEmail
	fieldLocale
	fieldProfile
	fieldPaymentDate
	fieldReference
	fieldCountry
	fieldAddress1
	fieldAddress2
	fieldPostcode
	fieldCity
	fieldContact
	fieldPhone
	fieldCC
	fieldSIREN
	fieldSIRET
	fieldVAT
	fieldCreditLimit
	fieldSegment
	fieldCount
)

// fieldNames are the canonical (English) column names, used in messages.
var fieldNames = [fieldCount]string{
	fieldNumber:      "invoice_number",
	fieldClientID:    "client_id",
	fieldClientName:  "client_name",
	fieldIssueDate:   "issue_date",
	fieldDueDate:     "due_date",
	fieldTerms:       "payment_terms",
	fieldAmount:      "amount",
	fieldAmountExcl:  "amount_excl_vat",
	fieldPaid:        "paid",
	fieldCurrency:    "currency",
	fieldKind:        "kind",
	fieldAppliesTo:   "applies_to",
	fieldEmail:       "email",
	fieldLocale:      "locale",
	fieldProfile:     "profile",
	fieldPaymentDate: "date",
	fieldReference:   "reference",
	fieldCountry:     "country",
	fieldAddress1:    "address_line1",
	fieldAddress2:    "address_line2",
	fieldPostcode:    "postcode",
	fieldCity:        "city",
	fieldContact:     "contact_name",
	fieldPhone:       "phone",
	fieldCC:          "cc",
	fieldSIREN:       "siren",
	fieldSIRET:       "siret",
	fieldVAT:         "vat_number",
	fieldCreditLimit: "credit_limit",
	fieldSegment:     "segment",
}

func (f field) String() string { return fieldNames[f] }

// invoiceAliases maps every accepted header (DESIGN.md §4) to its field.
// Keys are written naturally and normalized by headerKey at lookup.
var invoiceAliases = aliasTable(map[field][]string{
	fieldNumber:     {"invoice_number", "numero_facture", "n° facture", "no facture", "num facture", "numero de facture", "facture", "invoice", "invoice no", "number"},
	fieldClientID:   {"client_id", "code_client", "compte", "client code", "customer_id", "customer code", "account"},
	fieldClientName: {"client_name", "client", "nom_client", "raison_sociale", "customer", "customer_name"},
	fieldIssueDate:  {"issue_date", "date_emission", "date_facture", "date", "invoice_date", "date d'emission"},
	fieldDueDate:    {"due_date", "date_echeance", "echeance", "date d'echeance"},
	fieldTerms:      {"payment_terms", "delai_paiement", "conditions_paiement", "delai de paiement", "conditions de paiement", "terms"},
	fieldAmount:     {"amount", "montant", "montant_ttc", "amount_incl_vat", "total_ttc"},
	fieldAmountExcl: {"amount_excl_vat", "montant_ht", "total_ht"},
	fieldPaid:       {"paid", "montant_regle", "regle", "deja_regle", "amount_paid"},
	fieldCurrency:   {"currency", "devise"},
	fieldKind:       {"kind", "type"},
	fieldAppliesTo:  {"applies_to", "facture_origine"},
	// The client's details: each row of a client may carry them, and a
	// column the file lacks, or an empty cell, never erases what relance
	// already has.
	fieldEmail:       {"email", "emails", "e-mail", "e-mails", "courriel", "courriels", "mail", "adresse email", "adresse mail", "adresse e-mail"},
	fieldCC:          {"cc", "cc_emails", "email_cc", "email_copie", "emails_copie", "copie", "copie email", "courriel_copie"},
	fieldLocale:      {"locale", "langue", "language"},
	fieldProfile:     {"profile", "profil"},
	fieldCountry:     {"country", "pays", "country_code", "code_pays"},
	fieldAddress1:    {"address_line1", "address", "address1", "address line 1", "adresse", "adresse1", "adresse ligne 1", "rue"},
	fieldAddress2:    {"address_line2", "address2", "address line 2", "adresse2", "adresse ligne 2", "complement_adresse", "complement d'adresse", "complement"},
	fieldPostcode:    {"postcode", "postal_code", "zip", "zip_code", "code_postal", "cp"},
	fieldCity:        {"city", "town", "ville", "localite"},
	fieldContact:     {"contact_name", "contact", "nom_contact", "interlocuteur"},
	fieldPhone:       {"phone", "phone_number", "telephone", "tel", "numero de telephone"},
	fieldSIREN:       {"siren", "numero siren"},
	fieldSIRET:       {"siret", "numero siret"},
	fieldVAT:         {"vat_number", "vat", "vat_id", "tva", "numero_tva", "n° tva", "tva_intracom", "tva intracommunautaire", "numero tva intracommunautaire"},
	fieldCreditLimit: {"credit_limit", "encours_max", "encours_autorise", "plafond", "plafond_encours", "limite_credit"},
	fieldSegment:     {"segment"},
})

// paymentAliases are the columns of `relance import payments`.
var paymentAliases = aliasTable(map[field][]string{
	fieldNumber:      {"invoice_number", "numero_facture", "n° facture", "no facture", "facture", "invoice"},
	fieldClientID:    {"client_id", "code_client", "compte", "customer_id"},
	fieldPaymentDate: {"date", "payment_date", "date_paiement", "date_reglement", "received_on", "date de reglement"},
	fieldAmount:      {"amount", "montant", "montant_regle"},
	fieldReference:   {"reference", "ref", "libelle", "payment_reference"},
	fieldCurrency:    {"currency", "devise"},
})

func aliasTable(m map[field][]string) map[string]field {
	out := make(map[string]field)
	for f, names := range m {
		for _, n := range names {
			out[headerKey(n)] = f
		}
	}
	return out
}

// headerKey normalizes a header for matching: lower case, no accents, and no
// space, hyphen, underscore, dot, apostrophe or degree sign, so that
// "N° facture", "n_facture" and "N-Facture" meet.
func headerKey(s string) string {
	out := ledger.StripAccents(s)
	var b strings.Builder
	for _, r := range strings.ToLower(out) {
		switch r {
		case ' ', '-', '_', '.', '\'', '’', '°', 'º', '\u00a0', '\ufeff':
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// columnMap says which cell index holds each field (-1: absent).
type columnMap [fieldCount]int

func (c *columnMap) has(f field) bool { return c[f] >= 0 }

// cell returns the trimmed value of field f in rec, "" when absent.
func (c *columnMap) cell(rec []string, f field) string {
	i := c[f]
	if i < 0 || i >= len(rec) {
		return ""
	}
	return strings.TrimSpace(rec[i])
}

// mapHeader matches a header row against aliases. It returns the map and the
// headers it did not recognise (ignored, reported once as a warning).
func mapHeader(header []string, aliases map[string]field) (columnMap, []string) {
	var m columnMap
	for i := range m {
		m[i] = -1
	}
	var unknown []string
	for i, h := range header {
		f, ok := aliases[headerKey(h)]
		if !ok || m[f] >= 0 {
			if strings.TrimSpace(h) != "" {
				unknown = append(unknown, headerName(h))
			}
			continue
		}
		m[f] = i
	}
	return m, unknown
}
