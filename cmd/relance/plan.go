package main

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/relance/relance/internal/clock"
	"github.com/relance/relance/internal/config"
	"github.com/relance/relance/internal/money"
	"github.com/relance/relance/internal/penalty"
	"github.com/relance/relance/plans"
	"github.com/relance/relance/templates"
)

// planLocales are the locales every message template must exist in.
var planLocales = []string{"fr", "en"}

// templateChecker loads the configured templates (cfg.Templates.Dir over the
// embedded ones) that every plan step is checked against; a template that
// does not parse is reported here, with its file:line.
func templateChecker(cfg config.Config) (plans.TemplateChecker, error) {
	set, err := templates.Load(cfg.Templates.Dir)
	if err != nil {
		return nil, err
	}
	return set, nil
}

// loadPlans loads the configured plan files, or the embedded default plans.
func loadPlans(cfg config.Config) (*plans.Set, error) {
	if len(cfg.Plans.Files) > 0 {
		return plans.LoadFiles(cfg.Plans.Files)
	}
	return plans.Default()
}

func newPlanCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "plan",
		Short: "Work with reminder plans",
		Long:  "Work with reminder plans (YAML files of profiles and steps; see plans/default.yaml).",
	}
	cmd.AddCommand(&cobra.Command{
		Use:   "check [FILE...]",
		Short: "Validate plan files and templates; print each error with file:line:column",
		Long: `Validate reminder plan files: the YAML itself (unknown keys, bad offsets,
steps out of order, duplicate ids, unknown channels, actions or profiles…)
and that every message step's template exists in every locale (fr, en).
It also checks the penalty settings the level 3+ messages state: a
penalties.contractual_rate below the statutory floor (3 × the French legal
interest rate) of any half-year up to today is an error naming that floor.

Without FILE it checks the files listed under plans.files in the
configuration, or the embedded default plans. Every error of the first bad
file is printed as file:line:column: message, and the exit status is 2.

Examples:
  relance plan check
  relance plan check plans/custom.yaml plans/export.yaml`,
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := a.config()
			if err != nil {
				return err
			}
			set, files, err := a.checkedPlans(cfg, args)
			if err != nil {
				return err
			}
			// The penalties the level 3+ messages state: a contractual rate
			// under the statutory floor would fail every one of them.
			rules, err := a.penaltyRules(cfg)
			if err != nil {
				fmt.Fprintln(a.stderr, err)
				return exitError{code: 2, err: errors.New("penalties: 1 error")}
			}
			warnRateGaps(a, cfg, rules)
			for _, p := range set.Profiles {
				fmt.Fprintf(a.stdout, "%s: %d steps (%d on the ladder), min_gap %dd, min_amount %s, calendar %s\n",
					p.Name, len(p.Steps), len(p.LadderSteps()), p.MinGap, money.FormatPlain(p.MinAmount), p.Calendar)
			}
			fmt.Fprintf(a.stdout, "ok: %d profile(s) in %d file(s)\n", len(set.Profiles), len(files))
			return nil
		},
	})
	cmd.AddCommand(newPlanDiffCmd(a))
	return cmd
}

// checkedPlans loads plan files and checks them and their templates as
// `plan check` does: every error of the first bad file goes to stderr as
// file:line:column, and the error returned exits with status 2. Without
// files it loads the configured ones (plans.files), or the embedded default
// plans; files says which were loaded.
func (a *app) checkedPlans(cfg config.Config, paths []string) (set *plans.Set, files []string, err error) {
	files = paths
	if len(files) == 0 {
		files = cfg.Plans.Files
	}
	if len(files) == 0 {
		set, err = plans.Default()
		files = []string{plans.DefaultFile}
	} else {
		set, err = plans.LoadFiles(files)
	}
	var list plans.ErrorList
	if errors.As(err, &list) {
		// Report the first bad file, every error of it.
		bad := list[0].File
		n := 0
		for _, e := range list {
			if e.File == bad {
				fmt.Fprintln(a.stderr, e)
				n++
			}
		}
		return nil, files, exitError{code: 2, err: fmt.Errorf("%s: %d error(s)", bad, n)}
	}
	if err != nil {
		return nil, files, err
	}
	tc, err := templateChecker(cfg)
	if err != nil {
		return nil, files, exitError{code: 2, err: err}
	}
	if errs := set.CheckTemplates(tc, planLocales); len(errs) > 0 {
		return nil, files, reportTemplateErrors(a, errs)
	}
	return set, files, nil
}

// warnRateGaps prints a warning for each reference rate the rule sets in
// use lack for today's half-year; the plans are still valid.
func warnRateGaps(a *app, cfg config.Config, rules *penalty.Chooser) {
	for _, gap := range rules.Gaps(clock.Today(a.clock, cfg.Location())) {
		fmt.Fprintln(a.stderr, "warning:", gap)
	}
}

// reportTemplateErrors prints the template errors of the first file that has
// any and returns the exit error.
func reportTemplateErrors(a *app, errs []error) error {
	bad := ""
	n := 0
	for _, err := range errs {
		var e *plans.Error
		if errors.As(err, &e) {
			if bad == "" {
				bad = e.File
			}
			if e.File != bad {
				continue
			}
		}
		fmt.Fprintln(a.stderr, err)
		n++
	}
	return exitError{code: 2, err: fmt.Errorf("%s: %d error(s)", bad, n)}
}
