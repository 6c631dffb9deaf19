// Package pgtest gives tests a real, migrated PostgreSQL database.
//
// A package's TestMain calls Main. When TEST_DATABASE_URL is set, that server
// is used; otherwise a private cluster is started (package pgcluster) and
// removed at the end, so plain `go test ./...` works on a machine that only
// has the PostgreSQL binaries installed. Main migrates a template database
// once; each NewDB is then a cheap copy of it, isolated from every other test.
// Tests that do not need commits can use Tx, a transaction rolled back when
// the test ends.
package pgtest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/relance/relance/internal/database"
	"github.com/relance/relance/internal/pgcluster"
)

// The admin URL and template name are process-wide because `go test` runs one
// TestMain per package binary; they are set once in Main before any test runs.
var (
	adminURL     string
	templateName string
	dbCounter    atomic.Int64
)

// Main starts (or connects to) the server, migrates a template database, runs
// the tests and cleans up. Use it as:
//
//	func TestMain(m *testing.M) { pgtest.Main(m) }
func Main(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	adminURL = os.Getenv("TEST_DATABASE_URL")
	if adminURL == "" {
		cluster, err := pgcluster.Start(ctx, pgcluster.Options{})
		if err != nil {
			fmt.Fprintln(os.Stderr, "pgtest:", err)
			return 1
		}
		defer cluster.Stop()
		adminURL = cluster.URL("postgres")
	}
	templateName = fmt.Sprintf("relance_tmpl_%d_%d", os.Getpid(), time.Now().UnixNano()%1e6)
	if err := createTemplate(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "pgtest:", err)
		return 1
	}
	code := m.Run()
	if os.Getenv("TEST_DATABASE_URL") != "" {
		dropDatabases(context.Background())
	}
	return code
}

func createTemplate(ctx context.Context) error {
	admin, err := pgx.Connect(ctx, adminURL)
	if err != nil {
		return fmt.Errorf("connect %s: %w", adminURL, err)
	}
	defer admin.Close(ctx)
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+templateName); err != nil {
		return fmt.Errorf("create template database: %w", err)
	}
	pool, err := database.Open(ctx, withDatabase(adminURL, templateName))
	if err != nil {
		return err
	}
	defer pool.Close()
	if _, err := database.Migrate(ctx, pool); err != nil {
		return err
	}
	return nil
}

func dropDatabases(ctx context.Context) {
	admin, err := pgx.Connect(ctx, adminURL)
	if err != nil {
		return
	}
	defer admin.Close(ctx)
	rows, err := admin.Query(ctx, "SELECT datname FROM pg_database WHERE datname LIKE $1", templateName+"%")
	if err != nil {
		return
	}
	names, _ := pgx.CollectRows(rows, pgx.RowTo[string])
	for _, n := range names {
		_, _ = admin.Exec(ctx, "DROP DATABASE IF EXISTS "+n+" WITH (FORCE)")
	}
}

// URL returns the connection string of a new, migrated, empty database that is
// dropped when the test ends. Use it for code that opens its own pool, such as
// a CLI command or a River client.
func URL(t testing.TB) string {
	t.Helper()
	return newURL(t, templateName)
}

// BlankURL returns the connection string of a new database with nothing in
// it, not even the schema (a fresh install), dropped when the test ends.
func BlankURL(t testing.TB) string {
	t.Helper()
	return newURL(t, "template0")
}

// newURL creates a database from template for the test and drops it when
// the test ends.
func newURL(t testing.TB, template string) string {
	t.Helper()
	ctx := context.Background()
	name, err := createDB(ctx, template)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		admin, err := pgx.Connect(ctx, adminURL)
		if err != nil {
			return
		}
		defer admin.Close(ctx)
		_, _ = admin.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
	})
	return withDatabase(adminURL, name)
}

// createDB creates a new database from template (the migrated one, or
// template0 for a blank one) and returns its name.
func createDB(ctx context.Context, template string) (string, error) {
	if adminURL == "" {
		return "", errors.New("pgtest: TestMain must call pgtest.Main")
	}
	name := fmt.Sprintf("%s_%d", templateName, dbCounter.Add(1))
	admin, err := pgx.Connect(ctx, adminURL)
	if err != nil {
		return "", fmt.Errorf("pgtest: connect: %w", err)
	}
	defer admin.Close(ctx)
	if _, err := admin.Exec(ctx, fmt.Sprintf("CREATE DATABASE %s TEMPLATE %s", name, template)); err != nil {
		return "", fmt.Errorf("pgtest: create database: %w", err)
	}
	return name, nil
}

// ExampleDB returns a pool on a new, migrated, empty database for an
// Example function, which has no *testing.T to clean up after it: the
// database goes with the cluster (or with the others, on a
// TEST_DATABASE_URL server) when Main ends. It panics when Main did not run.
func ExampleDB() *pgxpool.Pool {
	ctx := context.Background()
	name, err := createDB(ctx, templateName)
	if err != nil {
		panic(err)
	}
	pool, err := database.Open(ctx, withDatabase(adminURL, name))
	if err != nil {
		panic(err)
	}
	return pool
}

// NewDB returns a pool on a new, migrated, empty database, closed and dropped
// when the test ends.
func NewDB(t testing.TB) *pgxpool.Pool {
	t.Helper()
	pool, err := database.Open(context.Background(), URL(t))
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	t.Cleanup(pool.Close)
	return pool
}

// Tx returns a transaction on a new migrated database, rolled back when the
// test ends, for tests whose writes need not be committed.
func Tx(t testing.TB) pgx.Tx {
	t.Helper()
	pool := NewDB(t)
	tx, err := pool.Begin(context.Background())
	if err != nil {
		t.Fatalf("pgtest: begin: %v", err)
	}
	t.Cleanup(func() { _ = tx.Rollback(context.Background()) })
	return tx
}

// withDatabase swaps the database name in a postgres:// URL.
func withDatabase(url, name string) string {
	// Rebuild only the path: keep host, port, user and query untouched.
	scheme, rest, ok := strings.Cut(url, "://")
	if !ok {
		return url
	}
	authority, tail, _ := strings.Cut(rest, "/")
	_, query, hasQuery := strings.Cut(tail, "?")
	out := scheme + "://" + authority + "/" + name
	if hasQuery {
		out += "?" + query
	}
	return out
}
