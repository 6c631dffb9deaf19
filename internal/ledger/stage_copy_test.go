package ledger

import (
	"bytes"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgtype"

	"github.com/relance/relance/internal/money"
)

// fuzzRow builds a batch row from a fuzzer's values: said's bits say which
// optional fields are said, a list's mode whether it is not said (0), said
// as a nil list (1) or as the items of its text split on ';' (2, none for
// an empty text: an empty list).
func fuzzRow(line int, number, code string, issued, due int32, paris bool, text string, amount, other int64,
	said uint8, name, emails string, emailsMode uint8, cc string, ccMode uint8) BatchInvoice {
	loc := time.UTC
	if paris {
		loc, _ = time.LoadLocation("Europe/Paris")
	}
	day := func(d int32) time.Time { return time.Date(2000, 1, 1+int(d), 23, 30, 0, 0, loc) }
	opt := func(bit uint8, s string) *string {
		if said&bit == 0 {
			return nil
		}
		return &s
	}
	amt := func(bit uint8, v int64) *money.Amount {
		if said&bit == 0 {
			return nil
		}
		a := money.Amount(v)
		return &a
	}
	list := func(mode uint8, s string) *[]string {
		var l []string
		switch mode % 3 {
		case 0:
			return nil
		case 2:
			l = []string{}
			if s != "" {
				l = strings.Split(s, ";")
			}
		}
		return &l
	}
	r := BatchInvoice{Line: line, Number: number, ClientCode: code, Issued: day(issued), Due: day(due),
		Terms: opt(1, text), Amount: money.Amount(amount), AmountExcl: amt(2, other), Paid: amt(4, -other),
		Currency: text, Kind: name, AppliesTo: opt(8, number+text)}
	r.Client = ClientPatch{Name: opt(16, name), Emails: list(emailsMode, emails), CC: list(ccMode, cc),
		Locale: opt(32, text), Profile: opt(32, name), Segment: opt(64, text), Country: opt(64, code),
		Line1: opt(128, text), Line2: opt(128, name), Postcode: opt(128, code), City: opt(128, number),
		Contact: opt(64, name), Phone: opt(32, code), SIREN: opt(16, text), SIRET: opt(8, code), VAT: opt(4, name),
		CreditLimit: amt(64, amount^other)}
	return r
}

// The binary encoder writes each row byte for byte as pgx's CopyFrom wrote
// the same values (the pgx path it replaced, stage_copy_pgx_test.go):
// invoice_stage's rows, what rows say of their clients
// (invoice_client_said, client_said_unchanged), and the said hash of the
// one is the hash the other computed from the boxed values, so that the
// hashes a ledger keeps stay comparable.
func FuzzStageRowIsPgxEncoding(f *testing.F) {
	f.Add(7, "F-1", "C1", int32(9000), int32(9045), false, "45 FDM", int64(123456), int64(-5), uint8(0xff),
		"Dupont SARL", "a@b.fr;c@d.fr", uint8(2), "", uint8(2), int32(3))
	f.Add(-1, "", "", int32(-800000), int32(2900000), true, "", int64(-1<<63), int64(1<<63-1), uint8(0),
		"", "", uint8(1), "x", uint8(0), int32(-1))
	f.Add(1<<40, "F\x00\xff", "é\t\n\\\"", int32(0), int32(-1), true, "€;;", int64(0), int64(0), uint8(0x55),
		"\u00a0", ";", uint8(2), ";;", uint8(2), int32(1<<30))
	m := pgtype.NewMap()
	f.Fuzz(func(t *testing.T, line int, number, code string, issued, due int32, paris bool, text string,
		amount, other int64, said uint8, name, emails string, emailsMode uint8, cc string, ccMode uint8, id int32) {
		r := fuzzRow(line, number, code, issued, due, paris, text, amount, other, said, name, emails, emailsMode, cc, ccMode)
		want, err := pgxRow(m, pgxInvoiceOIDs, pgxInvoiceValues(&r, id))
		if err != nil {
			t.Fatal(err)
		}
		if got := copyRow(nil).invoiceRow(&r, id); !bytes.Equal(got, want) {
			t.Fatalf("invoice_stage row\n got %x\nwant %x", got, want)
		}
		fields := pgxSaidFields(&r.Client)
		hash := pgxSaidHash(fields)
		if h := saidHash(&r.Client); h != hash {
			t.Fatalf("said hash %d, the pgx path's %d", h, hash)
		}
		want, err = pgxRow(m, pgxSaidOIDs, append(append([]any{id, r.ClientCode}, fields...), hash))
		if err != nil {
			t.Fatal(err)
		}
		if got := copyRow(nil).fields(20).int4(id).clientSaid(r.ClientCode, &r.Client, hash); !bytes.Equal(got, want) {
			t.Fatalf("invoice_client_said row\n got %x\nwant %x", got, want)
		}
		want, err = pgxRow(m, pgxSaidOIDs[1:], append(append([]any{r.ClientCode}, fields...), hash))
		if err != nil {
			t.Fatal(err)
		}
		if got := copyRow(nil).fields(19).clientSaid(r.ClientCode, &r.Client, hash); !bytes.Equal(got, want) {
			t.Fatalf("client_said_unchanged row\n got %x\nwant %x", got, want)
		}
	})
}

// The reader streams the signature, whole rows and the trailer whatever
// the size of the reads, and ends the COPY where next says.
func TestCopyReaderStreamsEveryRow(t *testing.T) {
	for _, size := range []int{1, 7, 64, 65531} {
		rows := 0
		r := &copyReader{next: func(b copyRow) (copyRow, bool) {
			if rows == 3000 {
				return b, false
			}
			rows++
			return b.fields(2).int4(int32(rows)).text(strings.Repeat("x", rows%50)), true
		}}
		var got bytes.Buffer
		p := make([]byte, size)
		for {
			n, err := r.Read(p)
			got.Write(p[:n])
			if err == io.EOF {
				break
			}
			if err != nil || n == 0 {
				t.Fatalf("read of %d: %d, %v", size, n, err)
			}
		}
		want := []byte(copySignature)
		for i := 1; i <= 3000; i++ {
			want = copyRow(want).fields(2).int4(int32(i)).text(strings.Repeat("x", i%50))
		}
		want = append(want, 0xff, 0xff)
		if !bytes.Equal(got.Bytes(), want) {
			t.Errorf("reads of %d: %d bytes, want %d", size, got.Len(), len(want))
		}
	}
}
