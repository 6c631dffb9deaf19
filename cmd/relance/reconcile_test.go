package main

import (
	"encoding/csv"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/relance/relance/internal/clock"
	"github.com/relance/relance/internal/money"
	"github.com/relance/relance/internal/pgtest"
	"github.com/relance/relance/internal/portfolio"
)

// TestAgedBalanceReconcilesWithTheGeneratedLedger goes the way a user does —
// ERP export files in, aged balance CSV out — and checks every client's
// buckets and total to the cent against the portfolio the files were
// generated from, computed independently here: an invoice is open for its
// amount less what was paid and less the credit notes applied to it, aged by
// its own due date. The payments file dates what the `paid` column counted,
// so importing both must not move a cent.
func TestAgedBalanceReconcilesWithTheGeneratedLedger(t *testing.T) {
	asOf := clock.Date(2025, 9, 12)
	dir := t.TempDir()
	inv, pay := filepath.Join(dir, "portefeuille.csv"), filepath.Join(dir, "paiements.csv")
	env := []string{"DATABASE_URL=" + pgtest.URL(t)}
	for _, args := range [][]string{
		{"demo", "generate", "--clients", "80", "--invoices", "900", "--seed", "11", "--as-of", "2025-09-12", "--out", inv, "--payments", pay},
		{"import", "invoices", inv, "--as-of", "2025-09-12"},
		{"import", "payments", pay, "--as-of", "2025-09-12"},
	} {
		if out, stderr, err := runCLI(t, env, args...); err != nil {
			t.Fatalf("relance %s: %v\n%s%s", strings.Join(args, " "), err, out, stderr)
		}
	}
	out, _, err := runCLI(t, env, "aging", "--as-of", "2025-09-12", "--format", "csv")
	if err != nil {
		t.Fatal(err)
	}
	records, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][]string{}
	for _, r := range records[1:] {
		got[r[0]] = r[2:9] // not_due … d121_plus, overdue
		got[r[0]] = append(got[r[0]], r[10])
	}

	// The same figures, from the generator's own view of the ledger.
	p := portfolio.Generate(portfolio.Options{Clients: 80, Invoices: 900, Seed: 11, AsOf: asOf})
	edges := []int{0, 30, 60, 90, 120}
	var total [8]money.Amount // six buckets, overdue, total
	want := map[string][8]money.Amount{}
	for acc := range p.Accounts() {
		open := map[string]money.Amount{}
		due := map[string]int{}
		for _, it := range acc.Items {
			if it.Kind == portfolio.Invoice {
				open[it.Number] += it.AmountInclVAT - it.Paid
				due[it.Number] = clock.DaysBetween(it.Due, asOf)
			}
		}
		for _, it := range acc.Items {
			if it.Kind == portfolio.CreditNote {
				open[it.AppliesTo] += it.AmountInclVAT
			}
		}
		var row [8]money.Amount
		for number, amount := range open {
			b := 0
			for b < len(edges) && due[number] > edges[b] {
				b++
			}
			row[b] += amount
			if b > 0 {
				row[6] += amount
			}
			row[7] += amount
		}
		if row[7] != 0 {
			want[acc.Client.Code] = row
		}
		for i := range row {
			total[i] += row[i]
		}
	}
	want["TOTAL"] = total

	if len(got) != len(want) {
		t.Errorf("aged balance has %d rows, the ledger %d", len(got), len(want))
	}
	for code, w := range want {
		g, ok := got[code]
		if !ok {
			t.Errorf("client %s missing from the aged balance", code)
			continue
		}
		var wantCells []string
		for _, a := range w {
			wantCells = append(wantCells, money.FormatPlain(a))
		}
		if fmt.Sprint(g) != fmt.Sprint(wantCells) {
			t.Errorf("%s: aged balance %v, ledger %v (buckets…, overdue, total)", code, g, wantCells)
		}
	}
}
