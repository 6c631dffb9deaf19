package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/relance/relance/internal/database"
	"github.com/relance/relance/internal/mail/smtptest"
	"github.com/relance/relance/internal/pgcluster"
)

var (
	long   = flag.Bool("long", false, "run the long variants (make reliability)")
	report = flag.String("report", "", "append each case's figures, as JSON lines, to this file")
)

// The built binary and the private PostgreSQL every case shares (the
// PostgreSQL restart case starts its own).
var (
	relanceBin string
	cluster    *pgcluster.Cluster
	dbCounter  atomic.Int64
)

func TestMain(m *testing.M) {
	flag.Parse()
	os.Exit(runTests(m))
}

func runTests(m *testing.M) int {
	dir, err := os.MkdirTemp("", "relance-faults-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	// The binary under test, built as `make build` builds it.
	relanceBin = filepath.Join(dir, "relance")
	build := exec.Command("go", "build", "-o", relanceBin, "../cmd/relance")
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "build relance: %v\n%s", err, out)
		return 1
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if cluster, err = pgcluster.Start(ctx, pgcluster.Options{Settings: map[string]string{"max_connections": "300"}}); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer cluster.Stop()
	return m.Run()
}

// scale picks the short variant's figure under `make test`, the long one
// under `make reliability`.
func scale(short, long_ int) int {
	if *long {
		return long_
	}
	return short
}

// newDatabase creates an empty database on c, migrated by `relance migrate`,
// and returns its URL and a pool on it.
func newDatabase(t *testing.T, c *pgcluster.Cluster) (string, *pgxpool.Pool) {
	t.Helper()
	ctx := context.Background()
	name := fmt.Sprintf("faults_%d_%d", os.Getpid(), dbCounter.Add(1))
	admin, err := pgx.Connect(ctx, c.URL("postgres"))
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(ctx)
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatal(err)
	}
	url := c.URL(name)
	cmd := exec.Command(relanceBin, "migrate")
	cmd.Env = []string{"DATABASE_URL=" + url, "PATH=" + os.Getenv("PATH")}
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("relance migrate: %v\n%s", err, out)
	}
	pool, err := database.OpenPool(ctx, url, 8)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	return url, pool
}

// seed inserts clients with perClient invoices each, all 40 days late on
// day (so that level 1 is due that day). Codes are C00001…, addresses
// c1@client.example…, invoice numbers FA-C00001-1…
func seed(t *testing.T, pool *pgxpool.Pool, clients, perClient int, day time.Time) {
	t.Helper()
	ctx := context.Background()
	if _, err := pool.Exec(ctx, `INSERT INTO client (entity_id, code, name, emails)
		SELECT 1, 'C' || lpad(g::text, 5, '0'), 'Client ' || g, ARRAY['c' || g || '@client.example']
		FROM generate_series(1, $1) g`, clients); err != nil {
		t.Fatal(err)
	}
	if _, err := pool.Exec(ctx, `INSERT INTO invoice (entity_id, client_id, number, issue_date, due_date, amount_incl_vat, amount_excl_vat)
		SELECT 1, c.id, 'FA-' || c.code || '-' || g, $2::date - 70, $2::date - 40, 100000 + g, (100000 + g) * 10 / 12
		FROM client c CROSS JOIN generate_series(1, $1) g`, perClient, day); err != nil {
		t.Fatal(err)
	}
}

// proc is one relance process.
type proc struct {
	t       *testing.T
	name    string
	cmd     *exec.Cmd
	stdout  syncBuffer
	stderr  syncBuffer
	started time.Time
	done    chan struct{}
	err     error
	killed  atomic.Bool
}

// startRelance starts the binary with env (plus PATH) and args.
func startRelance(t *testing.T, env []string, args ...string) *proc {
	t.Helper()
	p := &proc{t: t, name: strings.Join(args, " "), done: make(chan struct{})}
	p.cmd = exec.Command(relanceBin, args...)
	p.cmd.Env = append([]string{"PATH=" + os.Getenv("PATH")}, env...)
	p.cmd.Stdout, p.cmd.Stderr = &p.stdout, &p.stderr
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p.started = time.Now()
	go func() {
		p.err = p.cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() { p.kill() })
	return p
}

// kill sends SIGKILL to this process (by its pid) and waits for it; it
// returns when the signal was sent.
func (p *proc) kill() time.Time {
	at := time.Now()
	select {
	case <-p.done:
		return at
	default:
	}
	p.killed.Store(true)
	_ = p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.done
	return at
}

// wait waits up to d for the process to exit and returns its exit code.
func (p *proc) wait(d time.Duration) int {
	p.t.Helper()
	select {
	case <-p.done:
	case <-time.After(d):
		p.kill()
		p.t.Fatalf("relance %s did not finish within %s\nstdout:\n%s\nstderr:\n%s", p.name, d, p.stdout.String(), tail(p.stderr.String(), 40))
	}
	return p.cmd.ProcessState.ExitCode()
}

// running reports whether the process has not exited.
func (p *proc) running() bool {
	select {
	case <-p.done:
		return false
	default:
		return true
	}
}

// panicked reports a crash: the Go runtime's panic or fatal error on stderr.
func (p *proc) panicked() bool {
	s := p.stderr.String()
	return strings.Contains(s, "panic: ") || strings.Contains(s, "fatal error: ")
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func tail(s string, n int) string {
	lines := strings.Split(s, "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// smtpEnv is the configuration pointing relance at srv, without TLS.
func smtpEnv(url string, srv *smtptest.Server, extra ...string) []string {
	return append([]string{
		"DATABASE_URL=" + url,
		"RELANCE_MAIL_TRANSPORT=smtp", "RELANCE_MAIL_SMTP_HOST=" + srv.Host, "RELANCE_MAIL_SMTP_PORT=" + strconv.Itoa(srv.Port),
		"RELANCE_MAIL_SMTP_TLS=none", "RELANCE_MAIL_FROM=Compta Durand <compta@durand.example>",
		"RELANCE_MAIL_BCC=credit@durand.example", "RELANCE_MAIL_DIR=" + os.TempDir() + "/relance-faults-letters",
		"RELANCE_SWEEP_SEND_CONCURRENCY=" + strconv.Itoa(min(8, 2*runtime.NumCPU())),
	}, extra...)
}

// until polls cond every 100 ms for up to d; false if it never held.
func until(d time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		if cond() {
			return true
		}
		time.Sleep(100 * time.Millisecond)
	}
	return cond()
}

// reopen opens another pool on url, closed when the test ends.
func reopen(t *testing.T, url string) (string, *pgxpool.Pool) {
	t.Helper()
	pool, err := database.OpenPool(context.Background(), url, 2)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	return url, pool
}
