package main

import "github.com/spf13/cobra"

// The commands below are filled in by later issues; until then each explains
// itself in --help and returns errNotImplemented.

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
