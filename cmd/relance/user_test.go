package main

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/relance/relance/internal/clock"
	"github.com/relance/relance/internal/pgtest"
	"github.com/relance/relance/internal/web"
)

// runCLIWithInput is runCLI with stdin.
func runCLIWithInput(t *testing.T, env []string, stdin string, args ...string) (string, string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err := run(context.Background(), args, environment{stdin: strings.NewReader(stdin), stdout: &out, stderr: &errOut, env: env,
		clock: clock.Fixed(time.Date(2025, 9, 12, 10, 0, 0, 0, time.UTC))})
	return out.String(), errOut.String(), err
}

// TestUserCommands: a user added with a password read from standard input
// (not printed) or generated (printed once), listed with who made them,
// their password changed and then disabled, each recorded with the OS user;
// the passwords work as the login checks them, and stop working when
// changed or disabled.
func TestUserCommands(t *testing.T) {
	url := pgtest.URL(t)
	env := []string{"DATABASE_URL=" + url, "USER=claire", "RELANCE_LOCALE=en"}
	out, _, err := runCLIWithInput(t, env, "a long passphrase\n", "user", "add", "Marie@Example.fr", "--role", "manager")
	if err != nil || out != "" {
		t.Fatalf("user add with a password on stdin: %v, printed %q", err, out)
	}
	generated, _, err := runCLIWithInput(t, env, "", "user", "add", "ops@example.fr", "--role", "admin")
	generated = strings.TrimSpace(generated)
	if err != nil || len(generated) < 20 {
		t.Fatalf("user add with a generated password: %v, printed %q", err, generated)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"user", "add", "marie@example.fr", "--role", "viewer"}, "already has this email"},
		{[]string{"user", "add", "x@example.fr", "--role", "writer"}, "want admin, manager or viewer"},
		{[]string{"user", "disable", "nobody@example.fr"}, "no enabled user"},
	} {
		if _, _, err := runCLIWithInput(t, env, "a long passphrase\n", c.args...); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: %v, want %q", c.args, err, c.want)
		}
	}
	if _, _, err := runCLIWithInput(t, env, "short\n", "user", "add", "y@example.fr", "--role", "viewer"); err == nil ||
		!strings.Contains(err.Error(), "too short") {
		t.Errorf("a short password: %v", err)
	}

	sessions := cliSessions(t, url)
	login := func(email, password string) error {
		_, err := sessions.Login(t.Context(), email, password, "127.0.0.1")
		return err
	}
	if login("marie@example.fr", "a long passphrase") != nil || login("ops@example.fr", generated) != nil {
		t.Fatal("the passwords given do not log in")
	}
	if _, _, err := runCLIWithInput(t, env, "another passphrase\n", "user", "password", "marie@example.fr"); err != nil {
		t.Fatal(err)
	}
	if err := login("marie@example.fr", "a long passphrase"); !errors.Is(err, web.ErrBadLogin) || login("marie@example.fr", "another passphrase") != nil {
		t.Errorf("after user password: old %v", err)
	}
	if _, _, err := runCLIWithInput(t, env, "", "user", "disable", "ops@example.fr"); err != nil {
		t.Fatal(err)
	}
	if err := login("ops@example.fr", generated); !errors.Is(err, web.ErrBadLogin) {
		t.Errorf("a disabled user logs in: %v", err)
	}
	list, _, err := runCLIWithInput(t, env, "", "user", "list")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(list), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[1], "marie@example.fr  manager") || !strings.Contains(lines[1], "cli:claire") ||
		!strings.HasPrefix(lines[2], "ops@example.fr") || strings.Count(lines[2], "cli:claire") != 3 {
		t.Errorf("user list:\n%s", list)
	}
	if strings.Contains(list, "argon2") || strings.Contains(list, generated) {
		t.Errorf("user list shows a password or its hash:\n%s", list)
	}
}

// cliSessions checks logins against the database at url, as serve does.
func cliSessions(t *testing.T, url string) web.Sessions {
	t.Helper()
	cfg, err := (&app{environment: environment{env: []string{"DATABASE_URL=" + url}}}).config()
	if err != nil {
		t.Fatal(err)
	}
	a := &app{environment: environment{clock: clock.Fixed(time.Date(2025, 9, 12, 10, 0, 0, 0, time.UTC))}}
	pool, err := a.openDB(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	return *a.sessions(cfg, pool)
}
