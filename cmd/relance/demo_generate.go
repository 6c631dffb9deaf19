package main

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/relance/relance/internal/portfolio"
)

func newDemoGenerateCmd(a *app) *cobra.Command {
	var (
		clients, invoices    int
		seed                 uint64
		out, payments, asOfS string
	)
	cmd := &cobra.Command{
		Use:   "generate",
		Short: "Write a realistic French demo portfolio as the CSV an ERP exports",
		Long: `generate writes a reproducible French B2B receivables portfolio: the open
items at the as-of date, in the CSV French users export from their ERP and
that "relance import invoices" reads (";" separator, decimal comma,
dd/mm/yyyy dates, UTF-8, French headers):

  numero_facture;code_client;raison_sociale;date_facture;date_echeance;
  delai_paiement;montant_ttc;montant_ht;montant_regle;devise;type;
  facture_origine;email;langue;profil

Clients are French companies with a legal form (SAS, SARL, SA, SASU, EURL), a
SIREN with a valid check digit and a real postcode and city, plus about 10%
foreign clients invoiced in English. Each client pays on time, a few days
late, chronically late, or is about to fail; that decides which of the
invoices issued over the last 18 months are still open. Terms are 30 jours,
45 FDM or 60 jours; some invoices are partly paid (montant_regle) and some
credit notes (type avoir, negative, facture_origine) reduce an invoice.

--invoices is the exact number of rows. The same --seed, --clients,
--invoices and --as-of give byte-identical files (without --as-of the date is
today, so pass it whenever the file must be reproducible).

--payments also writes the dated payments behind montant_regle
(numero_facture;date_paiement;montant;reference): for each invoice they add up
to its montant_regle, so they date those amounts and must not be counted on
top of them. Disputes have no column in the import contract; the demo takes
them from the Go API (portfolio.Portfolio.Disputes).

The output streams: a million invoices for 100,000 clients take a few seconds
and little memory.`,
		Example: `  # the example portfolio of examples/
  relance demo generate --clients 40 --invoices 200 --seed 34 --as-of 2025-09-12 \
      --out examples/portefeuille.csv --payments examples/paiements.csv

  # a benchmark-size file on stdout
  relance demo generate --clients 100000 --invoices 1000000 --seed 1 --as-of 2025-09-12 > big.csv`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if clients < 1 {
				return fmt.Errorf("--clients: %d, want at least 1", clients)
			}
			if invoices < 0 {
				return fmt.Errorf("--invoices: %d, want 0 or more", invoices)
			}
			cfg, err := a.config()
			if err != nil {
				return err
			}
			asOf, err := a.asOf(asOfS, cfg)
			if err != nil {
				return fmt.Errorf("--as-of: %w", err)
			}
			p := portfolio.Generate(portfolio.Options{Clients: clients, Invoices: invoices, Seed: seed, AsOf: asOf})
			inv, err := createOutput(out, a.stdout)
			if err != nil {
				return err
			}
			var pay *output
			if payments != "" {
				if pay, err = createOutput(payments, nil); err != nil {
					return errors.Join(err, inv.close(err))
				}
			}
			// One pass writes both files, which halves the time of a big portfolio.
			err = p.WriteCSV(inv.w, pay.writer())
			return errors.Join(err, inv.close(err), pay.close(err))
		},
	}
	f := cmd.Flags()
	f.IntVar(&clients, "clients", 40, "number of clients")
	f.IntVar(&invoices, "invoices", 200, "number of open items (rows), credit notes included")
	f.Uint64Var(&seed, "seed", 1, "random seed: the same seed gives the same file")
	f.StringVar(&out, "out", "", "invoices CSV to write (default: standard output)")
	f.StringVar(&payments, "payments", "", "also write the payments received on the open items to this CSV")
	f.StringVar(&asOfS, "as-of", "", "date the items are open at, YYYY-MM-DD (default: today in the configured time zone)")
	return cmd
}

// output is where a generated file goes: a file being written, or stdout.
type output struct {
	f *os.File // nil for stdout
	w io.Writer
}

// createOutput creates the file at path, or returns stdout when path is empty.
func createOutput(path string, stdout io.Writer) (*output, error) {
	if path == "" {
		return &output{w: stdout}, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	return &output{f: f, w: f}, nil
}

// writer returns the writer of o, or nil when there is no o.
func (o *output) writer() io.Writer {
	if o == nil {
		return nil
	}
	return o.w
}

// close closes the file and removes it when writing failed (failed != nil) or
// closing does, so that no half-written file is left behind.
func (o *output) close(failed error) error {
	if o == nil || o.f == nil {
		return nil
	}
	err := o.f.Close()
	if failed != nil || err != nil {
		os.Remove(o.f.Name())
	}
	return err
}
