package main

import (
	"context"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/goccy/go-yaml"

	"github.com/relance/relance/internal/database"
	"github.com/relance/relance/internal/pgtest"
)

// TestServeMigrateThenServes: on a blank database (a fresh `docker compose
// up`), serve --migrate applies every migration and serves, where serve
// alone refuses an outdated schema (TestServeRefusesAnOutdatedSchema).
func TestServeMigrateThenServes(t *testing.T) {
	ctx := context.Background()
	url := pgtest.BlankURL(t)
	pool, err := database.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	env := []string{"DATABASE_URL=" + url, "RELANCE_SERVER_PASSWORD=s3cret", "RELANCE_MAIL_DIR=" + t.TempDir(),
		"RELANCE_SERVER_SHUTDOWN_TIMEOUT=5s", "RELANCE_MAIL_FROM=compta@durand.example"}
	d := startServe(t, env, "--migrate")
	if code, _ := d.request(t, "GET", "/login", "", "", nil, ""); code != 200 {
		t.Errorf("GET /login after serve --migrate: %d", code)
	}
	if err := database.CheckSchema(ctx, pool); err != nil {
		t.Errorf("after serve --migrate: %v", err)
	}
	var n int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM goose_db_version WHERE version_id = 110`).Scan(&n); err != nil || n != 1 {
		t.Errorf("migration 110 (the dashboard's users) applied %d times (%v), want once", n, err)
	}
}

// TestDockerCompose: the compose file's relance service runs `serve
// --migrate` through the image's entrypoint (relance; the distroless image
// has no shell), and `docker compose config` accepts the file where a
// docker client exists.
func TestDockerCompose(t *testing.T) {
	data, err := os.ReadFile("../../docker-compose.yml")
	if err != nil {
		t.Fatal(err)
	}
	var compose struct {
		Services map[string]struct {
			Command     []string          `yaml:"command"`
			Environment map[string]string `yaml:"environment"`
		} `yaml:"services"`
	}
	if err := yaml.Unmarshal(data, &compose); err != nil {
		t.Fatal(err)
	}
	svc := compose.Services["relance"]
	if !slices.Equal(svc.Command, []string{"serve", "--migrate"}) {
		t.Errorf("relance's command is %q, want [serve --migrate]", svc.Command)
	}
	var env []string
	for k, v := range svc.Environment {
		env = append(env, k+"="+v)
	}
	if _, _, err := runCLI(t, env, "serve", "--help"); err != nil { // every RELANCE_* variable is known
		t.Errorf("the compose file's environment: %v", err)
	}
	cmd := composeCommand(t)
	if cmd == nil {
		t.Skip("no docker client with compose on this machine (neither `docker compose version` nor docker-compose answers): `docker compose config` not run")
	}
	cmd.Args = append(cmd.Args, "-f", "../../docker-compose.yml", "config")
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "--migrate") {
		t.Errorf("docker compose config: %v\n%s", err, out)
	}
}

// composeCommand is `docker compose`, or the older docker-compose, where
// one works; nil where neither does.
func composeCommand(t *testing.T) *exec.Cmd {
	if docker, err := exec.LookPath("docker"); err == nil &&
		exec.CommandContext(t.Context(), docker, "compose", "version").Run() == nil {
		return exec.CommandContext(t.Context(), docker, "compose")
	}
	if dc, err := exec.LookPath("docker-compose"); err == nil {
		return exec.CommandContext(t.Context(), dc)
	}
	return nil
}
