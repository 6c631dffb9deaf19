package main

import (
	"strings"
	"testing"

	"github.com/relance/relance/internal/pgtest"
)

// TestTokenCommands: create prints a token once, list never shows it, a
// name in force is refused, revoke ends it, and a bad role or name is
// refused naming the flag.
func TestTokenCommands(t *testing.T) {
	env := []string{"DATABASE_URL=" + pgtest.URL(t), "USER=alice", "RELANCE_LOCALE=en"}
	secret := strings.TrimSpace(must(t, env, "token", "create", "--name", "erp", "--role", "writer"))
	if !strings.HasPrefix(secret, "rlc_") || len(secret) < 40 || strings.Contains(secret, "\n") {
		t.Fatalf("token create printed %q, want the token alone", secret)
	}
	list := must(t, env, "token", "list")
	wantOut(t, list, "erp  writer", "cli:alice")
	if strings.Contains(list, secret) || strings.Contains(list, "rlc_") {
		t.Errorf("token list shows a secret:\n%s", list)
	}
	if _, _, err := runCLI(t, env, "token", "create", "--name", "erp", "--role", "reader"); err == nil || !strings.Contains(err.Error(), "already has this name") {
		t.Errorf("a second erp: %v", err)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"token", "create", "--name", "bi", "--role", "owner"}, `--role "owner": want reader, writer or admin`},
		{[]string{"token", "create", "--name", "Mon ERP", "--role", "reader"}, `token name "Mon ERP"`},
		{[]string{"token", "revoke", "nope"}, "no token in force has this name"},
	} {
		if _, _, err := runCLI(t, env, c.args...); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("relance %s: %v, want %q", strings.Join(c.args, " "), err, c.want)
		}
	}
	wantOut(t, must(t, env, "token", "revoke", "erp"), "token erp revoked")
	wantOut(t, must(t, env, "token", "list"), "erp  writer", "cli:alice")
	again := strings.TrimSpace(must(t, env, "token", "create", "--name", "erp", "--role", "reader"))
	if again == secret {
		t.Error("a new token repeats the revoked one's secret")
	}
	if out := must(t, env, "token", "--help"); !strings.Contains(out, "relance token create --name erp --role writer") {
		t.Errorf("token --help lacks its example:\n%s", out)
	}
}
