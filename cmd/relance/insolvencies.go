package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/relance/relance/internal/bodacc"
	"github.com/relance/relance/internal/ledger"
)

func newImportInsolvenciesCmd(a *app) *cobra.Command {
	var dryRun bool
	r := recording{}
	cmd := &cobra.Command{
		Use:   "insolvencies FILE",
		Short: "Flag the clients the BODACC names in a collective procedure (CSV or JSON export)",
		Long: `import insolvencies reads the BODACC's open-data export of "annonces
commerciales" as downloaded — CSV (';'-separated, with the field names as its
header) or JSON (an array of records, or the API's results) — and keeps the
notices of collective procedures (familleavis "collective"). A judgment that
opens or converts to a sauvegarde, a redressement or a liquidation judiciaire
is matched to the clients by SIREN (registre; a client's SIREN or SIRET), and
the client's proceeding is recorded, by import:bodacc: its kind, its opening
(the judgment's date) and its publication (dateparution). Dunning and late
penalties freeze at the opening; the claim must be declared within two
months of the publication. Each client flagged raises an alert.

A proceeding already recorded keeps its opening: a later conversion changes
only its kind, and a publication fills in one that was unknown. Importing the
same file again changes nothing. A notice that cannot be read is listed as
FILE:LINE: field: reason and skipped; the others are used.

Examples:
  relance import insolvencies annonces-commerciales.csv
  relance import insolvencies export.json --entity acme --dry-run`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			path := args[0]
			f, err := os.Open(path)
			if err != nil {
				return err
			}
			parsed, err := bodacc.Parse(f)
			f.Close()
			if err != nil {
				return fmt.Errorf("%s: %w", path, err)
			}
			for _, p := range parsed.Problems {
				fmt.Fprintf(a.stderr, "warning: %s:%s\n", path, p.Error())
			}
			s, err := a.openLedger(ctx, r)
			if err != nil {
				return err
			}
			defer s.close()
			tx, err := s.pool.Begin(ctx)
			if err != nil {
				return err
			}
			defer tx.Rollback(ctx) //nolint:errcheck // a no-op after Commit
			store := ledger.New(tx, ledger.Options{Entity: s.store.EntityCode()})
			out, err := bodacc.Apply(ctx, store, parsed.Notices, ledger.Act{Actor: bodacc.Actor, Day: s.day})
			if err != nil {
				return err
			}
			printInsolvencies(a.stdout, filepath.Base(path), parsed, out, s.locale(), dryRun)
			if dryRun {
				return nil
			}
			if err := tx.Commit(ctx); err != nil {
				return err
			}
			// The alerts now, rather than at the daemon's next look.
			scan, err := a.scanner(s.cfg, s.pool)
			if err != nil {
				return err
			}
			if _, err := scan.Scan(ctx); err != nil {
				return errors.Join(errors.New("the proceedings are recorded, but looking for alerts failed (relance serve will)"), err)
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&dryRun, "dry-run", false, "say what would be recorded, writing nothing")
	r.registerEntity(cmd)
	r.registerAsOf(cmd)
	return cmd
}

func printInsolvencies(w io.Writer, name string, p bodacc.Result, out bodacc.Outcome, locale string, dryRun bool) {
	collective := len(p.Notices)
	fmt.Fprintf(w, say(locale, "%s : %d annonces, %d de procédures collectives, %d jugements d'ouverture ; %d clients concernés\n",
		"%s: %d notices, %d of collective procedures, %d opening judgments; %d clients named\n"),
		name, p.Records, collective, out.Openings, out.Matched)
	date := func(t interface{ Format(string) string }) string {
		if locale == "fr" {
			return t.Format("02/01/2006")
		}
		return t.Format("2006-01-02")
	}
	words := map[string][2]string{"recorded": {"enregistrée", "recorded"}, "converted": {"convertie", "converted"},
		"published": {"publication ajoutée", "publication added"}}
	for _, c := range out.Changes {
		what := words[c.What][1]
		if locale == "fr" {
			what = words[c.What][0]
		}
		fmt.Fprintf(w, "  %s %s (%s) : %s, %s %s", c.Client, c.Debtor, ledger.FormatSIREN(c.SIREN), c.After.Kind,
			say(locale, "ouverte le", "opened on"), date(c.After.Opened))
		if !c.After.Published.IsZero() {
			fmt.Fprintf(w, say(locale, ", publiée le %s, créance à déclarer avant le %s", ", published on %s, claim to declare by %s"),
				date(c.After.Published), date(c.ClaimDeadline()))
		}
		fmt.Fprintf(w, " [%s]\n", what)
	}
	if out.Unchanged > 0 {
		fmt.Fprintf(w, say(locale, "  %d déjà enregistrés comme le dit le fichier\n", "  %d already recorded as the file says\n"), out.Unchanged)
	}
	if dryRun {
		fmt.Fprintln(w, say(locale, "essai : rien n'est enregistré", "dry run: nothing recorded"))
	}
}
