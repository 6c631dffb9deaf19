package ledger_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/relance/relance/internal/ledger"
	"github.com/relance/relance/internal/money"
)

// stagedRows stages rows in a batch of their own, by copy, and returns
// what invoice_stage and invoice_client_said then hold, each row as its
// JSON, in line and said order.
func stagedRows(t *testing.T, f fixture, s *ledger.Store, rows []ledger.BatchInvoice,
	copy func(context.Context, *ledger.InvoiceBatch) (int, error)) (stage, said []string) {
	t.Helper()
	ctx := context.Background()
	tx, err := f.pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx) //nolint:errcheck // nothing to keep
	b, err := s.StageInvoices(ctx, tx)
	if err != nil {
		t.Fatal(err)
	}
	if n, err := copy(ctx, b); err != nil || n != len(rows) {
		t.Fatalf("staged %d of %d rows: %v", n, len(rows), err)
	}
	for _, q := range []struct {
		sql string
		out *[]string
	}{
		{`SELECT to_jsonb(s)::text FROM invoice_stage s ORDER BY line, number`, &stage},
		{`SELECT to_jsonb(s)::text FROM invoice_client_said s ORDER BY said`, &said},
	} {
		r, err := tx.Query(ctx, q.sql)
		if err != nil {
			t.Fatal(err)
		}
		if *q.out, err = pgx.CollectRows(r, pgx.RowTo[string]); err != nil {
			t.Fatal(err)
		}
	}
	return stage, said
}

// The binary encoder stages what pgx's CopyFrom of the same values staged
// (the path it replaced): every column of invoice_stage and of
// invoice_client_said, NULL and said, at the edges of each type — dates
// before the epoch and far ahead, a day in Paris late in the evening,
// amounts at the limits of a bigint, texts with quotes, backslashes, tabs,
// newlines and every script, empty lists apart from lists not said, a
// client's saying changed and said again.
func TestStageByEncoderIsStageByPgx(t *testing.T) {
	f, s := newFixture(t)
	str := func(v string) *string { return &v }
	amt := func(v int64) *money.Amount { a := money.Amount(v); return &a }
	list := func(v ...string) *[]string { return &v }
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	full := ledger.ClientPatch{Name: str(`Dupont "& fils" \ SARL`), Emails: list("a@b.fr", "Compta <c@b.fr>"),
		CC: list(), Locale: str("fr"), Profile: str("pme"), Segment: str("BTP\tnord"), Country: str("FR"),
		Line1: str("1, rue de l'Église\n"), Line2: str("bâtiment ß ✓ 漢字"), Postcode: str("75001"), City: str("Paris"),
		Contact: str("M. Ünal"), Phone: str("+33 1 23"), SIREN: str("123456789"), SIRET: str("12345678900011"),
		VAT: str("FR12123456789"), CreditLimit: amt(-1)}
	nilList := []string(nil)
	rows := []ledger.BatchInvoice{
		{Line: 2, Number: "F-1", ClientCode: "C1", Issued: d("2025-09-01"), Due: d("2025-10-31"),
			Terms: str("60 jours fin de mois"), Amount: 123456, AmountExcl: amt(102880), Paid: amt(0),
			Currency: "EUR", Kind: "invoice", Client: full},
		{Line: 3, Number: "AV-1", ClientCode: "C1", Issued: time.Date(1999, 12, 31, 23, 59, 0, 0, paris),
			Due: time.Date(1900, 2, 28, 0, 0, 0, 0, time.UTC), Amount: -1 << 63, Paid: amt(1<<63 - 1),
			Currency: "CHF", Kind: "credit_note", AppliesTo: str("F-1"), Client: full},
		{Line: 4, Number: "F-2", ClientCode: "C2", Issued: time.Date(2025, 3, 30, 23, 30, 0, 0, paris),
			Due: time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC), Terms: str(""), Amount: 0, Currency: "",
			Kind: "invoice", Client: ledger.ClientPatch{Name: str(""), Emails: &nilList, CC: list("", "x"), CreditLimit: amt(0)}},
		{Line: 5, Number: "F-3", ClientCode: "C1", Issued: d("2025-09-02"), Due: d("2025-09-02"),
			Amount: 1, Currency: "EUR", Kind: "invoice"},
		{Line: 6, Number: "F-4", ClientCode: "C1", Issued: d("2025-09-03"), Due: d("2025-09-03"),
			Amount: 1, Currency: "EUR", Kind: "invoice", Client: full},
		{Line: 1 << 30, Number: "F-5 ", ClientCode: " C3", Issued: d("2000-01-01"), Due: d("2000-01-02"),
			Amount: 99, Currency: "EUR", Kind: "invoice", Client: ledger.ClientPatch{Emails: list()}},
	}
	for i := range 300 { // past a send buffer, so the rows span several
		rows = append(rows, ledger.BatchInvoice{Line: 100 + i, Number: fmt.Sprintf("G-%d", i), ClientCode: fmt.Sprintf("D%d", i%7),
			Issued: d("2025-01-01").AddDate(0, 0, i), Due: d("2025-03-01").AddDate(0, 0, i), Amount: money.Amount(i * 101),
			Currency: "EUR", Kind: "invoice", Client: ledger.ClientPatch{Name: str(fmt.Sprintf("Client %d %s", i%7, string(rune(0x4e00+i))))}})
	}
	gotStage, gotSaid := stagedRows(t, f, s, rows, func(ctx context.Context, b *ledger.InvoiceBatch) (int, error) {
		return b.Copy(ctx, rowsOf(rows))
	})
	wantStage, wantSaid := stagedRows(t, f, s, rows, func(ctx context.Context, b *ledger.InvoiceBatch) (int, error) {
		return ledger.CopyWithPgx(ctx, b, rows)
	})
	if len(gotStage) != len(rows) || len(gotSaid) < 10 {
		t.Fatalf("staged %d rows and %d sayings", len(gotStage), len(gotSaid))
	}
	for i := range max(len(gotStage), len(wantStage)) {
		if i >= len(gotStage) || i >= len(wantStage) || gotStage[i] != wantStage[i] {
			t.Fatalf("invoice_stage row %d:\n got %v\nwant %v", i, gotStage[i:], wantStage[i:])
		}
	}
	if !slices.Equal(gotSaid, wantSaid) {
		t.Errorf("invoice_client_said:\n got %v\nwant %v", gotSaid, wantSaid)
	}
}
