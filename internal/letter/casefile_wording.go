package letter

import (
	"fmt"
	"strings"

	"github.com/relance/relance/internal/ledger"
)

// caseWording is the fixed text of a case file in one language; labels of
// procedures, stages and costs come from ledger.CaseLabel.
type caseWording struct {
	locale                                         string
	title, number, drawnUp, creditor, debtor       string
	procedure, procedureIs, reference, handler     string
	openedBy, withoutNotice, computed, stage, date string
	invoices, amount, claimed, recovered           string
	reminders, stepTitle, channelTitle, listed     string
	letters, proof, notRecorded, postedOn          string
	tracking                                       string
	outcomes                                       map[string]string // by ledger letter status
	costs, kind, note, costTotal, costAmount       string
	summary, claimedOn, recoveredInCase, dueOn     string
	claimTotal                                     string
	noReminders, noLetters, noCosts                string
	channels                                       map[string]string
	levels                                         [6]string // 0 pre-due … 5 formal notice
}

var frenchCase = caseWording{
	locale: "fr",
	title:  "DOSSIER DE RECOUVREMENT CONTENTIEUX", number: "Dossier n° %d – %s", drawnUp: "Établi le %s",
	creditor: "CRÉANCIER", debtor: "DÉBITEUR",
	procedure: "Procédure", procedureIs: "Procédure : ", reference: "Référence : ", handler: "Mandataire : ",
	openedBy: "Dossier ouvert le %s par %s", computed: " (signification + 1 mois)",
	withoutNotice: "Ouvert sans mise en demeure échue enregistrée par relance.",
	stage:         "Étape", date: "Date",
	invoices: "Factures du dossier", amount: "Montant TTC", claimed: "Réclamé", recovered: "Recouvré",
	reminders: "Historique des relances", stepTitle: "Relance", channelTitle: "Canal", listed: "Factures",
	letters: "Mises en demeure (lettres recommandées)", proof: "Preuve de dépôt",
	notRecorded: "dépôt non enregistré", postedOn: "déposée le %s", tracking: "n° %s",
	outcomes: map[string]string{ledger.LetterDelivered: "AR signé le %s", ledger.LetterRefused: "refusée le %s",
		ledger.LetterFailed: "non distribuée le %s"},
	costs: "Frais de la procédure", kind: "Nature", note: "Détail", costTotal: "Frais engagés", costAmount: "Montant",
	summary: "Synthèse du dossier", claimedOn: "Réclamé à l'ouverture (%s)", recoveredInCase: "Recouvré pendant la procédure",
	dueOn: "Reste dû au %s, pénalités et indemnités comprises", claimTotal: "TOTAL DE LA CRÉANCE",
	noReminders: "Aucune relance envoyée pour ces factures.", noLetters: "Aucune lettre recommandée envoyée pour ces factures.",
	noCosts:  "Aucun frais enregistré.",
	channels: map[string]string{"email": "e-mail", "registered_letter": "lettre recommandée AR", "phone": "téléphone"},
	levels: [6]string{"avis avant échéance", "relance n° 1", "relance n° 2", "relance n° 3", "relance n° 4",
		"mise en demeure"},
}

var englishCase = caseWording{
	locale: "en",
	title:  "LEGAL COLLECTION CASE FILE", number: "Case %d – %s", drawnUp: "Drawn up on %s",
	creditor: "CREDITOR", debtor: "DEBTOR",
	procedure: "Procedure", procedureIs: "Procedure: ", reference: "Reference: ", handler: "Handled by: ",
	openedBy: "Case opened on %s by %s", computed: " (served + 1 month)",
	withoutNotice: "Opened without a formal notice past its deadline recorded by relance.",
	stage:         "Stage", date: "Date",
	invoices: "Invoices of the case", amount: "Amount", claimed: "Claimed", recovered: "Recovered",
	reminders: "Reminder history", stepTitle: "Reminder", channelTitle: "Channel", listed: "Invoices",
	letters: "Formal notices (registered letters)", proof: "Proof of posting",
	notRecorded: "posting not recorded", postedOn: "posted on %s", tracking: "no. %s",
	outcomes: map[string]string{ledger.LetterDelivered: "receipt signed on %s", ledger.LetterRefused: "refused on %s",
		ledger.LetterFailed: "undeliverable on %s"},
	costs: "Costs of the procedure", kind: "Kind", note: "Detail", costTotal: "Costs incurred", costAmount: "Amount",
	summary: "Case summary", claimedOn: "Claimed at opening (%s)", recoveredInCase: "Recovered during the procedure",
	dueOn: "Still due on %s, interest and compensation included", claimTotal: "TOTAL CLAIM",
	noReminders: "No reminder was sent for these invoices.", noLetters: "No registered letter was sent for these invoices.",
	noCosts:  "No cost recorded.",
	channels: map[string]string{"email": "email", "registered_letter": "registered letter", "phone": "phone"},
	levels: [6]string{"pre-due notice", "reminder 1", "reminder 2", "reminder 3", "reminder 4",
		"formal notice"},
}

func caseWordingFor(locale string) caseWording {
	if strings.HasPrefix(locale, "en") {
		return englishCase
	}
	return frenchCase
}

// step names a plan step by its level; a step outside the ladder keeps its
// id.
func (w caseWording) step(id string, level int) string {
	if level < 0 || level >= len(w.levels) {
		return id
	}
	if level == 0 && id != "pre_due" || level > 0 && id != fmt.Sprintf("level%d", level) {
		return w.levels[level] + " (" + id + ")"
	}
	return w.levels[level]
}

// channel names a channel.
func (w caseWording) channel(ch string) string {
	if s, ok := w.channels[ch]; ok {
		return s
	}
	return ch
}
