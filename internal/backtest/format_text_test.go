package backtest

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the testdata/*.golden files")

// The text report of the done-when comparison (TestPlanDiffLevelOneAtSevenDays),
// in French (words, months, dd/mm/yyyy dates, 1 234,56 €; the two largest
// clients and how many more) and in English (every client).
func TestWriteTextGolden(t *testing.T) {
	rep := levelOneAtSeven(t, seeded(t))
	for _, c := range []struct {
		locale string
		top    int
	}{{"fr", 2}, {"en", 0}} {
		var b bytes.Buffer
		if err := WriteText(&b, rep, c.locale, c.top); err != nil {
			t.Fatal(err)
		}
		path := filepath.Join("testdata", "diff_"+c.locale+".txt.golden")
		if *update {
			if err := os.MkdirAll("testdata", 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (go test -update writes it)", err)
		}
		if !bytes.Equal(b.Bytes(), want) {
			t.Errorf("%s differs from %s:\n--- got\n%s\n--- want\n%s", c.locale, path, b.Bytes(), want)
		}
	}
}
