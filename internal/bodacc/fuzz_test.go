package bodacc

import (
	"bytes"
	"errors"
	"os"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// FuzzBODACCParse feeds Parse arbitrary bytes: it never panics, and what it
// keeps is always usable — checked SIRENs, a known kind, a judgment no
// later than its publication, texts without control characters.
func FuzzBODACCParse(f *testing.F) {
	for _, file := range []string{"testdata/annonces-commerciales.csv", "testdata/annonces-commerciales.json"} {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	for _, h := range hostile {
		f.Add([]byte(h.in))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		res, err := Parse(bytes.NewReader(data))
		if err != nil {
			return
		}
		for _, n := range res.Notices {
			checkNotice(t, n)
		}
		if len(res.Notices)+len(res.Problems) > res.Records+len(res.Problems) {
			t.Fatalf("%d notices and %d problems from %d records", len(res.Notices), len(res.Problems), res.Records)
		}
	})
}

func checkNotice(t *testing.T, n Notice) {
	t.Helper()
	if len(n.SIRENs) == 0 || len(n.SIRENs) > 20 {
		t.Fatalf("notice %+v: %d SIRENs", n, len(n.SIRENs))
	}
	for _, s := range n.SIRENs {
		if len(s) != 9 || strings.Trim(s, "0123456789") != "" {
			t.Fatalf("notice %+v: SIREN %q", n, s)
		}
	}
	switch n.Kind {
	case "", "sauvegarde", "redressement", "liquidation":
	default:
		t.Fatalf("notice %+v: kind %q", n, n.Kind)
	}
	if n.Published.IsZero() || (n.Kind != "" && (n.Judgment.IsZero() || n.Judgment.After(n.Published))) {
		t.Fatalf("notice %+v: judged %s, published %s", n, n.Judgment, n.Published)
	}
	for _, s := range []string{n.ID, n.Debtor, n.City, n.Nature} {
		if !utf8.ValidString(s) || strings.IndexFunc(s, func(r rune) bool { return unicode.IsControl(r) || unicode.Is(unicode.Cf, r) }) >= 0 {
			t.Fatalf("notice %+v: text %q", n, s)
		}
		if utf8.RuneCountInString(s) > 301 {
			t.Fatalf("notice %+v: a text of %d runes", n, utf8.RuneCountInString(s))
		}
	}
}

// hostile are malformed exports: each is refused with ErrFormat (format),
// or read with the bad record reported (problems) or ignored.
var hostile = []struct {
	name, in string
	format   bool // refused whole, wrapping ErrFormat
	notices  int
	problems int
}{
	{name: "empty", in: "", format: true},
	{name: "bom only", in: "\ufeff  \n", format: true},
	{name: "binary", in: "\x00\x01\x02\xff\xfe;\x00\n\x00;\x01", format: true},
	{name: "comma separated", in: "registre,jugement,dateparution\n530530419,x,2025-09-14\n", format: true},
	{name: "no registre column", in: "jugement;dateparution\nx;2025-09-14\n", format: true},
	{name: "header only", in: "registre;familleavis;jugement;dateparution\n"},
	{name: "unterminated quote", in: "registre;familleavis;jugement;dateparution\n530530419;collective;\"{\"\"nature\n", problems: 1},
	{name: "json not records", in: "[1, 2, \"three\"]", format: true},
	{name: "json truncated", in: `[{"registre": "530530419", "familleavis": "collective"`, format: true},
	{name: "json deep", in: strings.Repeat("[", 20000) + strings.Repeat("]", 20000), format: true},
	{name: "json deep registre", in: `[{"registre": ` + strings.Repeat("[", 5000) + `"530530419"` + strings.Repeat("]", 5000) + `, "familleavis": "collective", "dateparution": "2025-09-14"}]`, problems: 1},
	{name: "json wrapper not a list", in: `{"results": 12}`, format: true},
	{name: "jugement not json", in: "registre;familleavis;jugement;dateparution\n530530419;collective;{{{{;2025-09-14\n", problems: 1},
	{name: "jugement an array", in: `[{"registre": "530530419", "familleavis": "collective", "jugement": "[1,2]", "dateparution": "2025-09-14"}]`, notices: 1},
	{name: "registre of many sirens", in: "registre;familleavis;jugement;dateparution\n" + strings.Repeat("530530419 ", 5000) +
		";collective;Jugement d'ouverture de liquidation judiciaire;2025-09-14\n", notices: 1, problems: 1},
	{name: "controls in names", in: "registre;familleavis;jugement;dateparution;commercant\n530530419;collective;\"{\"\"nature\"\": \"\"Jugement d'ouverture de liquidation judiciaire\"\", \"\"date\"\": \"\"2025-09-05\"\"}\";2025-09-14;\"ACME\r\nBcc: evil@x\u202e\u0000\"\n", notices: 1},
	{name: "date year 99999", in: "registre;familleavis;jugement;dateparution\n530530419;collective;x;99999-01-01\n", problems: 1},
	{name: "invalid utf-8", in: "registre;familleavis;jugement;dateparution;ville\n530530419;collective;\"{\"\"nature\"\": \"\"Jugement d'ouverture de liquidation judiciaire\"\", \"\"date\"\": \"\"2025-09-05\"\"}\";2025-09-14;\xff\xfe\xfd\n", notices: 1},
}

// TestHostileBODACCExports reads every malformed export: none panics, each
// is refused with ErrFormat or read with its bad records reported.
func TestHostileBODACCExports(t *testing.T) {
	for _, h := range hostile {
		t.Run(h.name, func(t *testing.T) {
			res, err := Parse(strings.NewReader(h.in))
			if h.format {
				if !errors.Is(err, ErrFormat) {
					t.Fatalf("Parse = %+v, %v; want ErrFormat", res, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Notices) != h.notices || len(res.Problems) != h.problems {
				t.Errorf("%d notices, problems %v; want %d and %d", len(res.Notices), res.Problems, h.notices, h.problems)
			}
			for _, n := range res.Notices {
				checkNotice(t, n)
			}
		})
	}
}

// TestHostileBODACCHugeRecord refuses a record past MaxRecord as soon as it
// is read, CSV or JSON, without holding the rest of the file.
func TestHostileBODACCHugeRecord(t *testing.T) {
	huge := strings.Repeat("x", 3*MaxRecord)
	for name, in := range map[string]string{
		"csv cell":    "registre;familleavis;jugement;dateparution\n530530419;collective;\"" + huge + "\";2025-09-14\n",
		"csv header":  huge,
		"json string": `[{"registre": "` + huge + `"}]`,
		"json lines":  `{"registre": "530530419"}` + "\n" + `{"commercant": "` + huge + `"}`,
	} {
		_, err := Parse(strings.NewReader(in))
		if err == nil || !strings.Contains(err.Error(), "a record of more than") {
			t.Errorf("%s: %v, want the record refused", name, err)
		}
	}
}
