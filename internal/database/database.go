// Package database opens the PostgreSQL pool and migrates relance's schema and
// River's. relance's migrations (package migrations) are run by goose; River's
// by rivermigrate, so each project's upgrades stay its own.
package database

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivermigrate"

	"github.com/relance/relance/migrations"
)

// ErrSchemaOutdated is returned by CheckSchema when migrations are pending.
var ErrSchemaOutdated = errors.New("database schema is not up to date: run `relance migrate`")

// Open connects a pool to url with pgx's default size and checks that the
// server answers.
func Open(ctx context.Context, url string) (*pgxpool.Pool, error) {
	return OpenPool(ctx, url, 0)
}

// OpenPool is Open with at most maxConns connections (0: pgx's default, the
// larger of 4 and the CPU count). The daemon needs one per send worker plus
// River's own, so it passes database.max_conns.
func OpenPool(ctx context.Context, url string, maxConns int) (*pgxpool.Pool, error) {
	if url == "" {
		return nil, errors.New("no database: set DATABASE_URL or `database.url` in the config file")
	}
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("parse database url: %w", err)
	}
	if maxConns > 0 {
		cfg.MaxConns = int32(maxConns)
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("connect to database: %w", err)
	}
	return pool, nil
}

// MigrationResult says which versions a Migrate call applied.
type MigrationResult struct {
	Relance []int64 // goose versions applied
	River   []int   // River migration versions applied
}

// Migrate brings relance's schema and River's up to date. It is idempotent and
// safe to run from several processes at once: goose holds a session advisory
// lock while it works, and rivermigrate runs in a transaction.
func Migrate(ctx context.Context, pool *pgxpool.Pool) (MigrationResult, error) {
	var res MigrationResult
	provider, db, err := gooseProvider(pool)
	if err != nil {
		return res, err
	}
	defer db.Close()
	applied, err := provider.Up(ctx)
	if err != nil {
		return res, fmt.Errorf("migrate relance schema: %w", err)
	}
	for _, r := range applied {
		res.Relance = append(res.Relance, r.Source.Version)
	}

	migrator, err := rivermigrate.New(riverpgxv5.New(pool), nil)
	if err != nil {
		return res, fmt.Errorf("river migrator: %w", err)
	}
	riverRes, err := migrator.Migrate(ctx, rivermigrate.DirectionUp, nil)
	if err != nil {
		return res, fmt.Errorf("migrate river schema: %w", err)
	}
	for _, v := range riverRes.Versions {
		res.River = append(res.River, v.Version)
	}
	return res, nil
}

// CheckSchema returns ErrSchemaOutdated (wrapped, with the details) when either
// relance's or River's migrations are pending. `relance serve` refuses to start
// on such a schema rather than run against tables it does not know.
func CheckSchema(ctx context.Context, pool *pgxpool.Pool) error {
	provider, db, err := gooseProvider(pool)
	if err != nil {
		return err
	}
	defer db.Close()
	current, target, err := provider.GetVersions(ctx)
	if err != nil {
		return fmt.Errorf("read relance schema version: %w", err)
	}
	if current < target {
		return fmt.Errorf("%w (relance schema at version %d, this binary needs %d)", ErrSchemaOutdated, current, target)
	}

	migrator, err := rivermigrate.New(riverpgxv5.New(pool), nil)
	if err != nil {
		return fmt.Errorf("river migrator: %w", err)
	}
	res, err := migrator.Validate(ctx, nil)
	if err != nil {
		return fmt.Errorf("read river schema version: %w", err)
	}
	if !res.OK {
		return fmt.Errorf("%w (river: %v)", ErrSchemaOutdated, res.Messages)
	}
	return nil
}

func gooseProvider(pool *pgxpool.Pool) (*goose.Provider, interface{ Close() error }, error) {
	db := stdlib.OpenDBFromPool(pool)
	locker, err := lock.NewPostgresSessionLocker()
	if err != nil {
		db.Close()
		return nil, nil, fmt.Errorf("migration lock: %w", err)
	}
	provider, err := goose.NewProvider(goose.DialectPostgres, db, migrations.FS,
		goose.WithDisableGlobalRegistry(true), goose.WithSessionLocker(locker))
	if err != nil {
		db.Close()
		return nil, nil, fmt.Errorf("load migrations: %w", err)
	}
	return provider, db, nil
}
