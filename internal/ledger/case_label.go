package ledger

// caseLabels name the procedures, stages, outcomes and cost kinds of a case
// in French and English, for the CLI, the case file and, later, the pages.
var caseLabels = map[string][2]string{
	Injonction:            {"injonction de payer", "order for payment (injonction de payer)"},
	SmallClaims:           {"recouvrement des petites créances", "small claims recovery (petites créances)"},
	Assignation:           {"assignation", "summons (assignation)"},
	Agency:                {"agence de recouvrement", "collection agency"},
	StageOpened:           {"ouverture du dossier", "case opened"},
	StageFiled:            {"saisine (requête ou assignation)", "filed"},
	StageGranted:          {"titre obtenu (ordonnance ou jugement)", "order granted"},
	StageServed:           {"signification au débiteur", "served on the debtor"},
	"opposition_deadline": {"fin du délai d'opposition", "opposition deadline"},
	StageEnforceable:      {"titre exécutoire", "enforceable"},
	StageClosed:           {"clôture", "closed"},
	OutcomeRecovered:      {"recouvré", "recovered"},
	OutcomeLost:           {"perdu", "lost"},
	CostFees:              {"frais de justice et d'avocat", "court and lawyer's fees"},
	CostBailiff:           {"commissaire de justice", "bailiff (commissaire de justice)"},
	CostAgencyCommission:  {"commission d'agence", "agency commission"},
}

// CaseLabel names a procedure, a stage ("opposition_deadline" included), an
// outcome or a cost kind in locale (fr, else English); an unknown code is
// returned as is.
func CaseLabel(code, locale string) string {
	l, ok := caseLabels[code]
	switch {
	case !ok:
		return code
	case locale == "fr":
		return l[0]
	}
	return l[1]
}
