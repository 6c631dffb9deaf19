package main

import (
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	"github.com/relance/relance/internal/config"
	"github.com/relance/relance/internal/money"
	"github.com/relance/relance/internal/penalty"
)

func newRatesCmd(a *app) *cobra.Command {
	var asOf string
	cmd := &cobra.Command{
		Use:   "rates",
		Short: "Print the reference rates in force, their sources, and the late-payment rate of each rule set",
		Long: `rates prints, for the day of --as-of (today by default), the reference rate
tables relance prices late-payment interest with (rates.yaml, or the tables of
penalties.rates_file): the step in force of each table, since when, how far
the table is known, and its source. Then, for the half-year of that day, the
statutory rate of each rule set (FR, EU, DE, UK) and how it is made, the
rule sets in use marked with * (the one penalties.rule_set names, or all four
when it is empty and each client's country picks), and the floor of a
contractual rate under French law (3 × the legal interest rate).

A half-year whose reference rate a table does not hold yet is listed under
the tables: its interest would be priced at the last known rate, carried
forward. Add the missing step to the rates file (relance serve and relance
plan check warn about it too). Words and numbers follow the configured locale.

Examples:
  relance rates
  relance rates --as-of 2026-03-15`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := a.config()
			if err != nil {
				return err
			}
			day, err := a.asOf(asOf, cfg)
			if err != nil {
				return fmt.Errorf("--as-of: %w", err)
			}
			rates, err := penalty.LoadRates(cfg.Penalties.RatesFile)
			if err != nil {
				return err
			}
			return writeRates(a.stdout, rates, cfg, day)
		},
	}
	cmd.Flags().StringVar(&asOf, "as-of", "", "day whose rates are shown, YYYY-MM-DD (default: today in the configured time zone)")
	return cmd
}

// ratesWords are the words of `relance rates`, per locale.
type ratesWords struct {
	title, tables, since, known, source, none      string
	statutory, points, fixed, floor, sep, contract string
	inUse, byCountry, flagMissing, missing         string
	missingHelp                                    string
	names, short                                   map[string]string
	date                                           func(time.Time) string
}

var ratesLocales = map[string]ratesWords{
	"fr": {
		title:  "Taux en vigueur le %s (semestre du %s au %s)",
		tables: "Taux de référence", since: "depuis le %s", known: "table connue jusqu'au %s",
		source: "source : %s", none: "aucun taux connu à cette date",
		statutory: "Taux des pénalités de retard du semestre", points: "%s au %s (%s) + %d points",
		fixed: ", fixé pour la vie des créances dont les intérêts courent à partir de ce semestre",
		floor: "plancher d'un taux contractuel : %s (3 × %s)", sep: " ; ", contract: "Taux contractuel configuré : %s",
		inUse:       "* règles en usage (penalties.rule_set)",
		byCountry:   "* règles en usage : celles du pays de chaque client (penalties.rule_set vide : FR → FR, DE → DE, GB → UK, autres → EU)",
		flagMissing: " – TAUX MANQUANT",
		missing:     "Manquant : la table %s n'a pas de taux pour le semestre du %s (il faut le taux en vigueur le %s ; table connue jusqu'au %s, dont le taux est reporté).",
		missingHelp: "Ajoutez chaque taux manquant dans rates.yaml ou dans le fichier de penalties.rates_file.",
		names: map[string]string{
			penalty.ECBMainRefinancing: "Taux des opérations principales de refinancement de la BCE",
			penalty.FRLegal:            "Taux de l'intérêt légal, autres cas",
			penalty.DEBase:             "Taux de base allemand, Basiszinssatz",
			penalty.UKBankRate:         "Taux directeur de la Banque d'Angleterre, Bank Rate",
		},
		short: map[string]string{
			penalty.ECBMainRefinancing: "taux BCE", penalty.FRLegal: "taux de l'intérêt légal",
			penalty.DEBase: "Basiszinssatz", penalty.UKBankRate: "Bank Rate",
		},
		date: func(t time.Time) string { return t.Format("02/01/2006") },
	},
	"en": {
		title:  "Rates in force on %s (half-year %s to %s)",
		tables: "Reference rates", since: "since %s", known: "table known up to %s",
		source: "source: %s", none: "no rate known on that day",
		statutory: "Late-payment interest rates of the half-year", points: "%s on %s (%s) + %d points",
		fixed: ", fixed for the life of debts whose interest starts this half-year",
		floor: "floor of a contractual rate: %s (3 × %s)", sep: "; ", contract: "Configured contractual rate: %s",
		inUse:       "* rules in use (penalties.rule_set)",
		byCountry:   "* rules in use: each client's country's (penalties.rule_set empty: FR → FR, DE → DE, GB → UK, others → EU)",
		flagMissing: " – RATE MISSING",
		missing:     "Missing: table %s has no rate for the half-year from %s (it needs the rate in force on %s; the table is known up to %s, whose rate is carried forward).",
		missingHelp: "Add each missing rate to rates.yaml or to the file of penalties.rates_file.",
		names: map[string]string{
			penalty.ECBMainRefinancing: "ECB main refinancing operations rate",
			penalty.FRLegal:            "French legal interest rate, professional creditors",
			penalty.DEBase:             "German base rate (Basiszinssatz)",
			penalty.UKBankRate:         "Bank of England Bank Rate",
		},
		short: map[string]string{
			penalty.ECBMainRefinancing: "ECB rate", penalty.FRLegal: "legal interest rate",
			penalty.DEBase: "base rate", penalty.UKBankRate: "Bank Rate",
		},
		date: func(t time.Time) string { return t.Format(time.DateOnly) },
	},
}

// writeRates prints the tables in force on day and the statutory rate of
// each rule set for day's half-year, in cfg's locale.
func writeRates(w io.Writer, rates *penalty.Rates, cfg config.Config, day time.Time) error {
	words, ok := ratesLocales[cfg.Locale]
	if !ok {
		words = ratesLocales["en"]
	}
	pct := func(bp int) string { return money.FormatRate(bp, cfg.Locale) }
	first, last := penalty.HalfYear(day)
	fmt.Fprintf(w, words.title+"\n\n", words.date(day), words.date(first), words.date(last))

	fmt.Fprintln(w, words.tables)
	for _, name := range penalty.Tables() {
		fmt.Fprintf(w, "  %s (%s)\n", words.names[name], name)
		e, err := rates.Entry(name, day)
		if err != nil {
			fmt.Fprintf(w, "    %s\n", words.none)
			continue
		}
		line := pct(e.RateBP) + " " + fmt.Sprintf(words.since, words.date(e.From)) + ", " +
			fmt.Sprintf(words.known, words.date(rates.KnownThrough(name)))
		fmt.Fprintf(w, "    %s\n", line)
		if e.Source != "" {
			fmt.Fprintf(w, "    %s\n", fmt.Sprintf(words.source, e.Source))
		}
	}

	fmt.Fprintf(w, "\n%s\n", words.statutory)
	var gaps []penalty.Gap
	seen := map[string]bool{}
	for _, rules := range []penalty.RuleSet{penalty.FR, penalty.EU, penalty.DE, penalty.UK} {
		calc, err := penalty.New(string(rules), rates, "")
		if err != nil {
			return err
		}
		mark := " "
		if cfg.Penalties.RuleSet == "" || string(rules) == cfg.Penalties.RuleSet {
			mark = "*"
		}
		b, err := calc.Basis(day)
		if err != nil {
			fmt.Fprintf(w, "%s %s  %s\n", mark, rules, words.none)
			continue
		}
		line := fmt.Sprintf("%s %s  %7s  "+words.points, mark, rules, pct(b.RateBP),
			words.short[b.Table], words.date(b.Day), pct(b.RefBP), b.MarginBP/100)
		if rules == penalty.UK {
			line += words.fixed
		}
		if floor, err := calc.Floor(day); rules == penalty.FR && err == nil {
			line += words.sep + fmt.Sprintf(words.floor, pct(floor), pct(floor/3))
		}
		if g := calc.Gaps(day); len(g) > 0 {
			line += words.flagMissing
			for _, gap := range g {
				if key := gap.Table + gap.Needed.String(); !seen[key] {
					seen[key] = true
					gaps = append(gaps, gap)
				}
			}
		}
		fmt.Fprintln(w, line)
	}
	if cfg.Penalties.RuleSet == "" {
		fmt.Fprintln(w, words.byCountry)
	} else {
		fmt.Fprintln(w, words.inUse)
	}
	if cfg.Penalties.ContractualRate != "" {
		// Validate has checked it parses.
		bp, _ := config.ParsePercent(cfg.Penalties.ContractualRate)
		fmt.Fprintf(w, words.contract+"\n", pct(bp))
	}
	if len(gaps) > 0 {
		fmt.Fprintln(w)
		for _, g := range gaps {
			fmt.Fprintf(w, words.missing+"\n", g.Table, words.date(g.HalfYear), words.date(g.Needed), words.date(g.Known))
		}
		fmt.Fprintln(w, words.missingHelp)
	}
	return nil
}
