package dashboard

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/relance/relance/internal/aging"
	"github.com/relance/relance/internal/money"
)

// langCookie remembers the language a ?lang= chose.
const langCookie = "relance_lang"

// locale picks the page's language: ?lang= (remembered in a cookie), the
// cookie, Accept-Language, then the entity's locale, then the configured
// one.
func (d *dashboard) locale(w http.ResponseWriter, r *http.Request, entityLocale string) string {
	if l := r.URL.Query().Get("lang"); l == "fr" || l == "en" {
		http.SetCookie(w, &http.Cookie{Name: langCookie, Value: l, Path: "/", MaxAge: 365 * 24 * 3600,
			HttpOnly: true, SameSite: http.SameSiteLaxMode})
		return l
	}
	if c, err := r.Cookie(langCookie); err == nil && (c.Value == "fr" || c.Value == "en") {
		return c.Value
	}
	if l := acceptLanguage(r.Header.Get("Accept-Language")); l != "" {
		return l
	}
	if entityLocale == "fr" || entityLocale == "en" {
		return entityLocale
	}
	return d.opts.Locale
}

// acceptLanguage returns fr or en, whichever the header ranks first; ""
// for neither.
func acceptLanguage(h string) string {
	best, bestQ := "", -1.0
	for _, part := range strings.Split(h, ",") {
		tag, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		q := 1.0
		if v, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
			if _, err := fmt.Sscanf(v, "%g", &q); err != nil {
				continue
			}
		}
		lang, _, _ := strings.Cut(strings.ToLower(tag), "-")
		if (lang == "fr" || lang == "en") && q > bestQ {
			best, bestQ = lang, q
		}
	}
	return best
}

// words holds every label of the pages: key → {fr, en}.
var words = map[string][2]string{
	"app":              {"relance", "relance"},
	"nav.aging":        {"Balance âgée", "Aged balance"},
	"nav.upcoming":     {"Aujourd'hui et à venir", "Today and upcoming"},
	"nav.alerts":       {"Alertes", "Alerts"},
	"nav.kpi":          {"Indicateurs", "KPIs"},
	"nav.jobs":         {"Tâches", "Jobs"},
	"asof":             {"Au", "As of"},
	"data":             {"Données", "Data"},
	"data.invoices":    {"factures", "invoices"},
	"data.payments":    {"paiements", "payments"},
	"data.never":       {"jamais importées", "never imported"},
	"data.stale":       {"trop anciennes : les envois attendent", "too old: sends wait"},
	"signed":           {"Connecté", "Signed in"},
	"logout":           {"Se déconnecter", "Log out"},
	"entity":           {"Entité", "Entity"},
	"entity.all":       {"Toutes (groupe consolidé)", "All (group consolidated)"},
	"entity.group":     {"tête de groupe", "holding"},
	"entity.subs":      {"Avec ses filiales", "With its subsidiaries"},
	"profile":          {"Profil", "Profile"},
	"profile.any":      {"Tous", "Any"},
	"currency":         {"Devise", "Currency"},
	"disputes.exclude": {"Hors litiges", "Disputes excluded"},
	"apply":            {"Appliquer", "Apply"},
	"kpi.window":       {"Période", "Window"},
	"kpi.months":       {"mois", "months"},
	"download":         {"Télécharger", "Download"},
	"client":           {"Client", "Client"},
	"name":             {"Nom", "Name"},
	"overdue":          {"Échu", "Overdue"},
	"unapplied":        {"Non lettré", "Unapplied"},
	"total":            {"Total", "Total"},
	"subtotal":         {"Sous-total", "Subtotal"},
	"late_rate":        {"Taux de retard", "Late rate"},
	"disputed":         {"En litige", "Disputed"},
	"share":            {"Part", "Share"},
	"bucket":           {"Tranche", "Bucket"},
	"bucket.only":      {"Clients de la tranche", "Clients in bucket"},
	"bucket.clear":     {"toutes les tranches", "every bucket"},
	"rows":             {"lignes", "rows"},
	"of":               {"sur", "of"},
	"prev":             {"Précédente", "Previous"},
	"next":             {"Suivante", "Next"},
	"none":             {"Rien à afficher.", "Nothing to show."},
	"chart.title":      {"Encours par tranche de retard", "Outstanding by bucket of days late"},
	"chart.others":     {"autres clients", "other clients"},
	"open_items":       {"Pièces ouvertes", "Open items"},
	"number":           {"Pièce", "Document"},
	"kind":             {"Type", "Kind"},
	"issued":           {"Émise le", "Issued"},
	"due":              {"Échéance", "Due"},
	"open":             {"Reste dû", "Open"},
	"days_late":        {"Jours de retard", "Days late"},
	"next_step":        {"Prochaine étape", "Next step"},
	"state":            {"État", "State"},
	"in_dispute":       {"en litige", "in dispute"},
	"promised_until":   {"promesse jusqu'au", "promised until"},
	"timeline":         {"Historique", "Timeline"},
	"when":             {"Date", "When"},
	"what":             {"Quoi", "What"},
	"who":              {"Qui", "Who"},
	"why":              {"Pourquoi", "Why"},
	"amount":           {"Montant", "Amount"},
	"payer_score":      {"Note de paiement", "Payer score"},
	"credit_limit":     {"Encours autorisé", "Credit limit"},
	"credit_usage":     {"Utilisation", "Usage"},
	"balance":          {"Solde", "Balance"},
	"contacts":         {"Contacts", "Contacts"},
	"contact":          {"Interlocuteur", "Contact"},
	"phone":            {"Téléphone", "Phone"},
	"emails":           {"E-mails", "Emails"},
	"cc":               {"Copie", "Cc"},
	"address":          {"Adresse", "Address"},
	"status":           {"Statut", "Status"},
	"paused":           {"Relances suspendues", "Dunning paused"},
	"until":            {"jusqu'au", "until"},
	"excluded":         {"Exclu des relances", "Excluded from dunning"},
	"bouncing":         {"Adresse en échec depuis le", "Address bouncing since"},
	"insolvent":        {"Procédure collective", "Insolvency proceeding"},
	"opened":           {"ouverte le", "opened"},
	"published":        {"publiée le", "published"},
	"actions":          {"Actions", "Actions"},
	"reason":           {"Motif", "Reason"},
	"note":             {"Commentaire", "Note"},
	"confirm":          {"Je confirme", "I confirm"},
	"invoice":          {"Facture", "Invoice"},
	"act.dispute":      {"Ouvrir un litige", "Open a dispute"},
	"act.resolve":      {"Clore un litige", "Resolve a dispute"},
	"act.promise":      {"Enregistrer une promesse", "Record a promise"},
	"act.pause":        {"Suspendre les relances", "Pause dunning"},
	"act.resume":       {"Reprendre les relances", "Resume dunning"},
	"act.insolvency":   {"Signaler une procédure collective", "Flag an insolvency"},
	"act.bounce":       {"Lever l'échec d'adresse", "Clear the bounce"},
	"outcome":          {"Issue", "Outcome"},
	"pay_by":           {"Paiement promis le", "Pay by"},
	"whole_client":     {"tout le client", "the whole client"},
	"insolvency.kind":  {"Procédure", "Proceeding"},
	"done":             {"Enregistré", "Recorded"},
	"days":             {"Jours", "Days"},
	"day":              {"Jour", "Day"},
	"messages":         {"Messages", "Messages"},
	"level":            {"Niveau", "Level"},
	"channel":          {"Canal", "Channel"},
	"template":         {"Modèle", "Template"},
	"invoices":         {"Factures", "Invoices"},
	"held":             {"Retenus", "Held back"},
	"held.title":       {"Ce qui est retenu, et pourquoi", "What is held back, and why"},
	"upcoming.totals":  {"Totaux par jour et par niveau", "Totals per day and level"},
	"upcoming.detail":  {"Envois prévus", "Planned sends"},
	"actions.steps":    {"Actions", "Actions"},
	"provisions":       {"Provisions proposées", "Provisions proposed"},
	"alerts.none":      {"Aucune alerte.", "No alert."},
	"alert":            {"Alerte", "Alert"},
	"detail":           {"Détail", "Detail"},
	"since":            {"Depuis", "Since"},
	"kind.all":         {"Toutes", "All"},
	"kpi.monthly":      {"Mois par mois", "Month by month"},
	"month":            {"Mois", "Month"},
	"dso":              {"DSO (jours)", "DSO (days)"},
	"dmp":              {"DMP (jours)", "DMP (days)"},
	"cei":              {"CEI", "CEI"},
	"receivables":      {"Encours", "Receivables"},
	"sales":            {"Ventes", "Sales"},
	"cohorts":          {"Recouvrement par mois de facturation", "Recovery by billing month"},
	"cohort.invoiced":  {"Facturé", "Invoiced"},
	"cohort.after":     {"M+", "M+"},
	"lang.other":       {"English", "Français"},
	"form.until":       {"Jusqu'au", "Until"},
	"form.opened":      {"Ouverte le", "Opened"},
	"form.published":   {"Publiée le", "Published"},
	"pre_due":          {"Pré-relance", "Pre-due"},
}

// say returns the label key in locale.
func say(locale, key string) string {
	w, ok := words[key]
	if !ok {
		return key
	}
	if locale == "en" {
		return w[1]
	}
	return w[0]
}

// formatDate writes a day as 12/09/2025 in French, 2025-09-12 otherwise.
func formatDate(t time.Time, locale string) string {
	if t.IsZero() {
		return ""
	}
	if locale == "fr" {
		return t.Format("02/01/2006")
	}
	return t.Format(time.DateOnly)
}

// formatTime writes an instant in loc: 12/09/2025 08:30 or 2025-09-12 08:30.
func formatTime(t time.Time, loc *time.Location, locale string) string {
	if t.IsZero() {
		return ""
	}
	if locale == "fr" {
		return t.In(loc).Format("02/01/2006 15:04")
	}
	return t.In(loc).Format("2006-01-02 15:04")
}

// formatAge writes how old data is: "il y a 3 h", "2 days old".
func formatAge(d time.Duration, locale string) string {
	h := int(d.Hours())
	fr := locale == "fr"
	switch {
	case d < 0 && fr:
		return "à venir"
	case d < 0:
		return "ahead"
	case h < 48 && fr:
		return fmt.Sprintf("il y a %d h", h)
	case h < 48:
		return fmt.Sprintf("%d h old", h)
	case fr:
		return fmt.Sprintf("il y a %d jours", h/24)
	}
	return fmt.Sprintf("%d days old", h/24)
}

// formatMoney writes an amount as the locale reads it ("1 234,56 €").
func formatMoney(a money.Amount, currency, locale string) string {
	if currency == "" {
		currency = "EUR"
	}
	return money.Format(a, currency, locale)
}

// formatRate writes a rate: "46,34 %" or "46.34%".
func formatRate(r aging.Rate, locale string) string { return money.FormatRate(int(r), locale) }

// formatDays writes a number of days with one decimal: "71,3" or "71.3".
func formatDays(v float64, locale string) string {
	s := fmt.Sprintf("%.1f", v)
	if locale == "fr" {
		s = strings.Replace(s, ".", ",", 1)
	}
	return s
}
