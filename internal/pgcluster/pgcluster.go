// Package pgcluster starts a private, throwaway PostgreSQL cluster: initdb in a
// temporary directory, a server listening only on a unix socket in that
// directory, and a clean removal afterwards. Tests, `make demo` and `make bench`
// use it so that nothing relies on a server left running on the machine.
//
// PostgreSQL refuses to run as root, so when the current process is root the
// cluster's files are owned by the `postgres` user and every server binary runs
// through `runuser -u postgres --`.
package pgcluster

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// ErrBinariesMissing is returned by Start when initdb or pg_ctl cannot be found.
// Its message says how to install them.
var ErrBinariesMissing = errors.New("pgcluster: PostgreSQL server binaries (initdb, pg_ctl) not found on PATH or under /usr/lib/postgresql/*/bin; install them with `apt-get update && apt-get install -y postgresql` (Debian/Ubuntu) or point TEST_DATABASE_URL / DATABASE_URL at an existing server")

// Cluster is a running private PostgreSQL server. Stop it with Stop, which also
// removes its files.
type Cluster struct {
	// Dir holds the data directory and the unix socket.
	Dir string
	// Port is the port number the server uses to name its socket.
	Port int
	// User is the superuser role name.
	User string

	binDir  string
	dataDir string
	asUser  string // non-empty when binaries run through runuser
	pgOpts  string // the server's options, for StartServer
	logFile string
}

// Options tune Start. The zero value is usable.
type Options struct {
	// Settings are extra `-c name=value` server settings, for example
	// {"shared_buffers": "256MB"} for the benchmarks.
	Settings map[string]string
	// Log receives the server log. When nil it goes to a file in Dir.
	Log *os.File
}

// Start creates and starts a new cluster. The caller must call Stop.
func Start(ctx context.Context, opts Options) (*Cluster, error) {
	binDir, err := findBinDir()
	if err != nil {
		return nil, err
	}
	c := &Cluster{binDir: binDir, User: "postgres"}
	if os.Geteuid() == 0 {
		if _, err := user.Lookup("postgres"); err != nil {
			return nil, fmt.Errorf("pgcluster: running as root needs a `postgres` system user to own the cluster (it comes with the postgresql package): %w", err)
		}
		c.asUser = "postgres"
	} else if u, err := user.Current(); err == nil {
		c.User = u.Username
	}

	reapOrphans(ctx, c)
	c.Dir, err = os.MkdirTemp("", dirPrefix)
	if err != nil {
		return nil, fmt.Errorf("pgcluster: temp dir: %w", err)
	}
	if err := os.WriteFile(filepath.Join(c.Dir, ownerFile), []byte(strconv.Itoa(os.Getpid())), 0o644); err != nil {
		c.removeDir()
		return nil, fmt.Errorf("pgcluster: %w", err)
	}
	c.dataDir = filepath.Join(c.Dir, "data")
	if c.asUser != "" {
		if err := chownToPostgres(c.Dir); err != nil {
			c.removeDir()
			return nil, err
		}
	}

	if err := c.run(ctx, "initdb", "-D", c.dataDir, "-U", c.User, "-A", "trust", "-E", "UTF8", "--no-sync", "--locale=C"); err != nil {
		c.removeDir()
		return nil, err
	}

	c.Port, err = freePort()
	if err != nil {
		c.removeDir()
		return nil, err
	}
	pgOpts := []string{
		"-k " + c.Dir,
		"-p " + strconv.Itoa(c.Port),
		"-c listen_addresses=''",
		"-c fsync=off",
		"-c synchronous_commit=off",
		"-c full_page_writes=off",
		"-c max_connections=200",
	}
	keys := make([]string, 0, len(opts.Settings))
	for k := range opts.Settings {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		pgOpts = append(pgOpts, fmt.Sprintf("-c %s=%s", k, opts.Settings[k]))
	}
	c.pgOpts, c.logFile = strings.Join(pgOpts, " "), filepath.Join(c.Dir, "server.log")
	if err := c.StartServer(ctx); err != nil {
		c.removeDir()
		return nil, err
	}
	return c, nil
}

// StopServer stops the server (fast shutdown: connections are closed) and
// keeps its files, as a database restart or an outage would; StartServer
// starts it again on the same socket. The fault suite restarts PostgreSQL
// under a running relance this way.
func (c *Cluster) StopServer(ctx context.Context) error {
	return c.run(ctx, "pg_ctl", "stop", "-D", c.dataDir, "-m", "fast", "-w")
}

// StartServer starts the server of a cluster Start created.
func (c *Cluster) StartServer(ctx context.Context) error {
	if err := c.run(ctx, "pg_ctl", "start", "-w", "-t", "60", "-D", c.dataDir, "-l", c.logFile, "-o", c.pgOpts); err != nil {
		logText, _ := os.ReadFile(c.logFile)
		return fmt.Errorf("%w\nserver log:\n%s", err, logText)
	}
	return nil
}

// URL returns a libpq connection string for database name on this cluster.
func (c *Cluster) URL(database string) string {
	return fmt.Sprintf("postgres://%s@/%s?host=%s&port=%d&sslmode=disable", c.User, database, c.Dir, c.Port)
}

// Stop stops the server immediately and removes its files. It is safe to call
// on a nil Cluster and more than once.
func (c *Cluster) Stop() error {
	if c == nil || c.Dir == "" {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	err := c.run(ctx, "pg_ctl", "stop", "-D", c.dataDir, "-m", "immediate", "-w")
	c.removeDir()
	return err
}

func (c *Cluster) removeDir() {
	_ = os.RemoveAll(c.Dir)
	c.Dir = ""
}

func (c *Cluster) run(ctx context.Context, name string, args ...string) error {
	bin := filepath.Join(c.binDir, name)
	var cmd *exec.Cmd
	if c.asUser != "" {
		cmd = exec.CommandContext(ctx, "runuser", append([]string{"-u", c.asUser, "--", bin}, args...)...)
	} else {
		cmd = exec.CommandContext(ctx, bin, args...)
	}
	cmd.Dir = c.Dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("pgcluster: %s %s: %w\n%s", name, strings.Join(args, " "), err, out)
	}
	return nil
}

func findBinDir() (string, error) {
	if p, err := exec.LookPath("initdb"); err == nil {
		dir := filepath.Dir(p)
		if _, err := os.Stat(filepath.Join(dir, "pg_ctl")); err == nil {
			return dir, nil
		}
	}
	matches, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb")
	sort.Sort(sort.Reverse(sort.StringSlice(matches))) // newest major version first
	for _, m := range matches {
		dir := filepath.Dir(m)
		if _, err := os.Stat(filepath.Join(dir, "pg_ctl")); err == nil {
			return dir, nil
		}
	}
	return "", ErrBinariesMissing
}

func chownToPostgres(dir string) error {
	u, err := user.Lookup("postgres")
	if err != nil {
		return fmt.Errorf("pgcluster: %w", err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	if err := os.Chown(dir, uid, gid); err != nil {
		return fmt.Errorf("pgcluster: chown %s: %w", dir, err)
	}
	// The temp dir's parents must be traversable by postgres; /tmp is.
	return nil
}

const (
	dirPrefix = "relance-pg-"
	ownerFile = "owner.pid" // the pid of the process that started the cluster
)

// reapOrphans stops and removes the clusters whose starting process is gone:
// a test binary killed by a timeout or a panic never runs its Stop, and its
// server would otherwise outlive it on the machine.
func reapOrphans(ctx context.Context, template *Cluster) {
	dirs, _ := filepath.Glob(filepath.Join(os.TempDir(), dirPrefix+"*"))
	for _, dir := range dirs {
		raw, err := os.ReadFile(filepath.Join(dir, ownerFile))
		if err != nil {
			continue // not ours, or being created right now
		}
		pid, err := strconv.Atoi(strings.TrimSpace(string(raw)))
		if err != nil || processAlive(pid) {
			continue
		}
		orphan := &Cluster{Dir: dir, binDir: template.binDir, dataDir: filepath.Join(dir, "data"), asUser: template.asUser}
		_ = orphan.run(ctx, "pg_ctl", "stop", "-D", orphan.dataDir, "-m", "immediate", "-w")
		orphan.removeDir()
	}
}

// processAlive tells whether pid exists (signal 0 checks without sending).
func processAlive(pid int) bool {
	p, err := os.FindProcess(pid)
	if err != nil {
		return false
	}
	return p.Signal(syscall.Signal(0)) == nil
}

// freePort asks the kernel for a TCP port nobody uses. The server listens on a
// unix socket only, but the port still names the socket file, and a port
// distinct from other clusters' keeps their lock files apart.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("pgcluster: free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
