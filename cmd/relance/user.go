package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/relance/relance/internal/web"
)

func newUserCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "user",
		Short: "Add, list and disable the dashboard's users, and set their passwords",
		Long: `A user logs in to the dashboard of ` + "`relance serve`" + ` (/login) with an email and a
password. Their role says what they may do:

  viewer    read: the aged balance, clients and their timelines, the
            upcoming sends, alerts
  manager   viewer, and the person actions: disputes, promises, pauses,
            insolvency, bounces
  admin     everything, River UI (/jobs/) included

Passwords are kept as argon2id hashes. A password is read from the terminal
(asked twice, not shown) or from the first line of standard input; with
none, one is generated and printed once. Everything a user does in the
dashboard is recorded as web:<email>; who added, changed or disabled a user
is kept on the user (relance user list).`,
		Example: `  relance user add marie@example.fr --role manager
  echo 'a long passphrase' | relance user add paul@example.fr --role viewer
  relance user add ops@example.fr --role admin </dev/null   # generated, printed once
  relance user list
  relance user password marie@example.fr
  relance user disable paul@example.fr`,
	}
	cmd.AddCommand(newUserAddCmd(a), newUserListCmd(a), newUserDisableCmd(a), newUserPasswordCmd(a))
	return cmd
}

func newUserAddCmd(a *app) *cobra.Command {
	var role string
	cmd := &cobra.Command{
		Use:   "add EMAIL --role admin|manager|viewer",
		Short: "Add a user, with a password read or generated",
		Long: `user add makes a user. The password is read from the terminal or standard
input; with none (standard input empty), a random one is generated and printed
on standard output, the only time it is ever shown.`,
		Example: `  relance user add marie@example.fr --role manager
  relance user add ops@example.fr --role admin </dev/null`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			r, err := web.UserRole(role)
			if err != nil {
				return fmt.Errorf("--role %q: %w", role, err)
			}
			users, closeDB, err := a.openUsers(cmd)
			if err != nil {
				return err
			}
			defer closeDB()
			password, generated, err := a.readPassword()
			if err != nil {
				return err
			}
			if err := users.Add(cmd.Context(), args[0], r, password, a.actor()); err != nil {
				return err
			}
			cfg, _ := a.config()
			fmt.Fprintf(a.stderr, say(cfg.Locale, "utilisateur %s ajouté (%s)\n", "user %s added (%s)\n"), web.NormalizeEmail(args[0]), r)
			if generated {
				fmt.Fprintln(a.stdout, password)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&role, "role", "", "admin, manager or viewer")
	_ = cmd.MarkFlagRequired("role")
	return cmd
}

func newUserListCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:     "list",
		Short:   "List the users (never their passwords)",
		Example: `  relance user list`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			users, closeDB, err := a.openUsers(cmd)
			if err != nil {
				return err
			}
			defer closeDB()
			us, err := users.List(cmd.Context())
			if err != nil {
				return err
			}
			cfg, _ := a.config()
			l, loc := cfg.Locale, cfg.Location()
			w := table(a.stdout)
			fmt.Fprintln(w, say(l, "E-MAIL\tRÔLE\tCRÉÉ LE\tPAR\tMOT DE PASSE LE\tPAR\tDERNIÈRE CONNEXION\tDÉSACTIVÉ LE\tPAR",
				"EMAIL\tROLE\tCREATED\tBY\tPASSWORD SET\tBY\tLAST LOGIN\tDISABLED\tBY"))
			for _, u := range us {
				fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", u.Email, u.Role, fmtDay(u.Created.In(loc), l), u.CreatedBy,
					fmtDay(u.PasswordChanged.In(loc), l), u.PasswordChangedBy, fmtDay(inLoc(u.LastLogin, cfg.Location()), l),
					fmtDay(inLoc(u.Disabled, cfg.Location()), l), u.DisabledBy)
			}
			return w.Flush()
		},
	}
}

func newUserDisableCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "disable EMAIL",
		Short: "Disable a user: they can no longer log in, and their sessions end",
		Long: `user disable stops a user from logging in and ends their open sessions at
once. The user stays, so that the event trail's web:<email> still says who
acted.`,
		Example: `  relance user disable paul@example.fr`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			users, closeDB, err := a.openUsers(cmd)
			if err != nil {
				return err
			}
			defer closeDB()
			if err := users.Disable(cmd.Context(), args[0], a.actor()); err != nil {
				return err
			}
			cfg, _ := a.config()
			fmt.Fprintf(a.stdout, say(cfg.Locale, "utilisateur %s désactivé\n", "user %s disabled\n"), web.NormalizeEmail(args[0]))
			return nil
		},
	}
}

func newUserPasswordCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "password EMAIL",
		Short: "Set a user's password (read, or generated and printed once); their sessions end",
		Example: `  relance user password marie@example.fr
  relance user password marie@example.fr </dev/null   # generated, printed once`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			users, closeDB, err := a.openUsers(cmd)
			if err != nil {
				return err
			}
			defer closeDB()
			password, generated, err := a.readPassword()
			if err != nil {
				return err
			}
			if err := users.SetPassword(cmd.Context(), args[0], password, a.actor()); err != nil {
				return err
			}
			cfg, _ := a.config()
			fmt.Fprintf(a.stderr, say(cfg.Locale, "mot de passe de %s changé\n", "password of %s set\n"), web.NormalizeEmail(args[0]))
			if generated {
				fmt.Fprintln(a.stdout, password)
			}
			return nil
		},
	}
}

// readPassword asks the terminal twice, without echo, or reads the first
// line of standard input; with nothing there, it generates one.
func (a *app) readPassword() (password string, generated bool, err error) {
	if f, ok := a.stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		fmt.Fprint(a.stderr, "password (empty: generate one): ")
		p1, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(a.stderr)
		if err != nil {
			return "", false, fmt.Errorf("read the password: %w", err)
		}
		if len(p1) == 0 {
			return web.GeneratePassword(), true, nil
		}
		fmt.Fprint(a.stderr, "again: ")
		p2, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(a.stderr)
		if err != nil {
			return "", false, fmt.Errorf("read the password: %w", err)
		}
		if string(p1) != string(p2) {
			return "", false, errors.New("the two passwords differ")
		}
		return string(p1), false, nil
	}
	if a.stdin == nil {
		return web.GeneratePassword(), true, nil
	}
	line, err := bufio.NewReader(io.LimitReader(a.stdin, 4096)).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", false, fmt.Errorf("read the password from standard input: %w", err)
	}
	if line = strings.TrimRight(line, "\r\n"); line == "" {
		return web.GeneratePassword(), true, nil
	}
	return line, false, nil
}

// inLoc is t in loc, the zero time staying zero.
func inLoc(t time.Time, loc *time.Location) time.Time {
	if t.IsZero() {
		return t
	}
	return t.In(loc)
}

// openUsers connects to the database, checks the schema, and returns the
// user store with the function that closes the pool.
func (a *app) openUsers(cmd *cobra.Command) (web.Users, func(), error) {
	_, pool, err := a.openChecked(cmd)
	if err != nil {
		return web.Users{}, nil, err
	}
	return web.Users{DB: pool, Clock: a.clock}, pool.Close, nil
}
