package main

import "github.com/spf13/cobra"

// The commands below are filled in by later issues; until then each explains
// itself in --help and returns errNotImplemented.

func newAgingCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "aging",
		Short: "Print the aged balance (balance âgée)",
		Args:  cobra.NoArgs,
		RunE:  func(*cobra.Command, []string) error { return errNotImplemented },
	}
}

func newKPICmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "kpi",
		Short: "Print collection KPIs: DSO, DMP, late rate, CEI, recovery by cohort",
		Args:  cobra.NoArgs,
		RunE:  func(*cobra.Command, []string) error { return errNotImplemented },
	}
}

func newPlanCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{Use: "plan", Short: "Work with reminder plans"}
	cmd.AddCommand(&cobra.Command{
		Use:   "check [FILE...]",
		Short: "Validate plan files and templates; print each error with file:line:column",
		RunE:  func(*cobra.Command, []string) error { return errNotImplemented },
	})
	return cmd
}

func newPreviewCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "preview",
		Short: "Dry run: list what would be sent on a date, and to whom",
		Args:  cobra.NoArgs,
		RunE:  func(*cobra.Command, []string) error { return errNotImplemented },
	}
}

func newSweepCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "sweep",
		Short: "Run one evaluation of every invoice now (optionally --drain the jobs)",
		Args:  cobra.NoArgs,
		RunE:  func(*cobra.Command, []string) error { return errNotImplemented },
	}
}

func newServeCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "serve",
		Short: "Run the daemon: scheduler, workers, dashboard, API and River UI",
		Args:  cobra.NoArgs,
		RunE:  func(*cobra.Command, []string) error { return errNotImplemented },
	}
}
