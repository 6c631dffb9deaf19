package main

import (
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/spf13/cobra"

	"github.com/relance/relance/internal/config"
	"github.com/relance/relance/internal/database"
	"github.com/relance/relance/internal/web"
)

func newTokenCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "token",
		Short: "Create, list and revoke the API's bearer tokens",
		Long: `An API token lets an ERP, a bank feed or a script call the JSON API under
/api/v1 of ` + "`relance serve`" + ` with "Authorization: Bearer <token>". Its role says what
it may do:

  reader   read: the aged balance, a client with its open items and
           timeline, an invoice, the upcoming sends
  writer   reader, and write: clients, invoices and credit notes, payments,
           allocations, disputes, promises, insolvencies, pauses
  admin    everything, River UI's actions included

The token is printed once, at creation: relance keeps only its SHA-256, and
never logs it. Everything a token writes is recorded as api:<its name>.`,
		Example: `  relance token create --name erp --role writer
  relance token list
  relance token revoke erp`,
	}
	cmd.AddCommand(newTokenCreateCmd(a), newTokenListCmd(a), newTokenRevokeCmd(a))
	return cmd
}

func newTokenCreateCmd(a *app) *cobra.Command {
	var name, role string
	cmd := &cobra.Command{
		Use:   "create --name NAME --role reader|writer|admin",
		Short: "Create a token and print it, once",
		Long: `token create makes a token and prints it on standard output, the only time
it is ever shown: keep it in the calling system's secret store. A name in
force is refused (revoke the old token first).`,
		Example: `  relance token create --name erp --role writer
  TOKEN=$(relance token create --name bi --role reader)`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			r, err := web.TokenRole(role)
			if err != nil {
				return fmt.Errorf("--role %q: %w", role, err)
			}
			tokens, closeDB, err := a.openTokens(cmd)
			if err != nil {
				return err
			}
			defer closeDB()
			secret, err := tokens.Create(cmd.Context(), name, r, a.actor())
			if err != nil {
				return err
			}
			fmt.Fprintln(a.stdout, secret)
			return nil
		},
	}
	cmd.Flags().StringVar(&name, "name", "", "the token's name, as the event trail shows it (api:NAME)")
	cmd.Flags().StringVar(&role, "role", "", "reader, writer or admin")
	_ = cmd.MarkFlagRequired("name")
	_ = cmd.MarkFlagRequired("role")
	return cmd
}

func newTokenListCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:     "list",
		Short:   "List the tokens (never their secrets)",
		Example: `  relance token list`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			tokens, closeDB, err := a.openTokens(cmd)
			if err != nil {
				return err
			}
			defer closeDB()
			ts, err := tokens.List(cmd.Context())
			if err != nil {
				return err
			}
			cfg, err := a.config()
			if err != nil {
				return err
			}
			l := cfg.Locale
			w := table(a.stdout)
			fmt.Fprintln(w, say(l, "NOM\tRÔLE\tCRÉÉ LE\tPAR\tDERNIER USAGE\tRÉVOQUÉ LE\tPAR",
				"NAME\tROLE\tCREATED\tBY\tLAST USED\tREVOKED\tBY"))
			for _, t := range ts {
				var revoked time.Time
				if !t.Revoked.IsZero() {
					revoked = t.Revoked.In(cfg.Location())
				}
				fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", t.Name, t.Role, fmtDay(t.Created.In(cfg.Location()), l), t.CreatedBy,
					fmtDay(t.LastUsed, l), fmtDay(revoked, l), t.RevokedBy)
			}
			return w.Flush()
		},
	}
}

func newTokenRevokeCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:     "revoke NAME",
		Short:   "Revoke a token: its next request is refused",
		Example: `  relance token revoke erp`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			tokens, closeDB, err := a.openTokens(cmd)
			if err != nil {
				return err
			}
			defer closeDB()
			if err := tokens.Revoke(cmd.Context(), args[0], a.actor()); err != nil {
				return err
			}
			cfg, _ := a.config()
			fmt.Fprintf(a.stdout, say(cfg.Locale, "jeton %s révoqué\n", "token %s revoked\n"), args[0])
			return nil
		},
	}
}

// openTokens connects to the database, checks the schema, and returns the
// token store with the function that closes the pool.
func (a *app) openTokens(cmd *cobra.Command) (web.Tokens, func(), error) {
	cfg, pool, err := a.openChecked(cmd)
	if err != nil {
		return web.Tokens{}, nil, err
	}
	return a.tokens(cfg, pool), pool.Close, nil
}

// openChecked connects to the database and checks its schema.
func (a *app) openChecked(cmd *cobra.Command) (config.Config, *pgxpool.Pool, error) {
	cfg, err := a.config()
	if err != nil {
		return cfg, nil, err
	}
	pool, err := a.openDB(cmd.Context(), cfg)
	if err != nil {
		return cfg, nil, err
	}
	if err := database.CheckSchema(cmd.Context(), pool); err != nil {
		pool.Close()
		return cfg, nil, err
	}
	return cfg, pool, nil
}
