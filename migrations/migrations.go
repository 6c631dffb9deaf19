// Package migrations embeds relance's numbered SQL migrations. They are run by
// goose (see internal/database); River's own tables are migrated separately by
// rivermigrate so that River upgrades stay River's business.
//
// Files are named NNNNN_description.sql and carry goose's `-- +goose Up` and
// `-- +goose Down` annotations. Never edit a migration that has been released:
// add a new one.
package migrations

import "embed"

// FS holds every *.sql migration at its root.
//
//go:embed *.sql
var FS embed.FS
