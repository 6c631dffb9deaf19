package main

import "github.com/spf13/cobra"

func newKPICmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "kpi",
		Short: "Print collection KPIs: DSO, DMP, late rate, CEI, recovery by cohort",
		Args:  cobra.NoArgs,
		RunE:  func(*cobra.Command, []string) error { return errNotImplemented },
	}
}
