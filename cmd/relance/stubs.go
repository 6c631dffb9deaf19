package main

import "github.com/spf13/cobra"

// The commands below are filled in by later issues; until then each explains
// itself in --help and returns errNotImplemented.

func newImportCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "import",
		Short: "Import invoices or payments from CSV, XLSX or FEC",
	}
	cmd.AddCommand(
		&cobra.Command{
			Use:   "invoices FILE",
			Short: "Import open invoices and credit notes (CSV, XLSX or FEC)",
			Args:  cobra.ExactArgs(1),
			RunE:  func(*cobra.Command, []string) error { return errNotImplemented },
		},
		&cobra.Command{
			Use:   "payments FILE",
			Short: "Import dated payments (CSV or XLSX)",
			Args:  cobra.ExactArgs(1),
			RunE:  func(*cobra.Command, []string) error { return errNotImplemented },
		},
	)
	return cmd
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
