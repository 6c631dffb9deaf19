package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/relance/relance/internal/database"
	"github.com/relance/relance/internal/pgcluster"
)

func newDemoCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Run relance locally on a private PostgreSQL and a generated French portfolio",
		Long: `demo is self-contained: unless DATABASE_URL is set it starts a private
PostgreSQL cluster in a temporary directory (initdb + pg_ctl, removed at the
end), migrates it and shows what relance does with it.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			cfg, err := a.config()
			if err != nil {
				return err
			}
			if cfg.Database.URL == "" {
				fmt.Fprintln(a.stdout, "starting a private PostgreSQL cluster…")
				cluster, err := pgcluster.Start(ctx, pgcluster.Options{})
				if err != nil {
					return err
				}
				defer cluster.Stop()
				cfg.Database.URL = cluster.URL("postgres")
			}
			pool, err := a.openDB(ctx, cfg)
			if err != nil {
				return err
			}
			defer pool.Close()
			res, err := database.Migrate(ctx, pool)
			if err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "migrated: relance %v, River %v\n", res.Relance, res.River)
			rows, err := pool.Query(ctx, `SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1`)
			if err != nil {
				return err
			}
			var tables []string
			for rows.Next() {
				var t string
				if err := rows.Scan(&t); err != nil {
					return err
				}
				tables = append(tables, t)
			}
			if err := rows.Err(); err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "tables: %s\n", strings.Join(tables, ", "))
			return nil
		},
	}
	cmd.AddCommand(newDemoGenerateCmd(a))
	return cmd
}
