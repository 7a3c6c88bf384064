// Package postgres opens the store on PostgreSQL through pgx's database/sql driver.
package postgres

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"hash/fnv"
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

// writerClass is the first key of the shared advisory lock that marks Salesflow's write transactions;
// the second is a hash of the schema, so installations (and tests) in other schemas do not mix.
const writerClass = 0x53467765 // "SFwe"

// feedBound answers the 64-bit transaction id below which every Salesflow write transaction in this
// schema has ended: the oldest id among the transactions holding the writers' lock, or the next id to
// be assigned when none holds one. Unlike the oldest running transaction of the whole server
// (pg_snapshot_xmin), it is not held back by long transactions of other schemas, databases or
// programs. A writer takes the lock before it has an id, so one that gets its id after this query
// gets a higher id than the bound; one that ended before it is visible to the next statement's
// snapshot, since a lock is released only after its transaction's commit is visible. pg_locks shows
// 32-bit ids: each is widened by its distance below the next id, which is under 2^31 for a running one.
const feedBound = `WITH l AS MATERIALIZED (
  SELECT locktype, virtualtransaction, transactionid, classid, objid, objsubid, database, mode, granted FROM pg_locks),
w AS (SELECT virtualtransaction FROM l WHERE locktype = 'advisory' AND granted AND objsubid = 2
  AND classid::text::bigint = $1 AND objid::text::bigint = $2
  AND database = (SELECT oid FROM pg_database WHERE datname = current_database())),
x AS (SELECT l.transactionid::text::bigint AS xid FROM l JOIN w USING (virtualtransaction)
  WHERE l.locktype = 'transactionid' AND l.mode = 'ExclusiveLock' AND l.granted),
n AS (SELECT pg_snapshot_xmax(pg_current_snapshot())::text::bigint AS nx)
SELECT LEAST(n.nx, COALESCE(MIN(n.nx - (((n.nx - x.xid) % 4294967296) + 4294967296) % 4294967296), n.nx))
FROM n LEFT JOIN x ON true GROUP BY n.nx`

// Dialect returns the PostgreSQL dialect for a store in schema.
func Dialect(schema string) store.Dialect {
	sub, _ := fs.Sub(migrations, "migrations")
	h := fnv.New32a()
	h.Write([]byte("salesflow-writers/" + schema))
	key := int32(h.Sum32())
	return store.Dialect{
		Name:          "postgres",
		WriteBegin:    fmt.Sprintf("SELECT pg_advisory_xact_lock_shared(%d, %d)", writerClass, key),
		FeedBound:     feedBound,
		FeedBoundArgs: []any{int64(writerClass), int64(uint32(key))},
		Goose:         goose.DialectPostgres,
		Migrations:    sub,
		TimeArg:       func(t time.Time) any { return t.UTC() },
		CustomExpr:    customExpr,
		DropCustom: func(table, name string) string {
			return fmt.Sprintf("UPDATE %s SET custom = custom - '%s' WHERE custom ? '%s'", table, name, name)
		},
		Lower:     func(e string) string { return "LOWER(" + e + ")" },
		ForUpdate: " FOR UPDATE",
		Feed: func(p store.FeedPosition, bound int64) (string, []any) {
			// Below the bound every transaction that could write an event has ended: no event can still
			// appear there, so a cursor that only moves through that range never skips one.
			return "(txid, seq) > ($1, $2) AND txid < $3 ORDER BY txid, seq", []any{p.TxID, p.Seq, bound}
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
	var schema string
	if err := db.QueryRowContext(ctx, "SELECT COALESCE(current_schema(), '')").Scan(&schema); err != nil {
		db.Close()
		return nil, fmt.Errorf("read the current schema: %w", err)
	}
	return store.New(db, db, Dialect(schema)), nil
}
