package dashboard

import (
	"cmp"
	"maps"
	"math"
	"net/http"
	"slices"
	"sort"
	"time"

	"github.com/relance/relance/internal/money"
	"github.com/relance/relance/internal/preview"
)

// upcomingDays is today and the next seven.
const upcomingDays = 8

// upcomingRows is how many rows each list of a day shows (messages, each
// reason of the held invoices, actions, provisions), the largest amounts
// first where the rows have one, unless the day is asked in full (?full=YYYY-MM-DD): a big day at
// a million invoices sends some 47,000 messages, a page no browser lays
// out; the totals always count everything.
const upcomingRows = 100

// messageInvoices is how many invoice numbers a message's row lists; the
// row says how many more it names (a large client's reminder can list
// dozens), unless the day is shown in full.
const messageInvoices = 4

// upcomingView is the page's data: the preview of each day with its totals.
type upcomingView struct {
	page
	Days   []upcomingDay
	Levels []int // the levels any day sends, ascending (0: pre-due)
	// ComputedAt is when the preview ran: the page shows a kept one while
	// nothing it read has changed (upcoming_cache.go).
	ComputedAt time.Time
}

// upcomingDay is one previewed day with its totals.
type upcomingDay struct {
	preview.Day
	Date     time.Time
	Messages int
	Totals   []currencyTotal // per currency, of the messages' invoices
	ByLevel  map[int]int     // messages per level of their highest step
	// Full says the day's lists are shown whole; otherwise each shows its
	// upcomingRows largest and says how many it leaves out.
	Full             bool
	ListedMessages   []preview.Message
	ListedHeld       []heldReason // per reason, the reason holding the most first
	ListedActions    []preview.Action
	ListedProvisions []preview.Provision
	// How many rows each list leaves out (the held invoices say it per reason).
	MessagesLeft, ActionsLeft, ProvisionsLeft int
}

// heldReason is the invoices held back for one reason that a day lists.
type heldReason struct {
	Reason string
	Items  []preview.Held
	Left   int
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
	fc, err := d.forecasts.get(ctx, preview.Options{Entity: entity, From: from, Days: upcomingDays,
		Sweeper: d.opts.Sweeper, Plans: d.opts.Plans, Penalties: d.opts.Penalties})
	if err != nil {
		return err
	}
	days, levels := fc.summary()
	v := upcomingView{page: p, ComputedAt: fc.at, Days: slices.Clone(days), Levels: levels}
	if full := r.URL.Query().Get("full"); full != "" {
		for i := range v.Days {
			if v.Days[i].Day.Date == full {
				v.Days[i].Full = true
				v.Days[i].list()
			}
		}
	}
	return d.render(w, http.StatusOK, "upcoming", v)
}

// summarize gives the days of rep with their totals and their lists cut
// to upcomingRows, and the levels any day sends, ascending. A kept forecast
// summarizes its report once (forecast.summary): sorting a day's tens of
// thousands of messages and held invoices was most of a load that reuses
// the preview.
func summarize(rep *preview.Report) ([]upcomingDay, []int) {
	var days []upcomingDay
	levels := map[int]bool{}
	for _, day := range rep.Days {
		u := upcomingDay{Day: day, ByLevel: map[int]int{}, Messages: len(day.Messages)}
		u.Date, _ = time.Parse(time.DateOnly, day.Date)
		u.list()
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
		days = append(days, u)
	}
	sorted := slices.Sorted(maps.Keys(levels))
	return days, sorted
}

// list fills the day's lists: whole when the day is asked in full, else
// the upcomingRows largest of each, in order of amount, then client and
// invoice (the totals count every row); the held invoices by reason, the
// reason holding the most first, so that the few held for a dispute are
// listed whatever the thousands held below the minimum amount.
func (u *upcomingDay) list() {
	day := u.Day
	rows := upcomingRows
	if u.Full {
		rows = math.MaxInt
	}
	u.ListedMessages = slices.Clone(day.Messages)
	slices.SortStableFunc(u.ListedMessages, func(a, b preview.Message) int {
		return cmp.Or(cmp.Compare(b.Total, a.Total), cmp.Compare(a.ClientCode, b.ClientCode))
	})
	u.ListedMessages, u.MessagesLeft = firstRows(u.ListedMessages, rows)
	u.ListedActions, u.ActionsLeft = firstRows(day.Actions, rows)
	provisions := slices.Clone(day.Provisions)
	slices.SortStableFunc(provisions, func(a, b preview.Provision) int { return cmp.Compare(b.Amount, a.Amount) })
	u.ListedProvisions, u.ProvisionsLeft = firstRows(provisions, rows)

	u.ListedHeld = nil // a kept day's cut lists, when it is listed again in full
	byReason := map[string][]preview.Held{}
	for _, h := range day.Held {
		byReason[string(h.Reason)] = append(byReason[string(h.Reason)], h)
	}
	reasons := slices.Collect(maps.Keys(byReason))
	slices.SortFunc(reasons, func(a, b string) int {
		return cmp.Or(cmp.Compare(len(byReason[b]), len(byReason[a])), cmp.Compare(a, b))
	})
	for _, reason := range reasons {
		items := byReason[reason]
		slices.SortStableFunc(items, func(a, b preview.Held) int {
			return cmp.Or(cmp.Compare(b.Outstanding, a.Outstanding), cmp.Compare(a.ClientCode, b.ClientCode), cmp.Compare(a.Number, b.Number))
		})
		g := heldReason{Reason: reason}
		g.Items, g.Left = firstRows(items, rows)
		u.ListedHeld = append(u.ListedHeld, g)
	}
}

// firstRows returns the first n of rows and how many it leaves out.
func firstRows[T any](rows []T, n int) ([]T, int) {
	if len(rows) <= n {
		return rows, 0
	}
	return rows[:n], len(rows) - n
}

// Invoices is the invoices a message's row lists: all of them when the day
// is shown in full, else the first messageInvoices.
func (u upcomingDay) Invoices(m preview.Message) []preview.InvoiceLine {
	if u.Full {
		return m.Invoices
	}
	shown, _ := firstRows(m.Invoices, messageInvoices)
	return shown
}

// InvoicesLeft is how many invoices a message's row leaves out.
func (u upcomingDay) InvoicesLeft(m preview.Message) int {
	if u.Full {
		return 0
	}
	_, left := firstRows(m.Invoices, messageInvoices)
	return left
}

// moreLine says how many rows a list of a day leaves out, with the link
// that shows the day in full.
type moreLine struct {
	Page     upcomingView
	Date     string
	Left     int
	ByAmount bool // the list shows its largest amounts
}

// More is the line under a list of day that leaves left rows out, the
// rows of the smallest amounts when byAmount.
func (v upcomingView) More(day upcomingDay, left int, byAmount bool) moreLine {
	return moreLine{Page: v, Date: day.Day.Date, Left: left, ByAmount: byAmount}
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
