package aging

import (
	"bytes"
	"context"
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
