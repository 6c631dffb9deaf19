package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/relance/relance/internal/importer"
	"github.com/relance/relance/internal/money"
)

func newImportCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "import",
		Short: "Import invoices or payments from CSV, XLSX or FEC; insolvencies from the BODACC",
		Long: `import loads the ledger from the files ERPs and accountants export.

Either the whole file goes in, or nothing does and every bad row is listed as
file:line: column: reason, with the words "relance client set" uses for the
same value. Importing the same file twice changes nothing. Each import is
recorded as one event, by cli:<OS user>, dated --as-of, with the as-of of its
data (--data-as-of, when the file was exported; now by default): while an
entity's payment data is older than sweep.max_data_age, its sends wait.`,
	}
	cmd.AddCommand(newImportInvoicesCmd(a), newImportPaymentsCmd(a), newImportInsolvenciesCmd(a))
	return cmd
}

type importFlags struct {
	entity   string
	snapshot bool
	force    bool
	dryRun   bool
	asOf     string
	dataAsOf string
}

func (f *importFlags) register(cmd *cobra.Command, snapshot bool) {
	cmd.Flags().StringVar(&f.entity, "entity", "", "code of the entity the file belongs to (default: the configured entity)")
	cmd.Flags().BoolVar(&f.dryRun, "dry-run", false, "validate and print what would change, writing nothing")
	cmd.Flags().StringVar(&f.asOf, "as-of", "", "import date YYYY-MM-DD that dates settlements and closures (default: today)")
	cmd.Flags().StringVar(&f.dataAsOf, "data-as-of", "", "`TIME` the file's data was exported: \"YYYY-MM-DD HH:MM\" in the configured time zone, or RFC 3339 (default: now); sends wait while payment data is older than sweep.max_data_age")
	if snapshot {
		cmd.Flags().BoolVar(&f.snapshot, "snapshot", false, "the file lists every open item: close open invoices missing from it as settled")
		cmd.Flags().BoolVar(&f.force, "force", false, "with --snapshot: close even when the file has no rows or would close more than import.snapshot_max_close of the open items")
	}
}

func newImportInvoicesCmd(a *app) *cobra.Command {
	var f importFlags
	cmd := &cobra.Command{
		Use:   "invoices FILE",
		Short: "Import open invoices and credit notes (CSV, XLSX or FEC)",
		Long: `import invoices upserts invoices and credit notes by (entity, number), and
creates or updates their clients.

Formats, detected from the content:
  CSV   separator ',' ';' or tab; UTF-8 (with or without BOM) or Windows-1252;
        amounts "1 234,56" or "1,234.56"; dates dd/mm/yyyy, dd/mm/yy or yyyy-mm-dd
  XLSX  the first sheet, with real Excel dates and numbers
  FEC   the French legal ledger export (tab or '|'): the unlettered lines of
        the customer accounts 411/416 become the open items, checked against
        each customer's balance

Columns (case, accents, spaces, '-' and '_' do not matter; French aliases):
  invoice_number (numero_facture, n° facture, facture)   required
  client_id (code_client, compte) / client_name (client, nom_client, raison_sociale)   one required
  issue_date (date_emission, date_facture, date)         required
  amount (montant, montant_ttc)                          required, incl. VAT
  due_date (date_echeance, echeance)   payment_terms (delai_paiement, conditions_paiement)
  amount_excl_vat (montant_ht)   paid (montant_regle, regle, deja_regle)
  currency (devise)   kind (type: facture/invoice, avoir/credit_note)
  applies_to (facture_origine)
The client's details (an empty cell or a missing column never erases what
relance has):
  email (emails, courriel, mail)       one or more, separated by ';' or ','
  cc (email_copie, copie)              addresses copied on every message
  country (pays)                       FR, DE, GB… or the country's name
  address_line1 (adresse, adresse1)    address_line2 (adresse2, complement_adresse)
  postcode (code_postal, cp)           city (ville)
  contact_name (contact, nom_contact)  phone (telephone, tel)
  siren   siret                        a SIRET alone gives the SIREN
  vat_number (tva, numero_tva, tva_intracom)
  credit_limit (encours_max, plafond)  segment   profile (profil)   locale (langue)
Without a due date, the due date comes from the payment terms, else from the
configured default terms; a due date before the issue date is kept, with a
warning. A negative amount is a credit note. Control characters are removed
from every cell; a cell is at most 10,000 characters.

--snapshot refuses a file with no rows, or one that would close more than
import.snapshot_max_close (50%) of the open items, unless --force.

Examples:
  relance import invoices balance.csv
  relance import invoices export.xlsx --snapshot --as-of 2025-09-30
  relance import invoices FEC.txt --dry-run`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.runImport(cmd.Context(), args[0], f, importer.ImportInvoices)
		},
	}
	f.register(cmd, true)
	return cmd
}

func newImportPaymentsCmd(a *app) *cobra.Command {
	var f importFlags
	cmd := &cobra.Command{
		Use:   "payments FILE",
		Short: "Import dated payments (CSV or XLSX)",
		Long: `import payments records dated payments and allocates each to its invoice,
up to what the invoice still owes; the rest stays on the payment as an
unapplied credit of the client. The same payment (invoice, date, amount,
reference) is never recorded twice.

Columns: invoice_number (numero_facture, facture), date (date_paiement,
date_reglement), amount (montant), optional reference (ref, libelle) and
client_id (code_client; needed for a payment of an unknown invoice).

Examples:
  relance import payments reglements.csv
  relance import payments bank.xlsx --dry-run`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.runImport(cmd.Context(), args[0], f, importer.ImportPayments)
		},
	}
	f.register(cmd, false)
	return cmd
}

type importFunc func(context.Context, importer.DB, string, importer.Options) (importer.Result, error)

func (a *app) runImport(ctx context.Context, path string, f importFlags, run importFunc) error {
	cfg, err := a.config()
	if err != nil {
		return err
	}
	asOf, err := a.asOf(f.asOf, cfg)
	if err != nil {
		return err
	}
	dataAsOf := a.clock.Now()
	if f.dataAsOf != "" {
		if dataAsOf, err = parseInstant(f.dataAsOf, cfg.Location()); err != nil {
			return fmt.Errorf("--data-as-of: %w", err)
		}
	}
	opt := importer.Options{
		Entity:           f.entity,
		Actor:            a.actor(),
		Snapshot:         f.snapshot,
		Force:            f.force,
		DryRun:           f.dryRun,
		SnapshotMaxClose: cfg.SnapshotMaxClose(),
		AsOf:             asOf,
		DataAsOf:         dataAsOf,
		DefaultTerms:     cfg.DefaultTerms(),
		EOM:              cfg.EOMMethod(),
	}
	if opt.Entity == "" {
		opt.Entity = cfg.Entity
	}
	// A progress bar of the bytes read, only for a person watching: the
	// file is parsed while it is loaded, so the bar tracks both; the
	// set-based upsert that follows is one statement.
	if file, ok := a.stderr.(*os.File); ok && term.IsTerminal(int(file.Fd())) {
		var bar *progressbar.ProgressBar
		opt.Progress = func(r io.Reader, size int64) io.Reader {
			bar = progressbar.NewOptions64(size,
				progressbar.OptionSetDescription("reading "+path),
				progressbar.OptionSetWriter(file),
				progressbar.OptionShowBytes(true),
				progressbar.OptionShowTotalBytes(true),
				progressbar.OptionThrottle(100*time.Millisecond),
				progressbar.OptionFullWidth(),
				progressbar.OptionClearOnFinish(),
			)
			pr := progressbar.NewReader(r, bar)
			return &pr
		}
		defer func() {
			if bar != nil {
				_ = bar.Finish()
			}
		}()
	}
	pool, err := a.openDB(ctx, cfg)
	if err != nil {
		return err
	}
	defer pool.Close()
	if err := checkEntity(ctx, pool, opt.Entity); err != nil {
		return err
	}
	res, err := run(ctx, pool, path, opt)
	for _, w := range res.Warnings {
		fmt.Fprintln(a.stderr, "warning:", w)
	}
	var bad *importer.ImportError
	if errors.As(err, &bad) {
		fmt.Fprintln(a.stderr, bad.Error())
		return exitError{code: 1, err: fmt.Errorf("%s: %d error(s), nothing imported", path, bad.Total)}
	}
	if err != nil {
		return err
	}
	verb := "imported"
	if res.DryRun {
		verb = "dry run, nothing written:"
	}
	fmt.Fprintf(a.stdout, "%s %s (%s): %d rows, %d created, %d updated, %d closed\n",
		verb, path, res.Format, res.Rows, res.Created, res.Updated, res.Closed)
	if res.Unallocated != 0 {
		fmt.Fprintf(a.stdout, "unallocated (unapplied credits): %s\n", money.FormatPlain(money.Amount(res.Unallocated)))
	}
	return nil
}

// parseInstant reads an instant as an operator writes it: RFC 3339, or
// "YYYY-MM-DD HH:MM" (a T for the space works too) or a bare date (its
// midnight) in loc.
func parseInstant(s string, loc *time.Location) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	for _, layout := range []string{"2006-01-02 15:04", "2006-01-02T15:04", "2006-01-02 15:04:05", "2006-01-02T15:04:05", time.DateOnly} {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%q: want \"YYYY-MM-DD HH:MM\" or RFC 3339 (2025-09-12T06:00:00+02:00)", s)
}
