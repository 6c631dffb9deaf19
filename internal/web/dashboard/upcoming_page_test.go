package dashboard

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/relance/relance/internal/money"
	"github.com/relance/relance/internal/preview"
	"github.com/relance/relance/plans"
)

// bigDay is a day of a large portfolio: 150 messages of 1.00 to 150.00
// (the largest naming ten invoices),
// 130 invoices held below the minimum amount, 3 of nothing in dispute and
// 120 actions.
func bigDay() preview.Day {
	d := preview.Day{Date: "2025-09-15"}
	for i := range 150 {
		d.Messages = append(d.Messages, preview.Message{ClientCode: fmt.Sprintf("C%03d", i), Currency: "EUR",
			Total: money.Amount(100 * (i + 1)), Channel: "email", Level: 1})
	}
	for i := range 10 { // the largest client's reminder names ten invoices
		d.Messages[149].Invoices = append(d.Messages[149].Invoices, preview.InvoiceLine{Number: fmt.Sprintf("FL%d", i)})
	}
	for i := range 130 {
		d.Held = append(d.Held, preview.Held{ClientCode: fmt.Sprintf("M%03d", i), Number: fmt.Sprintf("FM%03d", i),
			Outstanding: money.Amount(i), Currency: "EUR", Reason: plans.Reason("min_amount")})
	}
	for i := range 3 {
		d.Held = append(d.Held, preview.Held{ClientCode: "D1", Number: fmt.Sprintf("FD%d", i),
			Outstanding: 0, Currency: "EUR", Reason: plans.Reason("dispute")}) // smaller than any held below the minimum
	}
	for i := range 120 {
		d.Actions = append(d.Actions, preview.Action{ClientCode: fmt.Sprintf("A%03d", i), Number: "FA", Action: "phone_call"})
	}
	return d
}

// A big day lists the largest 100 of each list and says how many it
// leaves out; the held invoices by reason, so that the three in dispute
// are listed whatever the 130 below the minimum; asked in full, it lists
// everything, a day kept with its lists cut too.
func TestUpcomingDayListsTheLargest(t *testing.T) {
	day := bigDay()
	u := upcomingDay{Day: day}
	u.list()
	if len(u.ListedMessages) != upcomingRows || u.MessagesLeft != 50 {
		t.Errorf("%d messages listed, %d left; want %d and 50", len(u.ListedMessages), u.MessagesLeft, upcomingRows)
	}
	if first, last := u.ListedMessages[0], u.ListedMessages[upcomingRows-1]; first.Total != 15000 || last.Total != 5100 {
		t.Errorf("messages listed from %v to %v, want the largest: 150.00 to 51.00", first.Total, last.Total)
	}
	if len(u.ListedHeld) != 2 || u.ListedHeld[0].Reason != "min_amount" || len(u.ListedHeld[0].Items) != upcomingRows ||
		u.ListedHeld[0].Left != 30 || u.ListedHeld[1].Reason != "dispute" || len(u.ListedHeld[1].Items) != 3 || u.ListedHeld[1].Left != 0 {
		t.Errorf("held listed: %+v", u.ListedHeld)
	}
	if len(u.ListedActions) != upcomingRows || u.ActionsLeft != 20 {
		t.Errorf("%d actions listed, %d left", len(u.ListedActions), u.ActionsLeft)
	}
	if n := len(u.Invoices(u.ListedMessages[0])); n != messageInvoices || u.InvoicesLeft(u.ListedMessages[0]) != 10-messageInvoices {
		t.Errorf("the largest message lists %d invoices", n)
	}
	// A kept day (its lists cut) listed again in full, as the link asks.
	full := u
	full.Full = true
	full.list()
	if n := len(full.Invoices(full.ListedMessages[0])); n != 10 || full.InvoicesLeft(full.ListedMessages[0]) != 0 {
		t.Errorf("in full, the largest message lists %d invoices, want 10", n)
	}
	if len(full.ListedMessages) != 150 || full.MessagesLeft != 0 || len(full.ListedHeld) != 2 || len(full.ListedHeld[0].Items) != 130 || full.ListedHeld[0].Left != 0 ||
		len(full.ListedActions) != 120 || full.ActionsLeft != 0 {
		t.Errorf("in full: %d messages (%d left), %d reasons, %d below the minimum (%d left), %d actions (%d left)", len(full.ListedMessages),
			full.MessagesLeft, len(full.ListedHeld), len(full.ListedHeld[0].Items), full.ListedHeld[0].Left, len(full.ListedActions), full.ActionsLeft)
	}
}

// The page says what each list leaves out and links to the day in full.
func TestUpcomingPageSaysWhatItLeavesOut(t *testing.T) {
	d := &dashboard{}
	if err := d.parse(); err != nil {
		t.Fatal(err)
	}
	day := bigDay()
	u := upcomingDay{Day: day, Messages: len(day.Messages)}
	u.Date, _ = time.Parse(time.DateOnly, day.Date)
	u.list()
	v := upcomingView{page: page{Locale: "fr", Title: "À venir", requestQS: url.Values{"as_of": {"2025-09-15"}}}, Days: []upcomingDay{u}}
	var b strings.Builder
	if err := d.pages["upcoming"].Execute(&b, v); err != nil {
		t.Fatal(err)
	}
	html := b.String()
	link := `<a href="/upcoming?as_of=2025-09-15&amp;full=2025-09-15#day-2025-09-15">`
	for _, want := range []string{
		"… et 50 autres, de moindre montant\u00a0: " + link + "tout afficher pour ce jour</a>",
		"… et 20 autres\u00a0: " + link + "tout afficher pour ce jour</a>", // the actions have no amount
		"… et 30 autres\u00a0: " + link + "tout afficher</a></td><td>montant trop faible</td>",
	} {
		if !strings.Contains(html, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	if n := strings.Count(html, `data-invoice="FL`); n != messageInvoices || !strings.Contains(html, `data-invoice="FL3">FL3</code> <small class="muted">+6</small>`) {
		t.Errorf("the largest message lists %d of its 10 invoices, want %d and +4", n, messageInvoices)
	}
	if n := strings.Count(html, `data-reason="dispute"`); n != 3 {
		t.Errorf("%d invoices held for a dispute listed, want 3", n)
	}
}
