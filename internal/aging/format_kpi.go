package aging

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/relance/relance/internal/money"
)

var kpiWords = map[string]map[string]string{
	"fr": {"title": "Indicateurs de recouvrement au %s (%d mois depuis le %s) — %s",
		"receivables": "Encours net", "dso": "DSO (méthode par épuisement)", "days": "jours",
		"not_covered": " (minimum : les ventes de la période ne couvrent pas l'encours)",
		"dmp":         "DMP (délai moyen de paiement, pondéré)", "over": "sur %d factures soldées",
		"late": "Taux de retard", "cei": "CEI (efficacité du recouvrement)",
		"cei_detail": "encours d'ouverture %s + ventes %s − encours de clôture %s ; non échu %s",
		"shares":     "Répartition par tranche", "cohorts": "Taux de recouvrement par mois de facturation",
		"month": "Mois", "invoiced": "Facturé", "credit": "Utilisation de l'encours autorisé (≥ 50 %)",
		"limit": "Plafond", "usage": "Utilisation", "none": "aucun client", "scores": "Score payeur (stocké sur les clients)",
		"no_score": "sans historique",
		"recovery": "Recouvrement sur la période", "rate": "Taux de recouvrement (encaissé ÷ exigible)",
		"rate_detail": "%s encaissés sur %s exigibles",
		"phase":       "Recouvré en phase amiable / contentieuse", "phase_detail": "%s / %s",
		"cost":        "Coût du recouvrement (frais ÷ recouvré)",
		"cost_detail": "frais de contentieux %s + %d lettre(s) recommandée(s) %s, pour %s recouvrés",
		"promises":    "Promesses de paiement tenues", "promises_detail": "%d tenue(s), %d non tenue(s)",
		"no_promise": "aucune promesse échue sur la période",
		"disputes":   "Délai de résolution des litiges", "disputes_detail": "%s jours en moyenne sur %d litige(s) résolu(s)",
		"no_dispute": "aucun litige résolu sur la période", "open_disputes": "%d litige(s) en cours, âge moyen %s jours"},
	"en": {"title": "Collection KPIs as of %s (%d months from %s) — %s",
		"receivables": "Net receivables", "dso": "DSO (count-back)", "days": "days",
		"not_covered": " (lower bound: the window's sales do not cover the receivables)",
		"dmp":         "DMP (amount-weighted days to pay)", "over": "over %d invoices settled",
		"late": "Late rate", "cei": "CEI (collection effectiveness)",
		"cei_detail": "opening %s + sales %s − closing %s; closing not due %s",
		"shares":     "Share per bucket", "cohorts": "Recovery rate by billing month",
		"month": "Month", "invoiced": "Invoiced", "credit": "Credit limit usage (≥ 50%)",
		"limit": "Limit", "usage": "Usage", "none": "no client", "scores": "Payer score (stored on the clients)",
		"no_score": "no history",
		"recovery": "Recovery over the window", "rate": "Recovery rate (collected ÷ due)",
		"rate_detail": "%s collected of %s due",
		"phase":       "Recovered amicably / in legal proceedings", "phase_detail": "%s / %s",
		"cost":        "Cost of recovery (costs ÷ recovered)",
		"cost_detail": "legal costs %s + %d registered letter(s) %s, for %s recovered",
		"promises":    "Promises to pay kept", "promises_detail": "%d kept, %d broken",
		"no_promise": "no promise came due in the window",
		"disputes":   "Dispute resolution time", "disputes_detail": "%s days on average over %d dispute(s) resolved",
		"no_dispute": "no dispute resolved in the window", "open_disputes": "%d dispute(s) open, %s days old on average"},
}

func formatDays(d float64, locale string) string {
	s := strconv.FormatFloat(d, 'f', 2, 64)
	if locale == "fr" {
		s = strings.Replace(s, ".", ",", 1)
	}
	return s
}

// WriteKPITable writes the KPIs as text in locale.
func WriteKPITable(w io.Writer, k KPIs, locale string) error {
	wd, ok := kpiWords[locale]
	if !ok {
		wd = kpiWords["en"]
	}
	for i, c := range k.Currencies {
		if i > 0 {
			fmt.Fprintln(w)
		}
		fmt.Fprintf(w, wd["title"]+"\n\n", formatDate(k.AsOf, locale), k.Months, formatDate(k.Start, locale), c.Currency)
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintf(tw, "%s\t%s\n", wd["receivables"], formatNumber(c.Receivables, locale))
		cov := ""
		if !c.DSOCovered {
			cov = wd["not_covered"]
		}
		fmt.Fprintf(tw, "%s\t%s %s%s\n", wd["dso"], formatDays(c.DSO, locale), wd["days"], cov)
		fmt.Fprintf(tw, "%s\t%s %s, "+wd["over"]+"\n", wd["dmp"], formatDays(c.DMP, locale), wd["days"], c.DMPInvoices)
		fmt.Fprintf(tw, "%s\t%s\n", wd["late"], formatRate(c.LateRate, locale))
		fmt.Fprintf(tw, "%s\t%s ("+wd["cei_detail"]+")\n", wd["cei"], formatRate(c.CEI, locale),
			formatNumber(c.Opening, locale), formatNumber(c.NetSales, locale), formatNumber(c.Closing, locale),
			formatNumber(c.ClosingCurrent, locale))
		if err := tw.Flush(); err != nil {
			return err
		}
		fmt.Fprintf(w, "\n%s\n", wd["shares"])
		tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		for bi, b := range k.Buckets {
			if bi < len(c.BucketShares) {
				fmt.Fprintf(tw, "  %s\t%s\t\n", b.Label(locale), formatRate(c.BucketShares[bi], locale))
			}
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		fmt.Fprintf(w, "\n%s\n", wd["cohorts"])
		tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		head := []string{wd["month"], wd["invoiced"]}
		for kk := range k.Months {
			head = append(head, "M+"+strconv.Itoa(kk))
		}
		fmt.Fprintln(tw, strings.Join(head, "\t")+"\t")
		for _, co := range c.Cohorts {
			cells := []string{co.Month.Format("2006-01"), formatNumber(co.Invoiced, locale)}
			for _, r := range co.Collected {
				cells = append(cells, formatRate(r, locale))
			}
			for len(cells) < len(head) {
				cells = append(cells, "")
			}
			fmt.Fprintln(tw, strings.Join(cells, "\t")+"\t")
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		fmt.Fprintf(w, "\n%s\n", wd["credit"])
		if len(c.CreditUsage) == 0 {
			fmt.Fprintf(w, "  %s\n", wd["none"])
		}
		tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		for _, u := range c.CreditUsage {
			band := fmt.Sprintf("≥ %d%%", u.Band)
			if locale == "fr" {
				band = fmt.Sprintf("≥ %d\u00a0%%", u.Band)
			}
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\t%s\t\n", u.ClientCode, u.ClientName, formatNumber(u.Outstanding, locale),
				formatNumber(u.Limit, locale), formatRate(u.Usage, locale), band)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		if err := writeRecovery(w, c.Recovery, wd, locale); err != nil {
			return err
		}
	}
	if err := writePromisesAndDisputes(w, k, wd, locale); err != nil {
		return err
	}
	fmt.Fprintf(w, "\n%s\n", wd["scores"])
	for _, s := range k.PayerScores {
		name := s.Score
		if name == "" {
			name = wd["no_score"]
		}
		fmt.Fprintf(w, "  %s: %d\n", name, s.Clients)
	}
	return nil
}

// writeRecovery writes a currency's recovery KPIs with the figures behind
// each ratio.
func writeRecovery(w io.Writer, r Recovery, wd map[string]string, locale string) error {
	n := func(a money.Amount) string { return formatNumber(a, locale) }
	fmt.Fprintf(w, "\n%s\n", wd["recovery"])
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "  %s\t%s\t("+wd["rate_detail"]+")\n", wd["rate"], formatRate(r.Rate, locale), n(r.Collected), n(r.Due))
	fmt.Fprintf(tw, "  %s\t%s / %s\t("+wd["phase_detail"]+")\n", wd["phase"], formatRate(r.AmicableShare, locale),
		formatRate(r.LegalShare, locale), n(r.Amicable), n(r.Legal))
	fmt.Fprintf(tw, "  %s\t%s\t("+wd["cost_detail"]+")\n", wd["cost"], formatRate(r.CostRate, locale), n(r.CaseCosts),
		r.Letters, n(r.LetterCosts), n(r.Recovered()))
	return tw.Flush()
}

// writePromisesAndDisputes writes the KPIs that are counts of events, not
// amounts: promises kept, dispute resolution time.
func writePromisesAndDisputes(w io.Writer, k KPIs, wd map[string]string, locale string) error {
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	p, d := k.Promises, k.Disputes
	if p.Kept+p.Broken == 0 {
		fmt.Fprintf(tw, "%s\t%s\n", wd["promises"], wd["no_promise"])
	} else {
		fmt.Fprintf(tw, "%s\t%s ("+wd["promises_detail"]+")\n", wd["promises"], formatRate(p.KeptRate, locale), p.Kept, p.Broken)
	}
	if d.Resolved == 0 {
		fmt.Fprintf(tw, "%s\t%s", wd["disputes"], wd["no_dispute"])
	} else {
		fmt.Fprintf(tw, "%s\t"+wd["disputes_detail"], wd["disputes"], formatDays(d.MeanDays, locale), d.Resolved)
	}
	if d.Open > 0 {
		fmt.Fprintf(tw, "; "+wd["open_disputes"], d.Open, formatDays(d.OpenMeanAge, locale))
	}
	fmt.Fprintln(tw)
	return tw.Flush()
}

// WriteKPIJSON writes the KPIs as JSON: amounts as strings in major units,
// rates as percentage strings, days as numbers with two decimals.
//
//	{"as_of": "2025-03-31", "start": "2025-01-01", "months": 3,
//	 "currencies": [{"currency": "EUR", "receivables": "6000.00",
//	   "dso": 49.67, "dso_covered": true, "dmp": 43.57, "dmp_invoices": 3,
//	   "late_rate": "50.00", "bucket_shares": {"not_due": "50.00", …},
//	   "cei": "60.00", "cei_parts": {"opening": …, "net_sales": …, "closing": …, "closing_not_due": …},
//	   "monthly_sales": [{"month": "2025-03", "days": 31, "sales": "4000.00"}, …],
//	   "cohorts": [{"month": "2025-01", "invoiced": "2500.00", "collected": ["0.00", "40.00", "100.00"]}],
//	   "credit_usage": [{"client_id": "K1", "client_name": …, "outstanding": …, "limit": …, "usage": "60.00", "band": 50}],
//	   "recovery": {"due": "6500.00", "collected": "3500.00", "rate": "53.85", "amicable": "2500.00", "legal": "0.00",
//	     "amicable_share": "100.00", "legal_share": "0.00", "case_costs": "0.00", "letters": 0, "letter_costs": "0.00",
//	     "cost_rate": "0.00"}}],
//	 "promises": {"kept": 0, "broken": 0, "kept_rate": "0.00"},
//	 "disputes": {"resolved": 0, "mean_days": 0, "open": 0, "open_mean_age": 0},
//	 "payer_scores": {"A": 1, "D": 1, "none": 1}}
func WriteKPIJSON(w io.Writer, k KPIs) error {
	type sale struct {
		Month string `json:"month"`
		Days  int    `json:"days"`
		Sales string `json:"sales"`
	}
	type cohort struct {
		Month     string   `json:"month"`
		Invoiced  string   `json:"invoiced"`
		Collected []string `json:"collected"`
	}
	type usage struct {
		ClientID    string `json:"client_id"`
		ClientName  string `json:"client_name"`
		Outstanding string `json:"outstanding"`
		Limit       string `json:"limit"`
		Usage       string `json:"usage"`
		Band        int    `json:"band"`
	}
	type currency struct {
		Currency     string            `json:"currency"`
		Receivables  string            `json:"receivables"`
		DSO          float64           `json:"dso"`
		DSOCovered   bool              `json:"dso_covered"`
		DMP          float64           `json:"dmp"`
		DMPInvoices  int               `json:"dmp_invoices"`
		LateRate     string            `json:"late_rate"`
		BucketShares map[string]string `json:"bucket_shares"`
		CEI          string            `json:"cei"`
		CEIParts     map[string]string `json:"cei_parts"`
		MonthlySales []sale            `json:"monthly_sales"`
		Cohorts      []cohort          `json:"cohorts"`
		CreditUsage  []usage           `json:"credit_usage"`
		Recovery     jsonRecovery      `json:"recovery"`
	}
	doc := struct {
		AsOf        string         `json:"as_of"`
		Start       string         `json:"start"`
		Months      int            `json:"months"`
		Currencies  []currency     `json:"currencies"`
		Promises    jsonPromises   `json:"promises"`
		Disputes    jsonDisputes   `json:"disputes"`
		PayerScores map[string]int `json:"payer_scores"`
	}{AsOf: k.AsOf.Format(time.DateOnly), Start: k.Start.Format(time.DateOnly), Months: k.Months,
		Currencies: []currency{}, PayerScores: map[string]int{}}
	round := func(f float64) float64 {
		v, _ := strconv.ParseFloat(strconv.FormatFloat(f, 'f', 2, 64), 64)
		return v
	}
	doc.Promises = jsonPromises{k.Promises.Kept, k.Promises.Broken, k.Promises.KeptRate.String()}
	doc.Disputes = jsonDisputes{k.Disputes.Resolved, round(k.Disputes.MeanDays), k.Disputes.Open, round(k.Disputes.OpenMeanAge)}
	for _, c := range k.Currencies {
		jc := currency{Currency: c.Currency, Receivables: money.FormatPlain(c.Receivables), DSO: round(c.DSO),
			DSOCovered: c.DSOCovered, DMP: round(c.DMP), DMPInvoices: c.DMPInvoices, LateRate: c.LateRate.String(),
			BucketShares: map[string]string{}, CEI: c.CEI.String(),
			CEIParts: map[string]string{"opening": money.FormatPlain(c.Opening), "net_sales": money.FormatPlain(c.NetSales),
				"closing": money.FormatPlain(c.Closing), "closing_not_due": money.FormatPlain(c.ClosingCurrent)},
			MonthlySales: []sale{}, Cohorts: []cohort{}, CreditUsage: []usage{}}
		for i, b := range k.Buckets {
			if i < len(c.BucketShares) {
				jc.BucketShares[b.Name] = c.BucketShares[i].String()
			}
		}
		for _, s := range c.Sales {
			jc.MonthlySales = append(jc.MonthlySales, sale{s.Month.Format("2006-01"), s.Days, money.FormatPlain(s.Sales)})
		}
		for _, co := range c.Cohorts {
			jco := cohort{Month: co.Month.Format("2006-01"), Invoiced: money.FormatPlain(co.Invoiced)}
			for _, r := range co.Collected {
				jco.Collected = append(jco.Collected, r.String())
			}
			jc.Cohorts = append(jc.Cohorts, jco)
		}
		for _, u := range c.CreditUsage {
			jc.CreditUsage = append(jc.CreditUsage, usage{u.ClientCode, u.ClientName, money.FormatPlain(u.Outstanding),
				money.FormatPlain(u.Limit), u.Usage.String(), u.Band})
		}
		jc.Recovery = toJSONRecovery(c.Recovery)
		doc.Currencies = append(doc.Currencies, jc)
	}
	for _, s := range k.PayerScores {
		name := s.Score
		if name == "" {
			name = "none"
		}
		doc.PayerScores[name] = s.Clients
	}
	return writeIndented(w, doc)
}

// The recovery KPIs in the JSON document (WriteKPIJSON): amounts in major
// units and rates as strings, like the rest of it.
type (
	jsonRecovery struct {
		Due           string `json:"due"`
		Collected     string `json:"collected"`
		Rate          string `json:"rate"`
		Amicable      string `json:"amicable"`
		Legal         string `json:"legal"`
		AmicableShare string `json:"amicable_share"`
		LegalShare    string `json:"legal_share"`
		CaseCosts     string `json:"case_costs"`
		Letters       int    `json:"letters"`
		LetterCosts   string `json:"letter_costs"`
		CostRate      string `json:"cost_rate"`
	}
	jsonPromises struct {
		Kept     int    `json:"kept"`
		Broken   int    `json:"broken"`
		KeptRate string `json:"kept_rate"`
	}
	jsonDisputes struct {
		Resolved    int     `json:"resolved"`
		MeanDays    float64 `json:"mean_days"`
		Open        int     `json:"open"`
		OpenMeanAge float64 `json:"open_mean_age"`
	}
)

func toJSONRecovery(r Recovery) jsonRecovery {
	return jsonRecovery{Due: money.FormatPlain(r.Due), Collected: money.FormatPlain(r.Collected), Rate: r.Rate.String(),
		Amicable: money.FormatPlain(r.Amicable), Legal: money.FormatPlain(r.Legal), AmicableShare: r.AmicableShare.String(),
		LegalShare: r.LegalShare.String(), CaseCosts: money.FormatPlain(r.CaseCosts), Letters: r.Letters,
		LetterCosts: money.FormatPlain(r.LetterCosts), CostRate: r.CostRate.String()}
}
