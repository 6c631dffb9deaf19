package main

import "github.com/spf13/cobra"

func newPreviewCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "preview",
		Short: "Dry run: list what would be sent on a date, and to whom",
		Args:  cobra.NoArgs,
		RunE:  func(*cobra.Command, []string) error { return errNotImplemented },
	}
}
