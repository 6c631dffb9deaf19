package bodacc

import (
	"context"
	"os"
	"reflect"
	"testing"
	"time"

	"github.com/relance/relance/internal/ledger"
)

// fakeLedger holds debtors in memory and records what Apply records, as
// ledger.Store would (its own tests cover the SQL).
type fakeLedger struct {
	debtors  map[string]ledger.Debtor // by SIREN
	recorded []string
	asked    [][]string
}

func (f *fakeLedger) DebtorsBySIREN(_ context.Context, sirens []string) ([]ledger.Debtor, error) {
	f.asked = append(f.asked, sirens)
	var out []ledger.Debtor
	for _, s := range sirens {
		if d, ok := f.debtors[s]; ok {
			out = append(out, d)
		}
	}
	return out, nil
}

func (f *fakeLedger) RecordInsolvency(_ context.Context, by ledger.Act, code string, in ledger.Insolvency) error {
	f.recorded = append(f.recorded, code+" "+in.Kind+" "+in.Opened.Format(time.DateOnly)+" "+in.Published.Format(time.DateOnly)+" by "+by.Actor)
	for s, d := range f.debtors {
		if d.Code == code {
			d.Insolvency = in
			f.debtors[s] = d
		}
	}
	return nil
}

// Apply records each client the export names in an opening, keeps an
// opening already recorded (a later conversion changes only its kind),
// and changes nothing the second time, asking the ledger once per import.
func TestApplySampleTwice(t *testing.T) {
	f, err := os.Open("testdata/annonces-commerciales.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	parsed, err := Parse(f)
	if err != nil {
		t.Fatal(err)
	}
	l := &fakeLedger{debtors: map[string]ledger.Debtor{
		"362275869": {Code: "C1", SIREN: "362275869"},
		"530530419": {Code: "C2", SIREN: "530530419"},
		// Already in redressement since 2025-06-10, recorded by hand: the
		// conversion to liquidation keeps that opening.
		"928720317": {Code: "C3", SIREN: "928720317", Insolvency: ledger.Insolvency{Kind: ledger.Redressement,
			Opened: date("2025-06-10"), Published: date("2025-06-20")}},
		// Named only in a closing: nothing to record.
		"925988156": {Code: "C4", SIREN: "925988156"},
	}}
	by := ledger.Act{Actor: Actor, Day: date("2025-09-16")}
	out, err := Apply(context.Background(), l, parsed.Notices, by)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"C1 redressement 2025-09-02 2025-09-12 by import:bodacc",
		"C2 liquidation 2025-09-05 2025-09-14 by import:bodacc",
		"C3 liquidation 2025-06-10 2025-06-20 by import:bodacc",
	}
	if !reflect.DeepEqual(l.recorded, want) {
		t.Errorf("recorded:\n%v\nwant:\n%v", l.recorded, want)
	}
	if out.Openings != 5 || out.Matched != 3 || len(out.Changes) != 3 || out.Changes[2].What != "converted" {
		t.Errorf("outcome %+v", out)
	}

	l.recorded = nil
	again, err := Apply(context.Background(), l, parsed.Notices, by)
	if err != nil {
		t.Fatal(err)
	}
	if len(l.recorded) != 0 || again.Unchanged != 3 || len(again.Changes) != 0 {
		t.Errorf("the same file again recorded %v, outcome %+v", l.recorded, again)
	}
	if len(l.asked) != 2 {
		t.Errorf("asked the ledger %d times for two imports", len(l.asked))
	}
}

func TestDecide(t *testing.T) {
	open := func(kind, judged, published string) Notice {
		return Notice{Kind: kind, Judgment: date(judged), Published: date(published), ID: "A" + judged}
	}
	none := ledger.Insolvency{}
	for _, c := range []struct {
		name    string
		had     ledger.Insolvency
		notices []Notice
		want    ledger.Insolvency
		what    string
	}{
		{"first opening", none, []Notice{open(ledger.Sauvegarde, "2025-01-10", "2025-01-20")},
			ledger.Insolvency{Kind: ledger.Sauvegarde, Opened: date("2025-01-10"), Published: date("2025-01-20")}, "recorded"},
		{"opening then conversion in one file", none, []Notice{open(ledger.Liquidation, "2025-03-01", "2025-03-09"), open(ledger.Redressement, "2025-01-10", "2025-01-20")},
			ledger.Insolvency{Kind: ledger.Liquidation, Opened: date("2025-01-10"), Published: date("2025-01-20")}, "recorded"},
		{"publication now known", ledger.Insolvency{Kind: ledger.Redressement, Opened: date("2025-01-10")},
			[]Notice{open(ledger.Redressement, "2025-01-10", "2025-01-20")},
			ledger.Insolvency{Kind: ledger.Redressement, Opened: date("2025-01-10"), Published: date("2025-01-20")}, "published"},
		{"an earlier judgment than recorded", ledger.Insolvency{Kind: ledger.Redressement, Opened: date("2025-02-01")},
			[]Notice{open(ledger.Liquidation, "2025-01-10", "2025-01-20")},
			ledger.Insolvency{Kind: ledger.Redressement, Opened: date("2025-02-01")}, ""},
		{"a milder kind later", ledger.Insolvency{Kind: ledger.Liquidation, Opened: date("2025-01-10"), Published: date("2025-01-20")},
			[]Notice{open(ledger.Sauvegarde, "2025-05-10", "2025-05-20")},
			ledger.Insolvency{Kind: ledger.Liquidation, Opened: date("2025-01-10"), Published: date("2025-01-20")}, ""},
	} {
		ch, changed := decide(ledger.Debtor{Code: "C", SIREN: "530530419", Insolvency: c.had}, c.notices)
		if ch.After != c.want || changed != (c.what != "") || (changed && ch.What != c.what) {
			t.Errorf("%s: %+v (%q, changed %v), want %+v (%q)", c.name, ch.After, ch.What, changed, c.want, c.what)
		}
	}
}
