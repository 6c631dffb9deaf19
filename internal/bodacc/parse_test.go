package bodacc

import (
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/relance/relance/internal/ledger"
)

func date(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

// sample is what both sample exports hold: eight notices of the
// "annonces commerciales" dataset, seven of collective procedures, four
// of them opening one.
var sample = []struct {
	id, siren, kind, judgment, published string
}{
	{"A202501770123", "362275869", ledger.Redressement, "2025-09-02", "2025-09-12"},
	{"A202501770456", "530530419", ledger.Liquidation, "2025-09-05", "2025-09-14"},
	{"A202501770789", "749008934", ledger.Sauvegarde, "2025-09-08", "2025-09-13"},
	{"A202501771012", "925988156", "", "", "2025-09-12"}, // clôture pour insuffisance d'actif
	{"A202501771345", "362275869", "", "", "2025-09-15"}, // dépôt de l'état des créances
	{"A202501771901", "928720317", ledger.Liquidation, "2025-09-09", "2025-09-16"},
	{"A202501772234", "353246119", ledger.Liquidation, "2025-09-01", "2025-09-11"}, // "Autre jugement", "1er septembre 2025"
}

func TestParseSampleExports(t *testing.T) {
	for _, file := range []string{"testdata/annonces-commerciales.csv", "testdata/annonces-commerciales.json"} {
		t.Run(file, func(t *testing.T) {
			f, err := os.Open(file)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			res, err := Parse(f)
			if err != nil {
				t.Fatal(err)
			}
			if res.Records != 8 || len(res.Problems) != 0 {
				t.Fatalf("records %d, problems %v; want 8 and none", res.Records, res.Problems)
			}
			if len(res.Notices) != len(sample) {
				t.Fatalf("%d notices, want %d: %+v", len(res.Notices), len(sample), res.Notices)
			}
			for i, want := range sample {
				n := res.Notices[i]
				var judgment time.Time
				if want.judgment != "" {
					judgment = date(want.judgment)
				}
				if n.ID != want.id || !reflect.DeepEqual(n.SIRENs, []string{want.siren}) || n.Kind != want.kind ||
					!n.Judgment.Equal(judgment) || !n.Published.Equal(date(want.published)) {
					t.Errorf("notice %d: %s %v %q judged %s published %s; want %+v", i, n.ID, n.SIRENs, n.Kind,
						n.Judgment.Format(time.DateOnly), n.Published.Format(time.DateOnly), want)
				}
			}
			if n := res.Notices[0]; n.Debtor != "TRANSPORTS GIRAUD" || n.City != "Vénissieux" || n.Line != 2 && file[len(file)-3:] == "csv" {
				t.Errorf("first notice: %q in %q at line %d", n.Debtor, n.City, n.Line)
			}
		})
	}
}

func TestClassify(t *testing.T) {
	for _, c := range []struct{ nature, complement, want string }{
		{"Jugement d'ouverture d'une procédure de sauvegarde", "", ledger.Sauvegarde},
		{"Jugement d’ouverture d’une procédure de sauvegarde accélérée", "", ledger.Sauvegarde},
		{"Jugement d'ouverture d'une procédure de redressement judiciaire", "", ledger.Redressement},
		{"Jugement d'ouverture de liquidation judiciaire", "", ledger.Liquidation},
		{"JUGEMENT D'OUVERTURE DE LIQUIDATION JUDICIAIRE SIMPLIFIEE", "", ledger.Liquidation},
		{"Jugement de conversion en liquidation judiciaire", "", ledger.Liquidation},
		{"Jugement de conversion en redressement judiciaire de la procédure de sauvegarde", "", ledger.Redressement},
		{"Jugement prononçant la résolution du plan de redressement et la liquidation judiciaire", "", ledger.Liquidation},
		{"Jugement d'extension de liquidation judiciaire", "", ledger.Liquidation},
		{"Autre jugement et ordonnance", "Jugement d'ouverture d'une procédure de redressement judiciaire", ledger.Redressement},
		{"Autre jugement et ordonnance", "Ouvre la procédure de redressement", ledger.Redressement},
		{"Jugement de clôture pour insuffisance d'actif", "Jugement prononçant la clôture de la liquidation judiciaire", ""},
		{"Jugement arrêtant le plan de redressement", "", ""},
		{"Jugement modifiant le plan de sauvegarde", "", ""},
		{"Liste des créances nées après le jugement d'ouverture d'une procédure de liquidation judiciaire", "", ""},
		{"Dépôt de l'état des créances", "", ""},
		{"Jugement d'ouverture d'une procédure de rétablissement professionnel", "", ""},
		{"Avis de dépôt du projet de répartition", "", ""},
		{"", "", ""},
	} {
		if got := Classify(c.nature, c.complement); got != c.want {
			t.Errorf("Classify(%q, %q) = %q, want %q", c.nature, c.complement, got, c.want)
		}
	}
}

func TestParseDate(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"2025-09-12", "2025-09-12"}, {"2025-09-12T00:00:00+02:00", "2025-09-12"}, {"12/09/2025", "2025-09-12"},
		{"1er octobre 2026", "2026-10-01"}, {"6 may 2011", "2011-05-06"}, {"17 Décembre 2024", "2024-12-17"},
		{"31 février 2025", ""}, {"", ""}, {"0001-01-01", ""}, {"demain", ""}, {"99/99/2025", ""},
	} {
		got, err := parseDate(c.in)
		if c.want == "" {
			if err == nil {
				t.Errorf("parseDate(%q) = %s, want an error", c.in, got.Format(time.DateOnly))
			}
			continue
		}
		if err != nil || got.Format(time.DateOnly) != c.want {
			t.Errorf("parseDate(%q) = %s, %v; want %s", c.in, got.Format(time.DateOnly), err, c.want)
		}
	}
}

func TestSIRENs(t *testing.T) {
	for _, c := range []struct {
		in   string
		want []string
	}{
		{"362275869,362 275 869", []string{"362275869"}},
		{`["362275869", "362 275 869"]`, []string{"362275869"}},
		{"RCS Lyon 362 275 869", []string{"362275869"}},
		{"362275868", nil}, // a wrong check digit
		{"36227586912345", nil},
		{"", nil},
	} {
		if got := sirens(c.in); !reflect.DeepEqual(got, c.want) {
			t.Errorf("sirens(%q) = %v, want %v", c.in, got, c.want)
		}
	}
}

// TestParseJSONShapes reads the three JSON forms of the export: the API's
// {"results": …} and {"records": [{"fields": …}]}, and one record per line.
func TestParseJSONShapes(t *testing.T) {
	jug := `"{\"nature\": \"Jugement d'ouverture de liquidation judiciaire\", \"date\": \"2025-09-05\"}"`
	rec := `{"id": "A1", "familleavis": "collective", "registre": ["530530419", "530 530 419"], "jugement": ` + jug + `, "dateparution": "2025-09-14"}`
	object := `{"id": "A2", "familleavis_lib": "Procédures collectives", "registre": "530530419", "jugement": {"nature": "Jugement d'ouverture d'une procédure de sauvegarde", "date": "2025-09-01"}, "dateparution": "2025-09-10"}`
	for name, in := range map[string]string{
		"results": `{"total_count": 1, "results": [` + rec + `]}`,
		"records": `{"nhits": 1, "records": [{"datasetid": "annonces-commerciales", "fields": ` + rec + `}]}`,
		"lines":   rec + "\n" + rec + "\n",
		"object":  "[" + object + "]",
	} {
		res, err := Parse(strings.NewReader(in))
		if err != nil || len(res.Notices) == 0 || len(res.Problems) != 0 {
			t.Errorf("%s: %+v, %v", name, res, err)
			continue
		}
		if n := res.Notices[0]; n.Kind == "" || n.SIRENs[0] != "530530419" || n.Judgment.IsZero() {
			t.Errorf("%s: %+v", name, n)
		}
	}
}

// TestParseProblems keeps the readable notices and lists the others with
// their line.
func TestParseProblems(t *testing.T) {
	in := "registre;familleavis;jugement;dateparution\n" +
		"530530419;collective;\"{\"\"nature\"\": \"\"Jugement d'ouverture de liquidation judiciaire\"\", \"\"date\"\": \"\"2025-09-05\"\"}\";2025-09-14\n" +
		"000;collective;\"{\"\"nature\"\": \"\"Jugement d'ouverture de liquidation judiciaire\"\"}\";2025-09-14\n" +
		"530530419;collective;{not json;2025-09-14\n" +
		"530530419;collective;\"{\"\"nature\"\": \"\"Jugement d'ouverture de liquidation judiciaire\"\", \"\"date\"\": \"\"hier\"\"}\";2025-09-14\n" +
		"530530419;collective;\"{\"\"nature\"\": \"\"Jugement d'ouverture de liquidation judiciaire\"\", \"\"date\"\": \"\"2025-09-20\"\"}\";2025-09-14\n" +
		"530530419;collective;;jamais\n" +
		"530530419;vente;;jamais\n"
	res, err := Parse(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range res.Problems {
		got = append(got, p.Error())
	}
	want := []string{
		`3: registre: no SIREN in "000"`,
		`4: jugement: not a judgment: "invalid character 'n' looking for beginn"… (64 characters)`,
		`5: jugement.date: unreadable date "hier": the publication date 2025-09-14 is used as the opening`,
		`6: jugement: judgment on 2025-09-20, after its publication on 2025-09-14`,
		`7: dateparution: unreadable date "jamais"`,
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if len(res.Notices) != 2 || res.Records != 7 {
		t.Errorf("%d notices of %d records, want 2 of 7: %+v", len(res.Notices), res.Records, res.Notices)
	}
}
