package importer

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/relance/relance/internal/pgtest"
)

// The hostile inputs of issue 10's fault suite. Each file gets a clear
// error (or, for text that is only odd, a clean import), nothing is
// partially imported, and nothing panics. Every test starts from a ledger
// that already holds the French example, so "nothing imported" is checked
// against real rows.

// hostileDB is a database holding the French example.
func hostileDB(t *testing.T) *pgxpool.Pool {
	t.Helper()
	db := pgtest.NewDB(t)
	mustImport(t, db, "testdata/factures_fr_cp1252.csv", opts())
	return db
}

// refused imports path, wants an error no longer than a screen, and checks
// the tables did not change. It returns the error's text.
func refused(t *testing.T, db *pgxpool.Pool, path string, opt Options) string {
	t.Helper()
	before := dump(t, db)
	_, err := ImportInvoices(context.Background(), db, path, opt)
	if err == nil {
		t.Fatalf("%s was imported", filepath.Base(path))
	}
	if len(err.Error()) > 4000 {
		t.Errorf("the error is %d bytes long: %.300s…", len(err.Error()), err)
	}
	if after := dump(t, db); after != before {
		t.Errorf("a refused file changed the tables:\nbefore\n%s\nafter\n%s", before, after)
	}
	return err.Error()
}

// noControl fails when any text column of the ledger holds a control or
// invisible format character.
func noControl(t *testing.T, db *pgxpool.Pool) {
	t.Helper()
	rows, err := db.Query(context.Background(), `
		SELECT code || '|' || name || '|' || array_to_string(emails || cc_emails, '|') || '|' ||
		       concat_ws('|', address_line1, address_line2, postcode, city, contact_name, phone, segment, profile, locale)
		FROM client
		UNION ALL SELECT number || '|' || COALESCE(payment_terms, '') FROM invoice`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		for _, r := range s {
			if unicode.Is(unicode.Cc, r) || unicode.Is(unicode.Cf, r) {
				t.Errorf("stored text %q holds %U", s, r)
			}
		}
	}
}

func csvQuote(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

func TestHostileHeaderInjection(t *testing.T) {
	db := hostileDB(t)
	for _, tc := range []struct{ name, email, cc, want string }{
		// encoding/csv reads the CR LF inside a quoted cell as LF.
		{"email with a Bcc header", "victim@x.com\r\nBcc: evil@y.com", "", ":2: email: control or invisible character U+000A"},
		{"email with a bare line feed", "victim@x.com\nBcc: evil@y.com", "", ":2: email: control or invisible character U+000A"},
		{"email with a header after a comma", "victim@x.com, Bcc: evil@y.com", "", `:2: email: invalid email address "Bcc: evil@y.com"`},
		{"cc with a Bcc header", "a@x.fr", "chef@x.fr\r\nBcc: evil@y.com", ":2: cc: control or invisible character U+000A"},
		{"email with a NUL", "a@x.fr\x00", "", ":2: email: control or invisible character U+0000"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := writeFile(t, "inject.csv", "invoice_number,client_id,issue_date,amount,email,cc\r\n"+
				"F9,C9,2025-01-15,100.00,"+csvQuote(tc.email)+","+csvQuote(tc.cc)+"\r\n")
			if msg := refused(t, db, path, opts()); !strings.Contains(msg, path+tc.want) {
				t.Errorf("err = %s\nwant %s%s", msg, path, tc.want)
			}
		})
	}

	// In a name, an invoice number or an address, a line break is only a
	// line break: it becomes a space, and the row is imported as one line.
	path := writeFile(t, "names.csv", "invoice_number,client_id,client_name,issue_date,amount,adresse\r\n"+
		"\"F-9\r\nBcc: evil@y.com\",C9,\"Evil SA\r\nBcc: evil@y.com\",2025-01-15,100.00,\"1 rue X\r\nSubject: pay now\"\r\n")
	res := mustImport(t, db, path, opts())
	if len(res.Warnings) != 1 || !strings.Contains(res.Warnings[0], "control or invisible characters removed from 3 cell(s), the first at "+path+":2: invoice_number") {
		t.Errorf("warnings = %q", res.Warnings)
	}
	var name, addr string
	if err := db.QueryRow(context.Background(), `SELECT c.name, c.address_line1 FROM client c JOIN invoice i ON i.client_id = c.id
		WHERE i.number = 'F-9 Bcc: evil@y.com'`).Scan(&name, &addr); err != nil {
		t.Fatalf("the invoice number is not stored on one line: %v", err)
	}
	if name != "Evil SA Bcc: evil@y.com" || addr != "1 rue X Subject: pay now" {
		t.Errorf("name %q, address %q: want each on one line", name, addr)
	}
	noControl(t, db)
}

func TestHostileHTMLAndRightToLeft(t *testing.T) {
	db := hostileDB(t)
	path := writeFile(t, "html.csv", "invoice_number;client_id;client_name;issue_date;amount;ville\n"+
		"F-66\u202e1;C66;<script>alert('x')</script> & Cie;15/01/2025;100,00;\u2067Paris\u2069\n"+
		"F-67\u200f;C67;\u202eAS tnopuD;15/01/2025;100,00;الدار البيضاء\u200e\n"+
		"F-68;C68;\u05d7\u05d1\u05e8\u05d4 \u05d1\u05e2\"\u05de;15/01/2025;100,00;\n")
	res := mustImport(t, db, path, opts())
	if res.Created != 3 {
		t.Fatalf("result = %+v", res)
	}
	got := map[string]string{}
	rows, err := db.Query(context.Background(), `SELECT i.number, c.name || '|' || COALESCE(c.city, '') FROM invoice i JOIN client c ON c.id = i.client_id WHERE c.code LIKE 'C6%'`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var n, v string
		if err := rows.Scan(&n, &v); err != nil {
			t.Fatal(err)
		}
		got[n] = v
	}
	rows.Close()
	// HTML is text: stored as written, escaped by whatever renders it. The
	// bidi controls are gone; Arabic and Hebrew letters stay.
	want := map[string]string{
		"F-661": "<script>alert('x')</script> & Cie|Paris",
		"F-67":  "AS tnopuD|الدار البيضاء",
		"F-68":  "\u05d7\u05d1\u05e8\u05d4 \u05d1\u05e2\"\u05de|",
	}
	for n, w := range want {
		if got[n] != w {
			t.Errorf("%s = %q, want %q", n, got[n], w)
		}
	}
	noControl(t, db)
}

func TestHostileOversizedCellsAndLines(t *testing.T) {
	db := hostileDB(t)
	big := strings.Repeat("A", 100<<20)
	for _, tc := range []struct {
		name, body, want string
	}{
		{"a 100 MB unquoted cell", "invoice_number;client_id;client_name;issue_date;amount\nF1;C1;" + big + ";15/01/2025;1,00\n",
			":2: client_name: a cell of more than 10000 characters: refused"},
		{"a 100 MB quoted cell over many lines", "invoice_number;client_id;client_name;issue_date;amount\nF1;C1;\"" +
			strings.Repeat("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\r\n", 1<<20) + "\";15/01/2025;1,00\n",
			":2: client_name: a cell of more than 10000 characters: refused"},
		{"a 100 MB header", "invoice_number;client_id;" + big + "\n", ":1: header: a cell of more than 10000 characters: refused"},
		{"a line of 200 cells of 9,000 characters", "invoice_number;client_id;issue_date;amount\n" +
			strings.Repeat(strings.Repeat("B", 9000)+";", 200) + "\n", ":2: a line of more than 1 MiB: refused"},
		{"a FEC line of 100 MB", "JournalCode|EcritureNum|EcritureDate|CompteNum|CompAuxNum|PieceRef|PieceDate|Debit|Credit|EcritureLet\n" +
			"VE|1|20250101|411000|C1|F1|20250101|" + big + "|0|\n", ":2: a line of more than 1 MiB: refused"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := writeFile(t, "big.csv", tc.body)
			if msg := refused(t, db, path, opts()); !strings.Contains(msg, path+tc.want) {
				t.Errorf("err = %.500s\nwant %s%s", msg, path, tc.want)
			}
		})
	}

	// A cell over 10,000 characters but under the reader's byte limit is a
	// row error like any other: the other rows' errors come with it.
	path := writeFile(t, "long.csv", "invoice_number;client_id;client_name;issue_date;amount\n"+
		"F1;C1;"+strings.Repeat("é", 12000)+";15/01/2025;1,00\nF2;C1;Dupont;31/02/2025;1,00\n")
	msg := refused(t, db, path, opts())
	for _, w := range []string{
		path + `:2: client_name: too long: 12000 characters, more than the 10000 allowed: "` + strings.Repeat("é", 40) + `"… (12000 characters)`,
		path + `:3: issue_date: invalid date "31/02/2025"`,
	} {
		if !strings.Contains(msg, w) {
			t.Errorf("err = %.600s\nwant %s", msg, w)
		}
	}

	// In a workbook: an inline string and a shared string in rich-text runs
	// over the XML limit (TestDefect10OversizedXLSXCellTakesLittleMemory
	// has the 100 MB one), and a 12,000-character cell.
	for _, tc := range []struct {
		name  string
		sheet func(w io.Writer) error
		sst   func(w io.Writer) error
		want  string
	}{
		{"an inline 4 MB cell", func(w io.Writer) error {
			_ = xlsxRow(w, 1, "invoice_number", "client_name", "issue_date", "amount")
			_, _ = io.WriteString(w, `<row r="2"><c r="A2" t="inlineStr"><is><t>`)
			_ = repeatTo(w, 'A', 4<<20)
			_, err := io.WriteString(w, `</t></is></c></row>`)
			return err
		}, nil, "xl/worksheets/sheet1.xml: a cell larger than 256 KiB (the limit is 10000 characters a cell)"},
		{"a shared string of 100,000 rich-text runs", func(w io.Writer) error {
			_ = xlsxRow(w, 1, "invoice_number", "client_name", "issue_date", "amount")
			return xlsxRow(w, 2, "F1", "#0", "2025-01-15", "100")
		}, func(w io.Writer) error {
			_, err := io.WriteString(w, `<si>`+strings.Repeat(`<r><t>AAAAAAAAAA</t></r>`, 100_000)+`</si>`)
			return err
		}, "xl/sharedStrings.xml: a cell larger than 256 KiB"},
		{"a 12,000-character cell", func(w io.Writer) error {
			_ = xlsxRow(w, 1, "invoice_number", "client_name", "issue_date", "amount")
			return xlsxRow(w, 2, "F1", strings.Repeat("Z", 12000), "2025-01-15", "100")
		}, nil, ":2: client_name: too long: 12000 characters, more than the 10000 allowed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "big.xlsx")
			if err := writeXLSX(path, tc.sheet, tc.sst); err != nil {
				t.Fatal(err)
			}
			if msg := refused(t, db, path, opts()); !strings.Contains(msg, tc.want) {
				t.Errorf("err = %.500s\nwant %s", msg, tc.want)
			}
		})
	}
}

// Random bytes named .csv, .xlsx and as a FEC, a zip of random parts, and
// truncated workbooks: an error or an import, never a panic, and never a
// half-imported file.
func TestHostileRandomBytes(t *testing.T) {
	db := hostileDB(t)
	rng := rand.New(rand.NewPCG(10, 2025))
	randomBytes := func(n int) []byte {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(rng.UintN(256))
		}
		return b
	}
	var good bytes.Buffer
	if err := writeXLSXTo(&good, func(w io.Writer) error {
		_ = xlsxRow(w, 1, "invoice_number", "client_name", "issue_date", "amount")
		return xlsxRow(w, 2, "F1", "Dupont", "2025-01-15", "100")
	}, nil); err != nil {
		t.Fatal(err)
	}
	fecHeader := "JournalCode|EcritureNum|EcritureDate|CompteNum|CompAuxNum|PieceRef|PieceDate|Debit|Credit|EcritureLet\n"
	var files []struct {
		name string
		data []byte
	}
	add := func(name string, data []byte) {
		files = append(files, struct {
			name string
			data []byte
		}{name, data})
	}
	for i := range 20 {
		n := 1 + rng.IntN(64<<10)
		add(fmt.Sprintf("random%d.csv", i), randomBytes(n))
		add(fmt.Sprintf("random%d.xlsx", i), randomBytes(n))
		add(fmt.Sprintf("zip%d.xlsx", i), append([]byte("PK\x03\x04"), randomBytes(n)...))
		add(fmt.Sprintf("FEC%d.txt", i), append([]byte(fecHeader), randomBytes(n)...))
		cut := good.Bytes()[:rng.IntN(good.Len())]
		add(fmt.Sprintf("truncated%d.xlsx", i), cut)
		flipped := bytes.Clone(good.Bytes())
		flipped[rng.IntN(len(flipped))] ^= byte(1 + rng.IntN(255))
		add(fmt.Sprintf("flipped%d.xlsx", i), flipped)
	}
	add("old.xls", append([]byte("\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"), randomBytes(512)...))
	before := dump(t, db)
	// Some answers are worth pinning: they tell the person what to do.
	for name, want := range map[string]string{
		"random0.xlsx": "not an XLSX workbook: an .xlsx file is a zip archive, and this one is not",
		"old.xls":      "an Excel 97-2003 (.xls) or password-protected workbook: save it as .xlsx",
		"zip0.xlsx":    "workbook refused: not an XLSX workbook",
	} {
		for _, f := range files {
			if f.name != name {
				continue
			}
			path := filepath.Join(t.TempDir(), name)
			if err := os.WriteFile(path, f.data, 0o600); err != nil {
				t.Fatal(err)
			}
			if msg := refused(t, db, path, opts()); !strings.Contains(msg, want) {
				t.Errorf("%s: err = %.300s, want %q", name, msg, want)
			}
		}
	}
	dir := t.TempDir()
	for _, f := range files {
		path := filepath.Join(dir, f.name)
		if err := os.WriteFile(path, f.data, 0o600); err != nil {
			t.Fatal(err)
		}
		func() {
			defer func() {
				if r := recover(); r != nil {
					t.Errorf("%s: panic: %v", f.name, r)
				}
			}()
			_, err := ImportInvoices(context.Background(), db, path, opts())
			if err == nil {
				// Random bytes that happen to parse would be a surprise, but
				// not a defect; a refused file must leave nothing.
				before = dump(t, db)
				return
			}
			if len(err.Error()) > 20000 {
				t.Errorf("%s: error of %d bytes", f.name, len(err.Error()))
			}
			var ie *ImportError
			if !errors.As(err, &ie) && !strings.HasPrefix(err.Error(), path) {
				t.Errorf("%s: error %q does not name the file", f.name, err)
			}
			if after := dump(t, db); after != before {
				t.Errorf("%s: a refused file changed the tables", f.name)
			}
		}()
	}
}
