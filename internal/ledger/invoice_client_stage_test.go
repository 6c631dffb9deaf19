package ledger_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/relance/relance/internal/ledger"
	"github.com/relance/relance/internal/money"
)

// What the rows say of their clients is staged once per client and set of
// values; the clients must come out as when every row carried its own:
// max() of each field over the rows left once exact repeats are dropped.
// The batch is COPied in two calls, as a reader may, and applied by either
// path.
func TestClientSaidOnceIsWhatEveryRowSaid(t *testing.T) {
	row := func(line int, number, client string, c ledger.ClientPatch) ledger.BatchInvoice {
		return ledger.BatchInvoice{Line: line, Number: number, ClientCode: client, Issued: d("2025-06-01"),
			Due: d("2025-07-01"), Amount: money.Amount(10_000), Currency: "EUR", Kind: "invoice", Client: c}
	}
	first := []ledger.BatchInvoice{
		row(2, "F-1", "C", ledger.ClientPatch{Name: ptr("Beta"), Emails: &[]string{"b@c.example"}}),
		row(3, "F-2", "C", ledger.ClientPatch{Name: ptr("Alpha"), Locale: ptr("fr")}),
		// An exact repeat of F-1 (same amount, client and kind) saying
		// other things of C: dropped with its row, it says nothing.
		row(4, "F-1", "C", ledger.ClientPatch{Name: ptr("Zeta"), Emails: &[]string{"z@c.example"}, Profile: ptr("risky"),
			CreditLimit: ptr(money.Amount(1))}),
		row(5, "F-4", "D", ledger.ClientPatch{}),
	}
	second := []ledger.BatchInvoice{
		// What C's first row said, again after something else, in the next COPY.
		row(6, "F-3", "C", ledger.ClientPatch{Name: ptr("Beta"), Emails: &[]string{"b@c.example"}}),
		row(7, "F-5", "D", ledger.ClientPatch{Name: ptr("Delta"), City: ptr("Lyon")}),
		row(8, "F-6", "D", ledger.ClientPatch{Name: ptr("Delta"), City: ptr("Caen"), Segment: ptr("PME")}),
		row(9, "F-7", "E", ledger.ClientPatch{Name: ptr("Epsilon")}),
		row(10, "F-7", "E", ledger.ClientPatch{Name: ptr("Zz repeat")}),
	}
	want := `client (C,Beta,{b@c.example},FR,fr,,,,)
client (D,Delta,{},FR,,,Lyon,PME,)
client (E,Epsilon,{},FR,,,,,)`
	for _, minRows := range []int{1, -1} {
		f, _ := newFixture(t)
		s := ledger.New(f.pool, ledger.Options{BulkMinRows: minRows})
		ctx := context.Background()
		tx, err := f.pool.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		b, err := s.StageInvoices(ctx, tx)
		if err != nil {
			t.Fatal(err)
		}
		for _, rows := range [][]ledger.BatchInvoice{first, second} {
			if _, err := b.Copy(ctx, rowsOf(rows)); err != nil {
				t.Fatal(err)
			}
		}
		if problems, err := b.Problems(ctx, nil); err != nil || len(problems) > 0 {
			t.Fatalf("problems %v, %v", problems, err)
		}
		a, err := b.Apply(ctx, by("2025-09-01"), ledger.BatchSource{Name: "said.csv", Format: "csv"}, false)
		if err != nil {
			t.Fatal(err)
		}
		if err := tx.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		if a.Bulk != (minRows == 1) || a.Created != 7 || a.ClientsCreated != 3 {
			t.Errorf("BulkMinRows %d: applied %+v, want 7 invoices and 3 clients created", minRows, a)
		}
		var got string
		if err := f.pool.QueryRow(ctx, `SELECT string_agg('client ' || (code, name, emails, country, locale, profile,
			city, segment, credit_limit)::text, E'\n' ORDER BY code) FROM client`).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("BulkMinRows %d: clients\n%s\nwant\n%s", minRows, got, want)
		}
	}
}

// A batch whose clients say something different on every row stages one
// saying a row, and still gives each client the max() of what its rows say.
func TestClientSaidOnEveryRow(t *testing.T) {
	f, s := newFixture(t)
	var rows []ledger.BatchInvoice
	for i := range 40 {
		rows = append(rows, ledger.BatchInvoice{Line: i + 2, Number: fmt.Sprintf("F-%02d", i), ClientCode: fmt.Sprintf("C%d", i%4),
			Issued: d("2025-06-01"), Due: d("2025-07-01"), Amount: money.Amount(100 + i), Currency: "EUR", Kind: "invoice",
			Client: ledger.ClientPatch{Name: ptr(fmt.Sprintf("Name %02d", (i*7)%40)), Phone: ptr(fmt.Sprint(i))}})
	}
	if _, problems := applyInvoices(t, f, s, by("2025-09-01"), false, rows...); len(problems) > 0 {
		t.Fatal(problems)
	}
	var got string
	if err := f.pool.QueryRow(context.Background(), `SELECT string_agg(code || ' ' || name || ' ' || phone, ', ' ORDER BY code)
		FROM client`).Scan(&got); err != nil {
		t.Fatal(err)
	}
	// C0 has rows 0, 4, … 36: names 7i mod 40, the greatest "Name 36"; phones
	// compared as text, the greatest "8".
	want := "C0 Name 36 8, C1 Name 39 9, C2 Name 38 6, C3 Name 37 7"
	if got != want {
		t.Errorf("clients %s, want %s", got, want)
	}
}

// More clients than the reader remembers, their rows interleaved: the
// dictionary of sayings starts over and the sayings are staged between
// COPYs of the rows, and every client still gets the max() of its rows.
func TestClientSaidPastTheDictionary(t *testing.T) {
	f, s := newFixture(t)
	const clients, rows = 9_000, 18_000
	batch := make([]ledger.BatchInvoice, 0, rows)
	want := map[string]string{}
	for i := range rows {
		code, name := fmt.Sprintf("C%04d", i%clients), fmt.Sprintf("N%05d", (i*7919)%rows)
		batch = append(batch, ledger.BatchInvoice{Line: i + 2, Number: fmt.Sprintf("F-%05d", i), ClientCode: code,
			Issued: d("2025-06-01"), Due: d("2025-07-01"), Amount: money.Amount(100), Currency: "EUR", Kind: "invoice",
			Client: ledger.ClientPatch{Name: ptr(name)}})
		want[code] = max(want[code], name)
	}
	if _, problems := applyInvoices(t, f, s, by("2025-09-01"), false, batch...); len(problems) > 0 {
		t.Fatal(problems)
	}
	got := map[string]string{}
	rs, err := f.pool.Query(context.Background(), `SELECT code, name FROM client`)
	if err != nil {
		t.Fatal(err)
	}
	for rs.Next() {
		var code, name string
		if err := rs.Scan(&code, &name); err != nil {
			t.Fatal(err)
		}
		got[code] = name
	}
	if err := rs.Err(); err != nil {
		t.Fatal(err)
	}
	if len(got) != clients {
		t.Fatalf("%d clients, want %d", len(got), clients)
	}
	for code, name := range want {
		if got[code] != name {
			t.Errorf("client %s named %q, want %q", code, got[code], name)
		}
	}
}
