package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/relance/relance/internal/aging"
	"github.com/relance/relance/internal/money"
	"github.com/relance/relance/internal/provision"
)

func newProvisionsCmd(a *app) *cobra.Command {
	var r recording
	var format, output string
	cmd := &cobra.Command{
		Use:   "provisions [--as-of DATE] [--format table|csv|xlsx]",
		Short: "List the provision proposals for doubtful debts (créances douteuses)",
		Long: `provisions lists, as they stand on --as-of (today by default), the invoices
that are doubtful and the provision each calls for: client, invoice, due date,
days late, bucket, outstanding incl. and excl. VAT, the rate and the amount,
why (age or insolvency) and whether it is tax-deductible.

An invoice becomes doubtful when its plan's provision step fires (121 days
late in the standard plan) and the provision matrix gives its bucket a rate
(provision.rates, overridden by plan profile in provision.profiles), or when
its client's insolvency proceeding opens, whatever its age, at
provision.insolvency_rate (100% by default). A provision of 0 is never
proposed. The amount is the outstanding excl. VAT × the rate: excl. VAT as
imported (amount_excl_vat), else at provision.default_vat_rate, which the
listing names. A flat-rate matrix provision is not tax-deductible in France;
one resting on an insolvency proceeding is.

The daily sweep books what changes in the journal: see
` + "`relance provisions journal`" + `.

Formats: table (the configured locale's words and numbers), csv (English
header, amounts with a '.'), xlsx (needs --output).`,
		Example: `  relance provisions
  relance provisions --as-of 2025-12-31 --format csv --output provisions.csv
  relance provisions --format xlsx --output provisions.xlsx
  relance provisions journal --period 2025-11 --format fec --output 123456789FEC20251130.txt`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			switch format {
			case "table", "csv", "xlsx":
			default:
				return fmt.Errorf("--format %q: want table, csv or xlsx", format)
			}
			if format == "xlsx" && output == "" {
				return fmt.Errorf("--format xlsx needs --output FILE")
			}
			s, err := a.openLedger(cmd.Context(), r)
			if err != nil {
				return err
			}
			defer s.close()
			m := s.cfg.ProvisionMatrix()
			ps, err := s.store.Provisions(cmd.Context(), s.day, m)
			if err != nil {
				return err
			}
			labels := map[string]string{}
			for _, b := range aging.Buckets(s.cfg.Aging.Buckets) {
				labels[b.Name] = b.Label(s.locale())
			}
			o := provision.ListOptions{Locale: s.locale(), AsOf: s.day, DefaultVATBP: m.DefaultVATBP,
				BucketLabel: func(b string) string { return labels[b] }}
			return writeOutput(a.stdout, output, func(w io.Writer) error {
				switch format {
				case "csv":
					return provision.WriteProposalsCSV(w, ps, o)
				case "xlsx":
					return provision.WriteProposalsXLSX(w, ps, o)
				}
				return provision.WriteProposalsTable(w, ps, o)
			})
		},
	}
	r.registerEntity(cmd)
	cmd.Flags().StringVar(&r.asOf, "as-of", "", "the day the provisions stand on, YYYY-MM-DD (default: today)")
	cmd.Flags().StringVar(&format, "format", "table", "table, csv or xlsx")
	cmd.Flags().StringVarP(&output, "output", "o", "", "write to FILE instead of standard output")
	cmd.AddCommand(newJournalCmd(a, &r))
	return cmd
}

func newJournalCmd(a *app, r *recording) *cobra.Command {
	var period, format, output string
	cmd := &cobra.Command{
		Use:   "journal --period YYYY-MM [--format csv|fec]",
		Short: "Write the month's provisioning entries (411→416, 6817/491, 491/7817, 654) for the books",
		Long: `journal writes the entries the daily sweep and ` + "`relance writeoff`" + ` recorded
in one month, dated the day each took effect, in the journal provision.journal
names (OD by default), on the accounts of provision.accounts:

  reclassification  416 / 411   the outstanding incl. VAT, the day an invoice
                                becomes doubtful
  provision         6817 / 491  outstanding excl. VAT × rate, each time the
                                provision rises (proposal, older bucket,
                                insolvency)
  reversal          491 / 7817  each time it falls: paid, credited, written off
  write-off         654 + 44571 / 416 (411 if never reclassified)  the unpaid
                                amount incl. VAT, its VAT recovered

The reclassification is not undone when a doubtful invoice is paid: book
its payment against 416 in the bank journal; the reversal of its provision
is here.

Each line carries the invoice as piece reference (PieceRef, PieceDate), a
label, and the client as auxiliary account on 411 and 416 (CompAuxNum);
provision and reversal labels say whether they are tax-deductible (a
flat-rate matrix provision is not). The debits equal the credits, entry by
entry: the totals are printed on standard error.

Formats: csv (UTF-8, English header, one line per row) or fec, the
Fichier des Écritures Comptables (18 columns JournalCode … Idevise, tab
separated, ISO 8859-15, dates YYYYMMDD, decimal comma) that accounting
software imports; entries in a currency other than the entity's are left out
of the FEC, with a warning, for want of an exchange rate. A recorded entry
never changes: a month exported again reads the same.`,
		Example: `  relance provisions journal --period 2025-11
  relance provisions journal --period 2025-11 --format fec --output 123456789FEC20251130.txt`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			from, err := time.Parse("2006-01", period)
			if err != nil {
				return fmt.Errorf("--period %q: want YYYY-MM", period)
			}
			to := from.AddDate(0, 1, -1)
			if format != "csv" && format != "fec" {
				return fmt.Errorf("--format %q: want csv or fec", format)
			}
			s, err := a.openLedger(cmd.Context(), *r)
			if err != nil {
				return err
			}
			defer s.close()
			entity, err := s.store.Entity(cmd.Context(), s.store.EntityCode())
			if err != nil {
				return err
			}
			entries, err := s.store.JournalEntries(cmd.Context(), from, to)
			if err != nil {
				return err
			}
			if format == "fec" {
				entries = a.booksCurrency(entries, entity.Currency)
			}
			accounts := s.cfg.ProvisionAccounts()
			lines := provision.Lines(entries, accounts, s.locale())
			err = writeOutput(a.stdout, output, func(w io.Writer) error {
				if format == "fec" {
					return provision.WriteFEC(w, lines, accounts, from.Format("200601"))
				}
				return provision.WriteJournalCSV(w, lines, accounts)
			})
			if err != nil {
				return err
			}
			l := s.locale()
			fmt.Fprintf(a.stderr, say(l, "journal %s : %d écritures, %d lignes\n", "journal %s: %d entries, %d lines\n"), period, len(entries), len(lines))
			for _, t := range provision.Balance(lines) {
				fmt.Fprintf(a.stderr, say(l, "  %s : débit %s, crédit %s\n", "  %s: debit %s, credit %s\n"), t.Currency,
					fmtAmount(t.Debit, t.Currency, l), fmtAmount(t.Credit, t.Currency, l))
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&period, "period", "", "the month, YYYY-MM")
	cmd.Flags().StringVar(&format, "format", "csv", "csv or fec")
	cmd.Flags().StringVarP(&output, "output", "o", "", "write to FILE instead of standard output")
	_ = cmd.MarkFlagRequired("period")
	return cmd
}

// booksCurrency keeps the entries in the books' currency, warning about
// the others: a FEC is in one currency and relance knows no exchange rate.
func (a *app) booksCurrency(entries []provision.Entry, currency string) []provision.Entry {
	var out []provision.Entry
	for _, e := range entries {
		if e.Currency == currency {
			out = append(out, e)
			continue
		}
		fmt.Fprintf(a.stderr, "warning: %s %s %s on %s (%s) left out of the FEC: not in %s\n", e.Kind, e.Invoice,
			money.FormatPlain(e.Amount), e.Day.Format(time.DateOnly), e.Currency, currency)
	}
	return out
}

// writeOutput runs write on standard output, or on the file path when one
// is given; a failed write leaves no half-written file behind.
func writeOutput(stdout io.Writer, path string, write func(io.Writer) error) error {
	if path == "" {
		bw := bufio.NewWriter(stdout)
		if err := write(bw); err != nil {
			return err
		}
		return bw.Flush()
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	bw := bufio.NewWriter(f)
	err = write(bw)
	if err == nil {
		err = bw.Flush()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
	}
	return err
}
