// Package postgres opens the store on PostgreSQL through pgx's database/sql driver.
package postgres

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"regexp"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver
	"github.com/pressly/goose/v3"

	"github.com/salesflow/salesflow/internal/records"
	"github.com/salesflow/salesflow/internal/store"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Dialect returns the PostgreSQL dialect.
func Dialect() store.Dialect {
	sub, _ := fs.Sub(migrations, "migrations")
	return store.Dialect{
		Name:       "postgres",
		Goose:      goose.DialectPostgres,
		Migrations: sub,
		TimeArg:    func(t time.Time) any { return t.UTC() },
		CustomExpr: customExpr,
		DropCustom: func(table, name string) string {
			return fmt.Sprintf("UPDATE %s SET custom = custom - '%s' WHERE custom ? '%s'", table, name, name)
		},
		Lower:     func(e string) string { return "LOWER(" + e + ")" },
		ForUpdate: " FOR UPDATE",
		Feed: func(p store.FeedPosition) (string, []any) {
			// Below the oldest running transaction every transaction has ended: no event can still
			// appear there, so a cursor that only moves through that range never skips one.
			return "(txid, seq) > ($1, $2) AND txid < pg_snapshot_xmin(pg_current_snapshot())::text::bigint ORDER BY txid, seq",
				[]any{p.TxID, p.Seq}
		},
		KeyLock:  "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))",
		Classify: classify,
	}
}

func customExpr(name string, t records.Type) string {
	switch t {
	case records.Number:
		return fmt.Sprintf("(custom->>'%s')::double precision", name)
	case records.Bool:
		return fmt.Sprintf("(custom->>'%s')::boolean", name)
	}
	return fmt.Sprintf("(custom->>'%s')", name)
}

// uniqueKey reads the first column from a unique violation's detail, "Key (name)=(x) already exists.",
// for constraints that do not follow the uq_<table>__<column> naming (column UNIQUE, primary keys).
// SQLite names the first column too, so both drivers report the same field.
var uniqueKey = regexp.MustCompile(`^Key \(([a-z_][a-z0-9_]*)[,)]`)

func classify(err error) (store.ViolationKind, string) {
	var pe *pgconn.PgError
	if !errors.As(err, &pe) {
		return store.NoViolation, ""
	}
	switch pe.Code {
	case "23505":
		// Our unique indexes are named uq_<table>__<column>.
		if _, col, ok := strings.Cut(pe.ConstraintName, "__"); ok {
			return store.UniqueViolation, col
		}
		if m := uniqueKey.FindStringSubmatch(pe.Detail); m != nil {
			return store.UniqueViolation, m[1]
		}
		return store.UniqueViolation, ""
	case "23503":
		return store.ForeignKeyViolation, ""
	}
	return store.NoViolation, ""
}

// Open connects to the database at url (postgres://…). It does not migrate.
func Open(ctx context.Context, url string) (*store.Store, error) {
	db, err := sql.Open("pgx", url)
	if err != nil {
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	db.SetMaxOpenConns(24)
	db.SetMaxIdleConns(24)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("connect to postgres: %w", err)
	}
	return store.New(db, db, Dialect()), nil
}
