package dashboard

import (
	"html/template"
	"net/http"
	"time"

	"github.com/relance/relance/internal/aging"
	"github.com/relance/relance/internal/ledger"
	"github.com/relance/relance/internal/money"
	"github.com/relance/relance/plans"
)

// clientView is the client page's data.
type clientView struct {
	page
	Client   ledger.Client
	Items    []aging.Item
	Timeline []ledger.TimelineEntry
	// Usage is the balance against the credit limit; HasLimit false when
	// the client has none.
	HasLimit bool
	Usage    aging.Rate
	// Disputable are the open invoices out of dispute, Disputed those in
	// one: what the dispute forms offer.
	Disputable, Disputed []string
	Reasons              []string // the configured dispute reasons; none: free text
	Preselect            string   // ?invoice=: the invoice a row's button chose
	AsOfISO, TodayISO    string
	buckets              map[string]aging.Bucket
	// decided holds, by invoice number, the step the day's sweep already
	// decided for it (the timeline's reminder of that day) and the step
	// that follows.
	decided map[string]decidedStep
}

// decidedStep is a step the sweep decided on the page's day: how far it
// went (reminder_sent, letter_sent, reminder_pending) and what comes next.
type decidedStep struct {
	kind string
	then plans.Next
}

// flashes are the messages a redirect after an action names (?done=).
var flashes = map[string][2]string{
	"dispute_opened":   {"Litige ouvert.", "Dispute opened."},
	"dispute_resolved": {"Litige clos.", "Dispute resolved."},
	"promise":          {"Promesse enregistrée.", "Promise recorded."},
	"paused":           {"Relances suspendues.", "Dunning paused."},
	"resumed":          {"Relances reprises.", "Dunning resumed."},
	"insolvency":       {"Procédure collective enregistrée.", "Insolvency recorded."},
	"bounce_cleared":   {"Échec d'adresse levé.", "Bounce cleared."},
}

// clientPage shows one client: its state, open items, timeline and forms.
func (d *dashboard) clientPage(w http.ResponseWriter, r *http.Request) error {
	v, err := d.clientView(w, r)
	if err != nil {
		return err
	}
	if f, ok := flashes[r.URL.Query().Get("done")]; ok {
		v.Flash = v.Say(f[0], f[1])
	}
	return d.render(w, http.StatusOK, "client", v)
}

// clientView gathers the client page of the request's client, entity and
// day.
func (d *dashboard) clientView(w http.ResponseWriter, r *http.Request) (clientView, error) {
	ctx, code := r.Context(), r.PathValue("code")
	entity := d.entityParam(r)
	if entity == "" {
		entity = d.opts.Ledger.Entity
	}
	day, err := d.day(r)
	if err != nil {
		return clientView{}, err
	}
	p, err := d.newPage(ctx, w, r, "aging", entity, day)
	if err != nil {
		return clientView{}, err
	}
	v := clientView{page: p, Reasons: d.opts.Ledger.DisputeReasons, Preselect: r.URL.Query().Get("invoice"),
		AsOfISO: day.Format(time.DateOnly), TodayISO: d.today().Format(time.DateOnly), buckets: map[string]aging.Bucket{}}
	store := d.store(entity)
	if v.Client, err = store.Client(ctx, code, day); err != nil {
		return v, err
	}
	v.Title = v.Client.Code + " " + v.Client.Name
	if v.Client.CreditLimit != nil {
		v.HasLimit, v.Usage = true, aging.RateOf(int64(v.Client.Balance), int64(*v.Client.CreditLimit))
	}
	for _, b := range aging.Buckets(d.opts.AgingEdges) {
		v.buckets[b.Name] = b
	}
	o := aging.Options{AsOf: day, Edges: d.opts.AgingEdges, Entity: entity, Client: code}
	stepper := aging.NewPlanNextStep(d.opts.Plans, day)
	err = aging.Items(ctx, d.opts.DB, o, stepper, func(it aging.Item) error {
		v.Items = append(v.Items, it)
		if it.Kind == "invoice" && it.Open > 0 {
			if it.Disputed {
				v.Disputed = append(v.Disputed, it.Number)
			} else {
				v.Disputable = append(v.Disputable, it.Number)
			}
		}
		return nil
	})
	if err != nil {
		return v, err
	}
	if v.Timeline, err = store.Timeline(ctx, code, d.opts.Location); err != nil {
		return v, err
	}
	v.decided = decidedOn(day, v.Items, v.Timeline, stepper)
	// Newest first: what happened last is what the reader looks for.
	for i, j := 0, len(v.Timeline)-1; i < j; i, j = i+1, j-1 {
		v.Timeline[i], v.Timeline[j] = v.Timeline[j], v.Timeline[i]
	}
	return v, nil
}

// BucketOf is an item's bucket label ("" for unapplied credit).
func (v clientView) BucketOf(it aging.Item) string {
	if b, ok := v.buckets[it.Bucket]; ok {
		return b.Label(v.Locale)
	}
	return v.Say("non lettré", "unapplied")
}

// decidedOn finds the items whose next step the sweep of day has already
// decided, from the timeline's reminders of that day, and the step that
// follows each.
func decidedOn(day time.Time, items []aging.Item, timeline []ledger.TimelineEntry, stepper aging.PlanNextStep) map[string]decidedStep {
	kinds := map[[2]string]string{} // invoice number, step → kind
	for _, e := range timeline {
		if !e.Day.Equal(day) || (e.Kind != "reminder_sent" && e.Kind != "letter_sent" && e.Kind != "reminder_pending") {
			continue
		}
		for _, n := range e.Invoices {
			kinds[[2]string{n, e.Step}] = e.Kind
		}
	}
	out := map[string]decidedStep{}
	for _, it := range items {
		n := it.NextStep
		if n.Step == nil || !n.Day.Equal(day) {
			continue
		}
		if kind, ok := kinds[[2]string{it.Number, n.Step.ID}]; ok {
			out[it.Number] = decidedStep{kind: kind, then: stepper.After(it, n.Step.ID)}
		}
	}
	return out
}

// NextStep is an item's next step: its label and day; for a step the day's
// sweep has already decided, what became of it and the step after.
func (v clientView) NextStep(it aging.Item) string {
	if it.NextStep.Step == nil {
		return ""
	}
	label := it.NextStep.Step.Label(v.Locale)
	d, ok := v.decided[it.Number]
	if !ok {
		return label + " · " + v.Date(it.NextStep.Day)
	}
	state := v.Say("envoyée le "+v.Date(it.NextStep.Day), "sent on "+v.Date(it.NextStep.Day))
	switch {
	case d.kind == "reminder_pending":
		state = v.Say("en cours d'envoi", "being sent")
	case v.AsOfISO == v.TodayISO:
		state = v.Say("envoyée aujourd'hui", "sent today")
	}
	s := label + " · " + state
	if d.then.Step != nil {
		s += v.Say(" ; puis ", "; then ") + d.then.Step.Label(v.Locale) + " · " + v.Date(d.then.Day)
	}
	return s
}

// ItemKind names an open item's kind in the page's language.
func (v clientView) ItemKind(kind string) string {
	if w, ok := itemKinds[kind]; ok {
		return v.Say(w[0], w[1])
	}
	return kind
}

// EntryKind names a timeline entry's kind in the page's language.
func (v clientView) EntryKind(kind string) string { return ledger.TimelineLabel(kind, v.Locale) }

// DaysLate writes an item's days late ("" for unapplied credit).
func (v clientView) DaysLate(it aging.Item) string {
	if it.DaysLate == nil {
		return ""
	}
	return itoa(*it.DaysLate)
}

// DisputeLink is the row's button: the page with the dispute form on this
// invoice.
func (v clientView) DisputeLink(number string) template.URL {
	return template.URL("?" + "entity=" + urlQuery(v.Client.Entity) + "&invoice=" + urlQuery(number) + "#dispute")
}

// Action is where a form posts, with the entity.
func (v clientView) Action(what string) string {
	return "/clients/" + urlPath(v.Client.Code) + "/" + what + "?entity=" + urlQuery(v.Client.Entity)
}

// Outstanding is the open amount of the client's documents in currency
// (for the usage line, which is in the entity's currency).
func (v clientView) Limit() money.Amount {
	if v.Client.CreditLimit == nil {
		return 0
	}
	return *v.Client.CreditLimit
}

// itemKinds name the kinds of open items (the timeline's are
// ledger.TimelineLabel's).
var itemKinds = map[string][2]string{
	"invoice":     {"facture", "invoice"},
	"credit_note": {"avoir", "credit note"},
	"payment":     {"paiement", "payment"},
}
