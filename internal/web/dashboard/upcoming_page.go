package dashboard

import (
	"net/http"
	"sort"
	"time"

	"github.com/relance/relance/internal/money"
	"github.com/relance/relance/internal/preview"
)

// upcomingDays is today and the next seven.
const upcomingDays = 8

// upcomingView is the page's data: the preview of each day with its totals.
type upcomingView struct {
	page
	Days   []upcomingDay
	Levels []int // the levels any day sends, ascending (0: pre-due)
}

// upcomingDay is one previewed day with its totals.
type upcomingDay struct {
	preview.Day
	Date     time.Time
	Messages int
	Totals   []currencyTotal // per currency, of the messages' invoices
	ByLevel  map[int]int     // messages per level of their highest step
	HeldBy   map[string]int  // held invoices per reason
}

type currencyTotal struct {
	Currency string
	Amount   money.Amount
}

// upcomingPage shows what the engine sends today and over the next seven
// days, as `relance preview --days 8` lists it, with the totals per day and
// per level and what is held back and why.
func (d *dashboard) upcomingPage(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	entity := d.entityParam(r)
	if entity == "" {
		entity = d.opts.Ledger.Entity // the preview is one entity's sweep
	}
	from, err := d.day(r)
	if err != nil {
		return err
	}
	p, err := d.newPage(ctx, w, r, "upcoming", entity, from)
	if err != nil {
		return err
	}
	p.Title = p.T("nav.upcoming")
	rep, err := preview.Run(ctx, d.opts.DB, preview.Options{Entity: entity, From: from, Days: upcomingDays,
		Sweeper: d.opts.Sweeper, Plans: d.opts.Plans, Penalties: d.opts.Penalties})
	if err != nil {
		return err
	}
	v := upcomingView{page: p}
	levels := map[int]bool{}
	for _, day := range rep.Days {
		u := upcomingDay{Day: day, ByLevel: map[int]int{}, HeldBy: map[string]int{}, Messages: len(day.Messages)}
		u.Date, _ = time.Parse(time.DateOnly, day.Date)
		sums := map[string]money.Amount{}
		for _, m := range day.Messages {
			u.ByLevel[m.Level]++
			levels[m.Level] = true
			sums[m.Currency] += m.Total
		}
		for c, a := range sums {
			u.Totals = append(u.Totals, currencyTotal{c, a})
		}
		sort.Slice(u.Totals, func(i, j int) bool { return u.Totals[i].Currency < u.Totals[j].Currency })
		for _, h := range day.Held {
			u.HeldBy[string(h.Reason)]++
		}
		v.Days = append(v.Days, u)
	}
	for l := range levels {
		v.Levels = append(v.Levels, l)
	}
	sort.Ints(v.Levels)
	return d.render(w, http.StatusOK, "upcoming", v)
}

// LevelName names a level: pre-due for 0.
func (v upcomingView) LevelName(l int) string {
	if l == 0 {
		return v.T("pre_due")
	}
	return v.T("level") + " " + itoa(l)
}

// Reason names why an invoice is held, in the page's language.
func (v upcomingView) Reason(r string) string {
	if w, ok := heldWords[r]; ok {
		return v.Say(w[0], w[1])
	}
	return r
}

// ClientURL is a client's page.
func (v upcomingView) ClientURL(code string) string {
	return "/clients/" + urlPath(code) + "?entity=" + urlQuery(v.Entity)
}

var heldWords = map[string][2]string{
	"insolvency":        {"procédure collective", "insolvency"},
	"paused":            {"client suspendu", "client paused"},
	"net_balance":       {"solde créditeur", "credits cover the debt"},
	"dispute":           {"litige", "dispute"},
	"promise":           {"promesse de paiement", "promise to pay"},
	"min_amount":        {"montant trop faible", "below the minimum amount"},
	"case":              {"dossier contentieux", "legal case"},
	"waiting":           {"relance précédente en attente", "previous reminder still waiting"},
	"gap":               {"délai minimal entre relances", "minimum gap since the last reminder"},
	"no_email":          {"pas d'adresse e-mail", "no email address"},
	"bouncing":          {"adresse en échec", "address bouncing"},
	"no_postal_address": {"pas d'adresse postale", "no postal address"},
}
