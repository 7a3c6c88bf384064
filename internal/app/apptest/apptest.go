// Package apptest opens real installations for tests: a fresh, migrated database of either kind, and
// the real HTTP handler on it. Test support: import it from _test files only.
package apptest

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"testing"

	"github.com/salesflow/salesflow/internal/app"
	"github.com/salesflow/salesflow/internal/store/postgres/pgtest"
)

// Databases are the databases every conformance-style test runs on.
var Databases = []string{"sqlite", "postgres"}

// AdminToken is the SALESFLOW_ADMIN_TOKEN of the installations Open makes.
const AdminToken = "test-admin-token"

// Open returns a migrated installation on a fresh database: SQLite in a temporary directory, or a
// private PostgreSQL schema (skipping t, with the standard message, when no test database is set).
func Open(t testing.TB, db string) *app.App {
	t.Helper()
	return OpenWith(t, db, nil)
}

// OpenWith is Open with the configuration adjusted by configure (outside connections, say) first.
func OpenWith(t testing.TB, db string, configure func(*app.Config)) *app.App {
	t.Helper()
	cfg := app.Config{DataDir: t.TempDir(), AdminToken: AdminToken, Logger: slog.New(slog.DiscardHandler)}
	if configure != nil {
		configure(&cfg)
	}
	if db == "postgres" {
		cfg.DatabaseURL = pgtest.URL(t)
	}
	a, err := app.Open(context.Background(), cfg, true)
	if err != nil {
		t.Fatalf("open %s: %v", db, err)
	}
	t.Cleanup(a.Close)
	return a
}

// Server runs the real handler of a fresh installation.
func Server(t testing.TB, db string) (*httptest.Server, *app.App) {
	t.Helper()
	a := Open(t, db)
	srv := httptest.NewServer(a.Handler())
	t.Cleanup(srv.Close)
	return srv, a
}
