package aging

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/relance/relance/plans"
)

// TestWorkbookIsTheSameBytesEachTime writes the same workbook ten times:
// excelize's map order must not reach the file, so that the CLI and the
// dashboard's download give identical bytes, and the file still opens.
func TestWorkbookIsTheSameBytesEachTime(t *testing.T) {
	db := portfolioDB(t)
	set, err := plans.Default()
	if err != nil {
		t.Fatal(err)
	}
	o := Options{AsOf: asOf, Edges: defaultEdges}
	var first []byte
	for i := range 10 {
		var buf bytes.Buffer
		if err := Write(context.Background(), db, o, NewPlanNextStep(set, asOf), View{Format: "xlsx", By: "client", Locale: "fr"}, &buf); err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			first = buf.Bytes()
			f, err := excelize.OpenReader(bytes.NewReader(first))
			if err != nil {
				t.Fatalf("the workbook does not open: %v", err)
			}
			if got := f.GetSheetList(); len(got) != 4 {
				t.Errorf("sheets %v, want 4", got)
			}
			f.Close()
			continue
		}
		if !bytes.Equal(buf.Bytes(), first) {
			t.Fatalf("write %d differs from the first", i+1)
		}
	}
}

// A sheet holds so many rows: the by-invoice sheet of a larger ledger
// stops one row short and says there how many items it left out, where
// excelize would fail the whole workbook.
func TestByInvoiceSheetSaysWhatDidNotFit(t *testing.T) {
	f := excelize.NewFile()
	defer f.Close()
	st, err := newXLSXStyles(f)
	if err != nil {
		t.Fatal(err)
	}
	items := func(fn func(Item) error) error {
		for i := range 7 {
			if err := fn(Item{ClientCode: "C1", Number: fmt.Sprintf("F-%d", i), Currency: "EUR"}); err != nil {
				return err
			}
		}
		return nil
	}
	if err := xlsxByInvoice(f, "Sheet1", "fr", wordsFor("fr"), st, items, 5); err != nil {
		t.Fatal(err)
	}
	rows, err := f.GetRows("Sheet1")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range rows {
		got = append(got, r[min(3, len(r)-1)])
	}
	want := []string{"Pièce", "F-0", "F-1", "F-2",
		"… et 4 pièces de plus, au-delà des lignes d'une feuille : la liste entière est dans l'export CSV par pièce (relance aging --by invoice --format csv)."}
	if !slices.Equal(got, want) {
		t.Errorf("the sheet's rows: %q, want %q", got, want)
	}
}
