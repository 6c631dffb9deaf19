package pgcluster

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
)

func TestStartServesAndStopRemovesEverything(t *testing.T) {
	ctx := context.Background()
	c, err := Start(ctx, Options{Settings: map[string]string{"work_mem": "8MB"}})
	if err != nil {
		t.Fatal(err)
	}
	dir := c.Dir
	conn, err := pgx.Connect(ctx, c.URL("postgres"))
	if err != nil {
		c.Stop()
		t.Fatal(err)
	}
	var workMem string
	err = conn.QueryRow(ctx, "SHOW work_mem").Scan(&workMem)
	conn.Close(ctx)
	if err != nil || workMem != "8MB" {
		t.Errorf("work_mem = %q, %v; the extra setting was not applied", workMem, err)
	}
	// A restart keeps the data, the socket and the settings.
	if err := c.StopServer(ctx); err != nil {
		t.Fatal(err)
	}
	if conn, err := pgx.Connect(ctx, c.URL("postgres")); err == nil {
		conn.Close(ctx)
		t.Error("connected to a stopped server")
	}
	if err := c.StartServer(ctx); err != nil {
		t.Fatal(err)
	}
	conn, err = pgx.Connect(ctx, c.URL("postgres"))
	if err != nil {
		c.Stop()
		t.Fatalf("after the restart: %v", err)
	}
	err = conn.QueryRow(ctx, "SHOW work_mem").Scan(&workMem)
	conn.Close(ctx)
	if err != nil || workMem != "8MB" {
		t.Errorf("after the restart: work_mem = %q, %v", workMem, err)
	}
	if err := c.Stop(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("cluster directory %s still exists after Stop", dir)
	}
	if err := c.Stop(); err != nil {
		t.Errorf("second Stop: %v", err)
	}
}

func TestFindBinDirExplainsHowToInstall(t *testing.T) {
	if ErrBinariesMissing.Error() == "" || !strings.Contains(ErrBinariesMissing.Error(), "apt-get install -y postgresql") {
		t.Errorf("ErrBinariesMissing does not say how to install: %q", ErrBinariesMissing)
	}
	if _, err := findBinDir(); err != nil {
		t.Fatalf("findBinDir on a machine with PostgreSQL: %v", err)
	}
}

func TestStartReapsTheClusterOfADeadProcess(t *testing.T) {
	ctx := context.Background()
	orphan, err := Start(ctx, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer orphan.Stop()
	// Pretend the process that started it died without calling Stop.
	dead := exec.Command("true")
	if err := dead.Run(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(orphan.Dir, ownerFile), []byte(strconv.Itoa(dead.Process.Pid)), 0o644); err != nil {
		t.Fatal(err)
	}
	orphanDir := orphan.Dir
	c, err := Start(ctx, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Stop()
	if _, err := os.Stat(orphanDir); !os.IsNotExist(err) {
		t.Errorf("the orphaned cluster %s was not reaped", orphanDir)
	}
	if _, err := os.Stat(c.Dir); err != nil {
		t.Errorf("the new cluster's directory is missing: %v", err)
	}
}
