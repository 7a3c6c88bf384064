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

// writerLock marks a transaction as one of Salesflow's writers, before it has a transaction id: a
// shared advisory lock whose key is a constant (high half) and the oid of the events table it may
// write to (low half), so installations in other schemas or databases never mix, whatever their
// search_path. to_regclass is evaluated at each execution, never baked into a cached plan.
const writerLock = `SELECT pg_advisory_xact_lock_shared((1397127013::bigint << 32) | to_regclass('events')::oid::bigint)`

// feedBound answers the 64-bit transaction id below which every Salesflow writer of this events table
// has ended. Unlike the oldest running transaction of the server (pg_snapshot_xmin), it is not held back
// by open transactions of other schemas, databases or programs.
//
// The statement's snapshot is taken first: its xmax is one past the newest finished id, so a writer that
// gets its id later gets one at or above it. Of the ids the snapshot lists as running (all below xmax),
// the bound keeps those of transactions holding the writers' lock — and, conservatively, any without a
// transactionid lock in pg_locks yet, for a transaction has its id a moment before that lock shows (and
// one that ended after the snapshot was taken has none left). So every id below the bound belongs to a
// transaction that had ended when the snapshot was taken — its events visible to this statement and
// any later one, at any isolation level — or to one that is not a Salesflow writer (it showed its id
// without the writers' lock, which a writer takes first) and writes no events. The reading transaction's own id, which a snapshot never
// lists, is counted too: the feed's own transaction writes events. pg_locks shows 32-bit ids; they are matched to the snapshot's 64-bit ones,
// which all lie within 2^31 of each other.
const feedBound = `WITH l AS MATERIALIZED (
  SELECT locktype, virtualtransaction, transactionid, classid, objid, objsubid, database, mode, granted FROM pg_locks),
s AS MATERIALIZED (SELECT pg_current_snapshot() AS snap),
w AS (SELECT virtualtransaction FROM l WHERE locktype = 'advisory' AND granted AND objsubid = 1
  AND classid = 1397127013::oid AND objid = to_regclass('events')::oid
  AND database = (SELECT oid FROM pg_database WHERE datname = current_database())),
held AS (SELECT transactionid::text::bigint AS x32, virtualtransaction IN (SELECT virtualtransaction FROM w) AS ours
  FROM l WHERE locktype = 'transactionid' AND mode = 'ExclusiveLock' AND granted),
running AS (SELECT x::text::bigint AS xid FROM s, pg_snapshot_xip(s.snap) AS x)
SELECT LEAST(
  (SELECT pg_snapshot_xmax(snap)::text::bigint FROM s),
  pg_current_xact_id_if_assigned()::text::bigint,
  (SELECT MIN(r.xid) FROM running r LEFT JOIN held h ON h.x32 = r.xid % 4294967296 WHERE h.x32 IS NULL OR h.ours))`

// Dialect returns the PostgreSQL dialect.
func Dialect() store.Dialect {
	sub, _ := fs.Sub(migrations, "migrations")
	return store.Dialect{
		Name:       "postgres",
		WriteBegin: writerLock,
		FeedBound:  feedBound,
		Goose:      goose.DialectPostgres,
		Migrations: sub,
		TimeArg:    func(t time.Time) any { return t.UTC() },
		CustomExpr: customExpr,
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
	return store.New(db, db, Dialect()), nil
}
