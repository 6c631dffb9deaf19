package provision

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"io"
	"strings"
	"time"

	"golang.org/x/text/encoding/charmap"

	"github.com/relance/relance/internal/money"
)

// JournalCSVHeader is the header of `relance provisions journal --format
// csv`: amounts in major units with a '.', dates YYYY-MM-DD, tax_deductible
// yes or no on provision and reversal lines.
var JournalCSVHeader = []string{"entry", "date", "journal", "account", "account_label", "aux_account", "aux_label",
	"piece", "piece_date", "label", "debit", "credit", "currency", "tax_deductible"}

// WriteJournalCSV writes lines as CSV (UTF-8, comma-separated).
func WriteJournalCSV(w io.Writer, lines []Line, a Accounts) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(JournalCSVHeader); err != nil {
		return err
	}
	for _, l := range lines {
		if err := cw.Write([]string{fmt.Sprint(l.Entry), l.Day.Format(time.DateOnly), a.Journal, l.Account, l.AccountLabel,
			l.Aux, l.AuxLabel, l.Piece, l.PieceDate.Format(time.DateOnly), l.Label,
			money.FormatPlain(l.Debit), money.FormatPlain(l.Credit), l.Currency, l.Deductible}); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// FECColumns are the 18 columns of the Fichier des Écritures Comptables
// (LPF art. A47 A-1), in their order.
var FECColumns = []string{"JournalCode", "JournalLib", "EcritureNum", "EcritureDate", "CompteNum", "CompteLib",
	"CompAuxNum", "CompAuxLib", "PieceRef", "PieceDate", "EcritureLib", "Debit", "Credit", "EcritureLet",
	"DateLet", "ValidDate", "Montantdevise", "Idevise"}

// WriteFEC writes lines in the FEC format: tab-separated, ISO 8859-15 (a
// character it lacks becomes '?'), CRLF line ends, dates YYYYMMDD, amounts
// with a decimal comma and no grouping, both Debit and Credit filled. Entry
// numbers are prefix-N (prefix "202511" gives 202511-1, 202511-2…), so that
// two months imported into one journal never share a number. The client's
// code and name are the auxiliary account (CompAuxNum, CompAuxLib) of the
// 411 and 416 lines. Lettering and validation are left to the accounting
// software the file is imported into: EcritureLet, DateLet and ValidDate
// are empty, and so are Montantdevise and Idevise, every line being in the
// books' currency (keep other currencies out).
func WriteFEC(w io.Writer, lines []Line, a Accounts, prefix string) error {
	bw := bufio.NewWriter(w)
	write := func(fields []string) {
		for i, f := range fields {
			if i > 0 {
				bw.WriteByte('\t')
			}
			for _, r := range fecField(f) {
				b, ok := charmap.ISO8859_15.EncodeRune(r)
				if !ok {
					b = '?'
				}
				bw.WriteByte(b)
			}
		}
		bw.WriteString("\r\n")
	}
	write(FECColumns)
	for _, l := range lines {
		write([]string{a.Journal, a.JournalLabel, fmt.Sprintf("%s-%d", prefix, l.Entry), fecDate(l.Day),
			l.Account, l.AccountLabel, l.Aux, l.AuxLabel, l.Piece, fecDate(l.PieceDate), l.Label,
			fecAmount(l.Debit), fecAmount(l.Credit), "", "", "", "", ""})
	}
	return bw.Flush()
}

// fecField keeps a value on its line and in its column.
func fecField(s string) string {
	return strings.Join(strings.Fields(strings.Map(func(r rune) rune {
		if r == '\t' || r == '\r' || r == '\n' || r == '|' {
			return ' '
		}
		return r
	}, s)), " ")
}

func fecDate(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format("20060102")
}

func fecAmount(a money.Amount) string { return strings.Replace(money.FormatPlain(a), ".", ",", 1) }
