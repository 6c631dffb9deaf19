package main

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/relance/relance/internal/clock"
	"github.com/relance/relance/internal/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// runCLI runs relance in-process with the given extra environment and returns
// what it printed.
func runCLI(t *testing.T, env []string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err = run(context.Background(), args, environment{
		stdin:  strings.NewReader(""),
		stdout: &out,
		stderr: &errOut,
		env:    env,
		clock:  clock.Fixed(time.Date(2025, 9, 12, 10, 0, 0, 0, time.UTC)),
	})
	return out.String(), errOut.String(), err
}

func TestMigrateTwice(t *testing.T) {
	env := []string{"DATABASE_URL=" + pgtest.URL(t)}
	// pgtest databases come migrated, so this migrate must be a no-op and say so.
	out, _, err := runCLI(t, env, "migrate")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "up to date") {
		t.Errorf("migrate on a migrated database printed %q", out)
	}
}

func TestMigrateWithoutDatabaseSaysHowToConfigureOne(t *testing.T) {
	_, _, err := runCLI(t, nil, "migrate")
	if err == nil || !strings.Contains(err.Error(), "DATABASE_URL") {
		t.Fatalf("err = %v, want a hint about DATABASE_URL", err)
	}
}

func TestEveryCommandHasHelp(t *testing.T) {
	root := newRootCmd(&app{})
	for _, c := range root.Commands() {
		if c.Short == "" {
			t.Errorf("command %q has no short help", c.Name())
		}
		for _, sub := range c.Commands() {
			if sub.Short == "" {
				t.Errorf("command %q %q has no short help", c.Name(), sub.Name())
			}
		}
	}
}

func TestBadConfigIsReported(t *testing.T) {
	_, _, err := runCLI(t, []string{"RELANCE_TIMEZONE=Nowhere/Else"}, "migrate")
	if err == nil || !strings.Contains(err.Error(), "timezone") {
		t.Fatalf("err = %v, want it to name the timezone key", err)
	}
}

func TestCPUProfileIsWritten(t *testing.T) {
	path := t.TempDir() + "/cpu.prof"
	if _, _, err := runCLI(t, nil, "--cpuprofile", path, "plan", "check"); err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(path)
	if err != nil || info.Size() == 0 {
		t.Fatalf("profile %s: %v (size %v)", path, err, info)
	}
}
