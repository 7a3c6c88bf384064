// Package pgtest gives tests their own PostgreSQL schema on the database named by
// SALESFLOW_TEST_POSTGRES_URL, so test packages (the store, the service, the API) run in parallel on
// one database without seeing each other's rows. It is test support: import it from _test files only.
package pgtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver
)

// EnvURL names the variable holding the test database's URL. CI always sets it.
const EnvURL = "SALESFLOW_TEST_POSTGRES_URL"

// SkipMessage is what a test says when it skips for want of a database; CI greps for it.
const SkipMessage = EnvURL + " not set: skipping PostgreSQL tests (see README)"

// URL creates a schema with a random name on the test database and returns a connection URL whose
// search_path selects it; the schema is dropped with everything in it when t ends. It skips t when
// SALESFLOW_TEST_POSTGRES_URL is unset. Close whatever connects to the URL in a cleanup registered
// after calling URL, so that it runs before the drop.
func URL(t testing.TB) string {
	t.Helper()
	SkipIfUnset(t)
	base := os.Getenv(EnvURL)
	schema := "sf_test_" + randomHex(t)
	exec(t, base, "CREATE SCHEMA "+schema)
	t.Cleanup(func() { exec(t, base, "DROP SCHEMA IF EXISTS "+schema+" CASCADE") })
	u, err := WithSearchPath(base, schema)
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	return u
}

// SkipIfUnset skips t when no test database is configured, for a parent test whose subtests each
// call URL: one skip message instead of one per subtest, and no schema for the parent.
func SkipIfUnset(t testing.TB) {
	t.Helper()
	if os.Getenv(EnvURL) == "" {
		t.Skip(SkipMessage)
	}
}

// WithSearchPath returns the connection string conn with search_path set to schema, which pgx sends
// as a run-time parameter when the connection starts. conn is a postgres:// URL (with or without a
// query) or a keyword/value string ("host=… dbname=…").
func WithSearchPath(conn, schema string) (string, error) {
	if !strings.HasPrefix(conn, "postgres://") && !strings.HasPrefix(conn, "postgresql://") {
		return conn + " search_path=" + schema, nil
	}
	u, err := url.Parse(conn)
	if err != nil {
		return "", fmt.Errorf("parse %s: %w", EnvURL, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String(), nil
}

func randomHex(t testing.TB) string {
	t.Helper()
	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		t.Fatalf("pgtest: random schema name: %v", err)
	}
	return hex.EncodeToString(b)
}

// exec runs one statement on its own connection. It uses a context of its own because cleanups run
// after the test's context is cancelled.
func exec(t testing.TB, conn, stmt string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	db, err := sql.Open("pgx", conn)
	if err != nil {
		t.Fatalf("pgtest: open: %v", err)
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, stmt); err != nil {
		t.Fatalf("pgtest: %s: %v", stmt, err)
	}
}
