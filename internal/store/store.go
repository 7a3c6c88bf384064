// Package store keeps records, events, tokens and settings in SQLite or PostgreSQL. The SQL is shared;
// the few differences live in a Dialect supplied by the driver packages store/sqlite and store/postgres.
// One conformance suite (storetest) runs against both.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"hash/fnv"
	"io/fs"
	"time"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"

	"github.com/salesflow/salesflow/internal/records"
)

// Dialect holds what differs between the databases.
type Dialect struct {
	Name  string // "sqlite" or "postgres"
	Goose goose.Dialect
	// Migrations holds the dialect's goose SQL files at its root.
	Migrations fs.FS
	// Positional: statements are sent with their $N parameters written as ? (see positional).
	Positional bool
	// TimeArg turns a time into a query argument for a datetime column.
	TimeArg func(time.Time) any
	// CustomExpr returns an SQL expression reading custom field name (already validated as
	// lower snake_case) typed for comparison.
	CustomExpr func(name string, t records.Type) string
	// Lower folds an SQL text expression to lower case, Unicode-aware, for the `q` search.
	Lower func(expr string) string
	// Feed returns the WHERE … ORDER BY of the event feed after a position, and its arguments; bound
	// is what FeedBound answered (0 when it is empty).
	Feed func(p FeedPosition, bound int64) (string, []any)
	// FeedBound is a query answering the transaction id below which every event writer has ended, read
	// in its own statement before the feed's ("" where seq order is commit order, as on SQLite).
	FeedBound string
	// WriteBegin is a statement every write transaction runs first ("" for none). On PostgreSQL it marks
	// the transaction as a possible event writer, before it has a transaction id, for FeedBound.
	WriteBegin string
	// ForUpdate is appended to a SELECT that reads a row the transaction will write back.
	ForUpdate string
	// KeyLock is a statement taking a lock on a text key until the transaction ends ("" when writes are
	// serialised anyway, as on SQLite).
	KeyLock string
	// DropCustom returns an UPDATE removing custom field name from every row of table.
	DropCustom func(table, name string) string
	// Classify tells a unique or foreign-key violation apart from other errors; field names the
	// column of a unique violation where the database says it.
	Classify func(err error) (kind ViolationKind, field string)
}

// ViolationKind classifies database constraint errors.
type ViolationKind int

// The constraint violations the API turns into 409 answers.
const (
	NoViolation ViolationKind = iota
	UniqueViolation
	ForeignKeyViolation
)

// Store is the storage seam. Writes go through one writer pool (a single connection on SQLite), reads
// through a reader pool.
type Store struct {
	w, r *sql.DB
	d    Dialect
	// wc and rc cache prepared statements on the writer and reader pools.
	wc, rc *stmtCache
	// afterWrite runs after every committed write transaction: the engine's wake-up, so a new event or
	// a job due now is picked up at once rather than at the next poll.
	afterWrite func(Changes)
	// group shares commits between concurrent writes on SQLite's single writer; nil on PostgreSQL,
	// whose writers commit in parallel.
	group *groupCommit
	// closers run on Close before the pools close (the SQLite checkpointer).
	closers []func() error
}

// OnClose adds a function Close runs first. Drivers call it before the store is shared.
func (s *Store) OnClose(fn func() error) { s.closers = append(s.closers, fn) }

// Changes says what a committed write transaction may have given the engine to do.
type Changes struct {
	Events bool // events to read: the trigger feed has work
	Jobs   bool // jobs due now: the workers have work
}

func (c Changes) any() bool { return c.Events || c.Jobs }

func (c Changes) or(d Changes) Changes {
	return Changes{Events: c.Events || d.Events, Jobs: c.Jobs || d.Jobs}
}

// AfterWrite sets the function run after a committed write transaction that may have given the engine
// work, with which (nil for none), so that the engine wakes only the loop concerned: waking both for
// every commit kept them busy with passes that found nothing, the claim and feed passes of one lead by
// the dozen at low rates. Set it before the store is shared.
func (s *Store) AfterWrite(fn func(Changes)) { s.afterWrite = fn }

// New wraps open pools; drivers call it.
func New(writer, reader *sql.DB, d Dialect) *Store {
	s := &Store{w: writer, r: reader, d: d, wc: newStmtCache(writer, d.Positional), rc: newStmtCache(writer, d.Positional)}
	if reader != writer {
		s.rc = newStmtCache(reader, d.Positional)
	}
	if d.Name == "sqlite" {
		s.group = &groupCommit{}
	}
	return s
}

// Dialect returns the database dialect.
func (s *Store) Dialect() Dialect { return s.d }

// DB returns the writer pool, for metrics and for components (the job queue) that need the raw handle.
func (s *Store) DB() *sql.DB { return s.w }

// Close closes both pools.
func (s *Store) Close() error {
	var errs []error
	for _, fn := range s.closers {
		errs = append(errs, fn())
	}
	s.wc.close()
	s.rc.close()
	errs = append(errs, s.w.Close())
	if s.r != s.w {
		errs = append(errs, s.r.Close())
	}
	return errors.Join(errs...)
}

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error { return s.w.PingContext(ctx) }

func (s *Store) provider(ctx context.Context) (*goose.Provider, error) {
	var opts []goose.ProviderOption
	if s.d.Goose == goose.DialectPostgres {
		// Several servers may start at once on one database: one migrates, the others wait. The lock
		// is per schema, so installations (and tests) in other schemas of the database do not queue.
		var schema string
		if err := s.w.QueryRowContext(ctx, "SELECT current_schema()").Scan(&schema); err != nil {
			return nil, fmt.Errorf("read the current schema: %w", err)
		}
		h := fnv.New64a()
		h.Write([]byte("salesflow-migrations/" + schema))
		locker, err := lock.NewPostgresSessionLocker(lock.WithLockID(int64(h.Sum64()>>1)), lock.WithLockTimeout(1, 300))
		if err != nil {
			return nil, err
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	}
	return goose.NewProvider(s.d.Goose, s.w, s.d.Migrations, opts...)
}

// Migrate applies pending migrations and returns the versions it applied.
func (s *Store) Migrate(ctx context.Context) ([]int64, error) {
	p, err := s.provider(ctx)
	if err != nil {
		return nil, fmt.Errorf("load migrations: %w", err)
	}
	res, err := p.Up(ctx)
	if err != nil {
		return nil, fmt.Errorf("migrate %s: %w", s.d.Name, err)
	}
	var applied []int64
	for _, r := range res {
		applied = append(applied, r.Source.Version)
	}
	return applied, nil
}

// Pending reports whether migrations are waiting, which /readyz uses.
func (s *Store) Pending(ctx context.Context) (bool, error) {
	p, err := s.provider(ctx)
	if err != nil {
		return false, err
	}
	return p.HasPending(ctx)
}

// Tx is a transaction with the record operations on it.
type Tx struct {
	tx      *sql.Tx
	d       Dialect
	cache   *stmtCache
	wrote   bool    // it ran a statement that may change rows
	changes Changes // what it made for the engine: AfterWrite is told once it commits
	detach  bool    // run statements without their caller's cancellation (see commitGroup)
	rows    rowCache
	past    *pastRuns
	hooks   []func() // OnCommit
	memo    []memoEntry
	marks   []savepointMark
	replay  *replayLog // a group's log of writes, while its savepoints cost nothing (replay.go)
	replays int        // how many times the log was run again
	broken  error      // SQL() could not make the savepoints real: nothing in the transaction stands
}

// SQL exposes the transaction for packages that keep tables of their own in the same commit. What
// they write is not known, so the engine is woken as for anything.
func (t *Tx) SQL() *sql.Tx {
	t.wrote, t.changes = true, Changes{Events: true, Jobs: true}
	t.forgetRows()
	if t.replay != nil { // what runs on it goes around the log
		if err := t.realSavepoints(context.Background()); err != nil && t.broken == nil {
			t.broken = err
		}
	}
	return t.tx
}

// Write runs fn in a write transaction and commits when it returns nil.
func (s *Store) Write(ctx context.Context, fn func(*Tx) error) error {
	if s.group != nil {
		return s.groupWrite(ctx, fn)
	}
	return s.run(ctx, s.w, s.wc, false, fn)
}

// Read runs fn in a read-only transaction on the reader pool: one consistent snapshot (on PostgreSQL,
// REPEATABLE READ; on SQLite, a WAL read transaction).
func (s *Store) Read(ctx context.Context, fn func(*Tx) error) error {
	return s.run(ctx, s.r, s.rc, true, fn)
}

func (s *Store) run(ctx context.Context, db *sql.DB, cache *stmtCache, ro bool, fn func(*Tx) error) (err error) {
	cache.prepare(ctx)
	opts := &sql.TxOptions{}
	if s.d.Name == "postgres" {
		// Whatever the server's default: a read is one snapshot (REPEATABLE READ), so what it reads
		// agrees with itself; a write is READ COMMITTED, so that a statement after a lock (LockKey,
		// FOR UPDATE) sees what the transaction it waited for committed.
		opts.Isolation, opts.ReadOnly = sql.LevelReadCommitted, ro
		if ro {
			opts.Isolation = sql.LevelRepeatableRead
		}
	}
	tx, err := db.BeginTx(ctx, opts)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer func() {
		if p := recover(); p != nil {
			_ = tx.Rollback()
			panic(p)
		}
		if err != nil {
			_ = tx.Rollback()
		}
	}()
	t := &Tx{tx: tx, d: s.d, cache: cache}
	if !ro && s.d.WriteBegin != "" {
		if _, err = tx.ExecContext(ctx, s.d.WriteBegin); err != nil {
			return fmt.Errorf("begin: %w", err)
		}
	}
	if err = fn(t); err != nil {
		return err
	}
	if err = tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	t.committed()
	// Here writers overlap (PostgreSQL; SQLite's go through commitGroup), so any write's commit may be
	// what gives the engine work it made nothing of itself: events another transaction wrote stay below
	// the feed's bound while an older transaction runs, and a claim skips a due job whose row another
	// transaction holds. Every write commit wakes both loops.
	if !ro && t.wrote && s.afterWrite != nil {
		s.afterWrite(Changes{Events: true, Jobs: true})
	}
	return nil
}

// Savepoint marks a point in the transaction that RollbackTo returns to, undoing what came after it
// and keeping what came before. name must be a plain identifier.
func (t *Tx) Savepoint(ctx context.Context, name string) error {
	if t.replay != nil {
		t.replay.noteSavepoint(name)
		t.markSavepoint(name)
		return nil
	}
	if _, err := t.runStmt(ctx, "SAVEPOINT "+name); err != nil {
		return fmt.Errorf("savepoint %s: %w", name, err)
	}
	t.markSavepoint(name)
	return nil
}

// RollbackTo undoes everything since Savepoint(name); the transaction goes on and may commit.
func (t *Tx) RollbackTo(ctx context.Context, name string) error {
	t.forgetRows() // what was read or written since may be undone
	if t.replay != nil {
		if err := t.rollBackTo(ctx, name); err != nil {
			return err
		}
		t.rolledBackTo(name)
		return nil
	}
	if _, err := t.runStmt(ctx, "ROLLBACK TO SAVEPOINT "+name); err != nil {
		return fmt.Errorf("roll back to %s: %w", name, err)
	}
	t.rolledBackTo(name)
	return nil
}

// Release forgets Savepoint(name), keeping what came after it.
func (t *Tx) Release(ctx context.Context, name string) error {
	if t.replay != nil {
		if err := t.replay.release(name); err != nil {
			return err
		}
		t.released(name)
		return nil
	}
	if _, err := t.runStmt(ctx, "RELEASE "+name); err != nil {
		return fmt.Errorf("release savepoint %s: %w", name, err)
	}
	t.released(name)
	return nil
}

// LockKey serialises transactions that look for and then create the same natural key (a lead's email, an
// account's domain): the second waits for the first and then sees its record, instead of creating a
// duplicate or failing on a unique index.
func (t *Tx) LockKey(ctx context.Context, key string) error {
	if t.d.KeyLock == "" {
		return nil
	}
	if _, err := t.exec(ctx, t.d.KeyLock, key); err != nil {
		return fmt.Errorf("lock %s: %w", key, err)
	}
	return nil
}

// Violation classifies err as a constraint violation.
func (t *Tx) Violation(err error) (ViolationKind, string) { return t.d.Classify(err) }

// LocksRows reports whether FOR UPDATE locks rows (PostgreSQL); on SQLite the single writer does.
func (t *Tx) LocksRows() bool { return t.d.ForUpdate != "" }
