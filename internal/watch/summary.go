package watch

import (
	"fmt"
	"strings"
	"time"

	"github.com/relance/relance/internal/money"
)

// Title is the kind of alert in a few words, in locale (fr or en).
func Title(kind, locale string) string {
	t, ok := titles[kind]
	if !ok {
		return strings.TrimPrefix(kind, "alert_")
	}
	if locale == "fr" {
		return t[0]
	}
	return t[1]
}

var titles = map[string][2]string{
	CreditLimit:    {"Plafond d'encours", "Credit limit"},
	Insolvency:     {"Procédure collective", "Insolvency proceeding"},
	PromiseBroken:  {"Promesse non tenue", "Broken promise"},
	Bounce:         {"Adresse refusée", "Bounce"},
	LetterReturned: {"Lettre recommandée retournée", "Registered letter returned"},
	DisputeOverdue: {"Litige trop long", "Dispute open too long"},
	ClaimDeadline:  {"Déclaration de créance", "Claim declaration"},
	StaleData:      {"Données anciennes", "Stale data"},
	SweepMissed:    {"Balayage manqué", "Missed sweep"},
	JobFailed:      {"Tâche en échec", "Failed job"},
	QueuePaused:    {"File d'envoi suspendue", "Send queue paused"},
	SendStuck:      {"Envois bloqués", "Sends stuck"},
}

// Summary says what the alert is about in one line, in locale (fr or en):
// the client first when there is one.
func (a Alert) Summary(locale string) string {
	fr := locale == "fr"
	say := func(f, e string, args ...any) string {
		if fr {
			return fmt.Sprintf(f, args...)
		}
		return fmt.Sprintf(e, args...)
	}
	who := strings.TrimSpace(a.Client + " " + a.ClientName)
	if who != "" {
		who += say(" : ", ": ")
	}
	d := detail(a.Detail)
	switch a.Kind {
	case CreditLimit:
		cur := d.text("currency")
		return who + say("encours %s, %d %% du plafond de %s (seuil %d %% franchi)",
			"outstanding %s, %d%% of the %s limit (%d%% threshold crossed)",
			money.Format(d.amount("balance"), cur, locale), d.percentOf("balance", "credit_limit"),
			money.Format(d.amount("credit_limit"), cur, locale), d.int("threshold"))
	case Insolvency:
		s := who + say("%s ouvert le %s", "%s opened on %s", kindWords(d.text("kind"), fr), d.date("opened", fr))
		if p := d.text("published"); p != "" {
			s += say(", publié au BODACC le %s ; créance à déclarer avant le %s", ", published in the BODACC on %s; claim to declare by %s",
				d.date("published", fr), d.date("claim_deadline", fr))
		}
		return s
	case PromiseBroken:
		return who + say("promesse de paiement au %s non tenue (%s)", "promise to pay by %s not kept (%s)",
			d.date("pay_by", fr), d.list("invoices"))
	case Bounce:
		return who + say("adresse refusée définitivement : %s", "address refused for good: %s", d.text("error"))
	case LetterReturned:
		what := say("refusée", "refused")
		if d.text("source") == "letter_failed" {
			what = say("non distribuée", "undeliverable")
		}
		day := a.Day.Format(time.DateOnly)
		if fr {
			day = a.Day.Format("02/01/2006")
		}
		s := who + say("lettre n° %d (%s) %s le %s", "letter %d (%s) %s on %s", d.int("letter_id"), d.list("invoices"), what, day)
		if a.Reason != "" {
			s += say(" : %s", ": %s", a.Reason)
		}
		return s
	case DisputeOverdue:
		return who + say("litige sur %s (%s) ouvert depuis %d jours, au-delà de %d", "dispute on %s (%s) open for %d days, past %d",
			d.text("invoice"), d.text("dispute_reason"), d.int("days"), d.int("limit_days"))
	case ClaimDeadline:
		return who + say("créance à déclarer avant le %s (dans %d jours)", "claim to declare by %s (in %d days)",
			d.date("deadline", fr), d.int("days_left"))
	case StaleData:
		if d.text("payments_as_of") == "" {
			return say("entité %s : aucun paiement jamais importé ; rien ne dit si ses relances sont à jour",
				"entity %s: no payment data ever imported; nothing tells whether its reminders are up to date", a.Entity)
		}
		return say("entité %s : paiements au %s, vieux de %d h (maximum %s) ; ses envois attendent",
			"entity %s: payments as of %s, %d h old (maximum %s); its sends wait",
			a.Entity, d.instant("payments_as_of", fr), d.int("age_hours"), d.duration("max_age"))
	case SweepMissed:
		return say("le balayage du %s n'a pas tourné avant %s", "the sweep of %s did not run by %s", d.date("day", fr), d.text("window_end"))
	case JobFailed:
		what := d.text("job_kind")
		if what == "" {
			what = "relance_send"
		}
		state := d.text("job_state")
		if state == "" {
			state = a.Reason
		}
		if state != "" {
			state = " (" + strings.TrimPrefix(state, "job_") + ")"
		}
		return who + say("tâche %s n° %d%s : %s", "job %s #%d%s: %s", what, d.int("job_id"), state, d.text("error"))
	case SendStuck:
		s := say("%d envois en attente depuis le %s, aucun terminé depuis %d min", "%d sends waiting since %s, none finished for %d min",
			d.int("jobs"), d.instant("waiting_since", fr), d.int("stuck_minutes"))
		if d.text("queue_paused_at") != "" {
			s += say(" ; la file d'envoi est suspendue depuis le %s", "; the send queue is paused since %s", d.instant("queue_paused_at", fr))
		}
		return s
	case QueuePaused:
		return say("file d'envoi suspendue après %d refus de notre relais : %s", "send queue paused after %d refusals of our relay: %s",
			d.int("refusals"), d.text("error"))
	}
	return who + a.Reason
}

func kindWords(kind string, fr bool) string {
	w := map[string][2]string{
		"sauvegarde":   {"procédure de sauvegarde", "safeguard proceeding"},
		"redressement": {"redressement judiciaire", "judicial reorganisation"},
		"liquidation":  {"liquidation judiciaire", "judicial liquidation"},
	}[kind]
	if w[0] == "" {
		return kind
	}
	if fr {
		return w[0]
	}
	return w[1]
}

// detail reads an alert's JSON detail.
type detail map[string]any

func (d detail) text(k string) string {
	switch v := d[k].(type) {
	case nil:
		return ""
	case string:
		return v
	case float64:
		return fmt.Sprintf("%.0f", v)
	default:
		return fmt.Sprint(v)
	}
}

func (d detail) int(k string) int {
	if v, ok := d[k].(float64); ok {
		return int(v)
	}
	return 0
}

func (d detail) amount(k string) money.Amount {
	if v, ok := d[k].(float64); ok {
		return money.Amount(int64(v))
	}
	return 0
}

// percentOf is d[k] / d[of] in whole percents, rounded down.
func (d detail) percentOf(k, of string) int {
	a, b := d.amount(k), d.amount(of)
	if b <= 0 {
		return 100
	}
	return int(int64(a) * 100 / int64(b))
}

func (d detail) date(k string, fr bool) string {
	s := d.text(k)
	t, err := time.Parse(time.DateOnly, s)
	if err != nil || !fr {
		return s
	}
	return t.Format("02/01/2006")
}

// instant writes an instant stored with its offset, or a local time stored
// without one (written as it is).
func (d detail) instant(k string, fr bool) string {
	t, err := time.Parse(time.RFC3339, d.text(k))
	if err != nil {
		local, err := time.Parse("2006-01-02T15:04:05", d.text(k))
		if err != nil {
			return d.text(k)
		}
		if fr {
			return local.Format("02/01/2006 15:04")
		}
		return local.Format("2006-01-02 15:04")
	}
	if fr {
		return t.Format("02/01/2006 15:04 MST")
	}
	return t.Format("2006-01-02 15:04 MST")
}

// duration writes a stored duration ("36h0m0s") as a person would: 36 h.
func (d detail) duration(k string) string {
	v, err := time.ParseDuration(d.text(k))
	if err != nil {
		return d.text(k)
	}
	if v%time.Hour == 0 {
		return fmt.Sprintf("%d h", int(v.Hours()))
	}
	return v.String()
}

func (d detail) list(k string) string {
	v, _ := d[k].([]any)
	parts := make([]string, len(v))
	for i, x := range v {
		parts[i] = fmt.Sprint(x)
	}
	return strings.Join(parts, ", ")
}
