package ledger

// timelineLabels name the kinds of timeline entries in French and English,
// for the CLI's client timeline and the dashboard's client page.
var timelineLabels = map[string][2]string{
	"invoice":             {"facture émise", "invoice issued"},
	"credit_note":         {"avoir émis", "credit note issued"},
	"payment":             {"règlement reçu", "payment received"},
	"reminder_sent":       {"relance envoyée", "reminder sent"},
	"letter_sent":         {"mise en demeure (LRAR)", "formal notice (registered letter)"},
	"reminder_dropped":    {"relance annulée", "reminder dropped"},
	"reminder_failed":     {"relance en échec", "reminder failed"},
	"reminder_pending":    {"relance en attente", "reminder pending"},
	"dispute_opened":      {"litige ouvert", "dispute opened"},
	"dispute_resolved":    {"litige résolu", "dispute resolved"},
	"dispute_lapsed":      {"fin du litige (date atteinte)", "dispute ended (its end passed)"},
	"promise_made":        {"promesse de paiement", "promise to pay"},
	"promise_kept":        {"promesse tenue", "promise kept"},
	"promise_broken":      {"promesse non tenue", "promise broken"},
	"client_paused":       {"mise en pause", "paused"},
	"client_resumed":      {"reprise des relances", "resumed"},
	"client_excluded":     {"exclu des relances", "excluded from dunning"},
	"client_included":     {"réintégré aux relances", "included again"},
	"email_bounced":       {"adresse e-mail en échec", "email address bouncing"},
	"bounce_cleared":      {"échec d'adresse levé", "bounce cleared"},
	"insolvency_recorded": {"procédure collective", "insolvency proceeding"},
	"client_updated":      {"fiche client modifiée", "client details changed"},
	"provision_proposed":  {"provision proposée", "provision proposed"},
	"letter_ready":        {"courrier prêt à poster", "letter ready to post"},
	"letter_handed":       {"courrier remis au prestataire", "letter handed to the provider"},
	"letter_posted":       {"courrier posté", "letter posted"},
	"letter_deposited":    {"dépôt du recommandé", "registered letter deposited"},
	"letter_delivered":    {"courrier distribué (AR)", "letter delivered (receipt)"},
	"letter_refused":      {"courrier refusé", "letter refused"},
	"letter_failed":       {"courrier non distribuable", "letter undeliverable"},
	"letter_copy_failed":  {"copie e-mail du courrier en échec", "letter's email copy failed"},
	"case_opened":         {"dossier contentieux ouvert", "legal case opened"},
	"case_filed":          {"contentieux : saisine", "legal case filed"},
	"case_granted":        {"contentieux : titre obtenu", "legal case: order granted"},
	"case_served":         {"contentieux : signification", "legal case: served"},
	"case_enforceable":    {"contentieux : titre exécutoire", "legal case: enforceable"},
	"case_cost":           {"frais de contentieux", "legal case cost"},
	"case_closed":         {"dossier contentieux clos", "legal case closed"},
}

// TimelineLabel names a kind of timeline entry in locale (fr, else
// English); an unknown kind is returned as is.
func TimelineLabel(kind, locale string) string {
	l, ok := timelineLabels[kind]
	switch {
	case !ok:
		return kind
	case locale == "fr":
		return l[0]
	}
	return l[1]
}
