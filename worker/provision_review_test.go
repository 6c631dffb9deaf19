package worker

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/relance/relance/internal/ledger"
	"github.com/relance/relance/internal/pgtest"
	"github.com/relance/relance/internal/provision"
)

// TestIncrementalProvisionReviewBooksAsTheFullReview: the daily review
// prices only what changed since each proposal was last reviewed (migration
// 00190). Two ledgers live the same 80 days, with the same writes in
// between: one reviewed as the sweep does, the other made to review every
// doubtful invoice each day (its state made stale before each sweep). Their
// journals and proposals must be the same after every day, through bucket
// crossings, a payment in part, one dated later that counts days after it
// is recorded, amounts corrected, a dispute holding the provision step, an
// insolvency opened by a backdated write, another recorded ahead of its
// opening (proposals by age then take the insolvency rate), a third set
// aside before the provision step fires, a write-off, a
// payment undone, a matrix changed and a replay of an earlier day; and the
// incremental one must have priced less.
func TestIncrementalProvisionReviewBooksAsTheFullReview(t *testing.T) {
	m1, err := provision.NewMatrix([]int{30, 60, 90, 120}, map[string]int{"d91_120": 2500, "d121_plus": 10000},
		map[string]map[string]int{"risky": {"d91_120": 5000}}, 10000, 2000)
	if err != nil {
		t.Fatal(err)
	}
	m2, err := provision.NewMatrix([]int{30, 60, 90, 120}, map[string]int{"d91_120": 2500, "d121_plus": 8000},
		map[string]map[string]int{"risky": {"d91_120": 5000, "d121_plus": 9000}}, 10000, 2000)
	if err != nil {
		t.Fatal(err)
	}
	type ledgerUnder struct {
		name string
		f    fixture
		s    *Sweeper
		jobs JobInserter
		full bool
	}
	var ls []*ledgerUnder
	for _, name := range []string{"incremental", "full"} {
		pool := pgtest.NewDB(t)
		ls = append(ls, &ledgerUnder{name: name, f: fixture{t, pool}, full: name == "full",
			s:    &Sweeper{Plans: riskyProvisionPlan(), Calendars: testCalendars(), Provision: m1},
			jobs: insertOnlyClient(t, pool)})
	}
	both := func(do func(l *ledgerUnder)) {
		for _, l := range ls {
			do(l)
		}
	}
	act := func(day string) ledger.Act { return ledger.Act{Actor: "cli:test", Day: d(day)} }
	// Due dates spread so that the provision step (+91) and the buckets
	// (91, 121) come on different days; a client with an invoice issued
	// before its insolvency that never reaches the step.
	both(func(l *ledgerUnder) {
		a, b, c := l.f.client("A", "a@example.fr"), l.f.client("B", "b@example.fr"), l.f.client("C", "c@example.fr")
		l.f.invoice(a, "F-1", "2024-12-01", "2025-01-01", 120000)
		l.f.invoice(a, "F-2", "2024-12-10", "2025-01-10", 90000)
		l.f.invoice(b, "F-3", "2024-12-20", "2025-01-20", 60000)
		l.f.invoice(b, "F-4", "2025-03-01", "2025-04-20", 48000)
		l.f.invoice(c, "F-5", "2024-12-05", "2025-01-05", 36000)
		l.f.invoice(c, "F-6", "2025-01-02", "2025-02-01", 24000)
		l.f.invoice(c, "F-7", "2024-12-15", "2025-01-15", 30000)
		l.f.exec(`UPDATE invoice SET amount_excl_vat = NULL WHERE number = 'F-5'`)
		// Doubtful by insolvency from the first review, before its step (+91: 04-26).
		l.f.invoice(l.f.client("D", "d@example.fr"), "F-8", "2024-12-25", "2025-01-25", 72000)
		l.f.exec(`UPDATE client SET insolvency_kind = 'sauvegarde', insolvency_opened_on = '2025-03-01' WHERE code = 'D'`)
		// Its provision step (+91: 05-17) held by a dispute resolved on
		// 05-20, between two sweeps of that day; 121 days late on 06-16.
		l.f.invoice(a, "F-9", "2025-01-15", "2025-02-15", 66000)
	})
	id := func(l *ledgerUnder, number string) int64 {
		return l.f.id(`SELECT id FROM invoice WHERE number = $1`, number)
	}
	dispute := func(l *ledgerUnder, day, number, until string) {
		if _, err := ledger.New(l.f.pool, ledger.Options{DisputeReasons: []string{"price"}}).OpenDispute(t.Context(), act(day),
			ledger.DisputeOpening{Invoice: number, Reason: "price", Until: d(until)}); err != nil {
			t.Fatal(err)
		}
	}
	writes := map[string]func(l *ledgerUnder){
		// a dispute holds F-7's provision step past its day (04-15)
		"2025-04-01": func(l *ledgerUnder) { dispute(l, "2025-04-01", "F-7", "2025-04-25") },
		"2025-04-10": func(l *ledgerUnder) { l.f.pay(id(l, "F-1"), "2025-04-10", 30000) },
		// recorded today, dated 04-22: it counts from then on, with no write that day
		"2025-04-15": func(l *ledgerUnder) { l.f.pay(id(l, "F-2"), "2025-04-22", 45000) },
		"2025-04-20": func(l *ledgerUnder) { // opened on 04-18, recorded two days later
			l.f.exec(`UPDATE client SET insolvency_kind = 'liquidation', insolvency_opened_on = '2025-04-18' WHERE code = 'B'`)
			// D's proceeding set aside, and F-8 disputed through 05-05: its
			// provision step (+91: 04-26) fires on 05-06, a day with no write
			// and no bucket crossed.
			l.f.exec(`UPDATE client SET insolvency_kind = NULL, insolvency_opened_on = NULL WHERE code = 'D'`)
			dispute(l, "2025-04-20", "F-8", "2025-05-05")
		},
		// a new invoice of an insolvent client, issued before its insolvency:
		// doubtful from its import, with no write to the client
		"2025-05-02": func(l *ledgerUnder) {
			l.f.invoice(l.f.id(`SELECT id FROM client WHERE code = 'B'`), "F-10", "2025-03-15", "2025-04-15", 18000)
		},
		"2025-05-05": func(l *ledgerUnder) { l.f.exec(`UPDATE invoice SET amount_excl_vat = 32000 WHERE number = 'F-5'`) },
		"2025-05-10": func(l *ledgerUnder) { dispute(l, "2025-05-10", "F-9", "2025-06-30") },
		"2025-05-10 ": func(l *ledgerUnder) {
			if _, err := ledger.New(l.f.pool, ledger.Options{}).WriteOff(t.Context(), act("2025-05-10"), "F-6",
				ledger.WriteOffOptions{Reason: "débiteur disparu", DefaultVATBP: 2000}); err != nil {
				t.Fatal(err)
			}
		},
		"2025-05-15": func(l *ledgerUnder) { // F-1's payment bounces
			l.f.exec(`DELETE FROM allocation WHERE invoice_id = $1`, id(l, "F-1"))
			l.f.exec(`UPDATE invoice SET settled = settled - 30000 WHERE id = $1`, id(l, "F-1"))
		},
		"2025-05-20": func(l *ledgerUnder) { l.s.Provision = m2 },
		// C's proceeding, recorded ahead of its opening: F-5 and F-7, already
		// provisioned by age, take the insolvency rate on 05-28, a day
		// with no write.
		"2025-05-26": func(l *ledgerUnder) {
			l.f.exec(`UPDATE client SET insolvency_kind = 'redressement', insolvency_opened_on = '2025-05-28' WHERE code = 'C'`)
		},
		// every wake day lost: the next review is a full one (F-9 crosses
		// into 121 days on 06-16, with no write)
		"2025-05-30": func(l *ledgerUnder) { l.f.exec(`DELETE FROM provision_review_wake`) },
		"2025-06-01": func(l *ledgerUnder) { l.f.pay(id(l, "F-3"), "2025-06-01", 60000) },
		// F-7's amount incl. VAT corrected, and paid as much the same day:
		// the same outstanding, a smaller part excl. VAT.
		"2025-06-05": func(l *ledgerUnder) {
			l.f.exec(`UPDATE invoice SET amount_incl_vat = amount_incl_vat + 6000 WHERE number = 'F-7'`)
			l.f.pay(id(l, "F-7"), "2025-06-05", 6000)
		},
		// F-8's provision step, its only cause since its insolvency was set
		// aside, dropped while it is disputed (the sweep decides it again
		// after): its provision falls with no write to the invoice
		"2025-06-08": func(l *ledgerUnder) {
			dispute(l, "2025-06-08", "F-8", "2025-06-11")
			l.f.exec(`UPDATE reminder SET status = 'dropped' WHERE channel = 'action' AND invoice_id = $1`, id(l, "F-8"))
		},
		// F-2's payment redated to 06-14: it no longer counts until then,
		// with no write to the invoice
		"2025-06-10": func(l *ledgerUnder) {
			l.f.exec(`UPDATE allocation SET applied_on = '2025-06-14' WHERE invoice_id = $1`, id(l, "F-2"))
		},
		// the same step deleted, disputed again
		"2025-06-13": func(l *ledgerUnder) {
			dispute(l, "2025-06-13", "F-8", "2025-06-16")
			l.f.exec(`DELETE FROM reminder WHERE channel = 'action' AND invoice_id = $1`, id(l, "F-8"))
		},
		// a proposal deleted: the next review is a full one, which proposes it again
		"2025-06-18": func(l *ledgerUnder) { l.f.exec(`DELETE FROM provision WHERE invoice_id = $1`, id(l, "F-1")) },
	}
	snapshot := func(l *ledgerUnder) []string {
		return queryStrings(t, l.f.pool, `
			SELECT i.number || ' ' || e.day || ' ' || e.kind || ' ' || e.cause || ' ' || e.amount || ' ' ||
			       coalesce(e.rate_bp::text, '-') || ' ' || coalesce(e.tax_deductible::text, '-')
			FROM journal_entry e JOIN invoice i ON i.id = e.invoice_id
			UNION ALL
			SELECT i.number || ' proposed ' || p.proposed_on || ' ' || p.cause || ' ' || p.rate_bp || ' ' || p.amount || ' ' ||
			       coalesce(p.settled_on::text, 'open') || ' ' || coalesce(p.profile, '-')
			FROM provision p JOIN invoice i ON i.id = p.invoice_id
			ORDER BY 1`)
	}
	priced := map[string]int{}
	for day := d("2025-03-30"); !day.After(d("2025-06-20")); day = day.AddDate(0, 0, 1) {
		if w := writes[formatDay(day)]; w != nil {
			both(w)
		}
		if w := writes[formatDay(day)+" "]; w != nil {
			both(w)
		}
		days := []time.Time{day}
		switch formatDay(day) {
		case "2025-05-25":
			days = append(days, d("2025-05-12"), day) // a replay, then the day again
		case "2025-05-20":
			days = append(days, day) // F-9's dispute resolved, then the day swept again
		}
		for i, sd := range days {
			if formatDay(day) == "2025-05-20" && i == 1 {
				both(func(l *ledgerUnder) {
					if _, err := ledger.New(l.f.pool, ledger.Options{}).ResolveDispute(t.Context(), act("2025-05-20"), "F-9", "paid"); err != nil {
						t.Fatal(err)
					}
				})
			}
			both(func(l *ledgerUnder) {
				if l.full {
					l.f.exec(`UPDATE provision_review_state SET valid = false`)
				}
				priced[l.name] += sweepDay(t, l.f.pool, l.s, l.jobs, sd).Priced
			})
			if got, want := snapshot(ls[0]), snapshot(ls[1]); !slices.Equal(got, want) {
				t.Fatalf("after the review of %s, the incremental review booked\n%s\nthe full review\n%s",
					formatDay(sd), strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
		}
	}
	final := snapshot(ls[0])
	for _, want := range []string{"F-1 proposed", "F-3 proposed", "F-4 proposed", "F-5 proposed", "F-6 proposed", "F-7 proposed", "write_off",
		"F-5 2025-05-28 provision insolvency", "F-8 2025-05-06 provision age",
		"F-7 2025-06-05 reversal", "F-9 proposed 2025-05-20", "F-9 2025-06-16 provision", "F-10 proposed",
		"F-8 2025-06-08 reversal", "F-8 2025-06-13 reversal", "F-1 proposed 2025-06-18"} {
		if !slices.ContainsFunc(final, func(s string) bool { return strings.Contains(s, want) }) {
			t.Errorf("nothing like %q in the journal: the scenario no longer tests what it says\n%s", want, strings.Join(final, "\n"))
		}
	}
	if priced["incremental"] >= priced["full"]/2 {
		t.Errorf("the incremental review priced %d invoices in all, the full one %d: it does not follow what changed",
			priced["incremental"], priced["full"])
	}
	t.Logf("priced: %v\n%s", priced, strings.Join(final, "\n"))
}
