package main

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/relance/relance/internal/config"
	"github.com/relance/relance/internal/database"
)

func newMigrateCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "migrate",
		Short: "Create or upgrade the database schema (relance's and River's)",
		Long: `migrate applies every pending migration: relance's own tables (clients,
invoices, payments, the reminder ledger…) and River's job tables. It is safe to
run at every deployment and from several replicas at once. ` + "`relance serve`" + ` refuses
to start until it has run.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := a.config()
			if err != nil {
				return err
			}
			return a.migrate(cmd.Context(), cfg)
		},
	}
}

// migrate applies the pending migrations and says which.
func (a *app) migrate(ctx context.Context, cfg config.Config) error {
	pool, err := a.openDB(ctx, cfg)
	if err != nil {
		return err
	}
	defer pool.Close()
	res, err := database.Migrate(ctx, pool)
	if err != nil {
		return err
	}
	if len(res.Relance) == 0 && len(res.River) == 0 {
		fmt.Fprintln(a.stdout, "schema already up to date")
		return nil
	}
	fmt.Fprintf(a.stdout, "applied relance migrations %v and River migrations %v\n", res.Relance, res.River)
	return nil
}
