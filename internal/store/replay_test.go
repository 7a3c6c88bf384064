package store

import (
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestAReplayedLogLeavesWhatARealSavepointWould: savepoints noted in a log (replay.go) roll back as real
// ones do. The database, the hooks and the ids an AUTOINCREMENT handed out are what they would be; the
// savepoints still open become real ones, and the transaction goes on with real savepoints.
func TestAReplayedLogLeavesWhatARealSavepointWould(t *testing.T) {
	ctx := t.Context()
	db, tx := replayTx(t)
	sqlTx := tx.tx
	var hooks []string
	insert := func(k string) int64 {
		var id int64
		require.NoError(t, tx.queryRow(ctx, `INSERT INTO g (k) VALUES ($1) RETURNING id`, k).Scan(&id))
		tx.OnCommit(func() { hooks = append(hooks, k) })
		return id
	}
	do := func(err error) { require.NoError(t, err) }

	do(tx.Savepoint(ctx, "w"))
	a := insert("a")
	do(tx.Release(ctx, "w"))
	do(tx.Savepoint(ctx, "w"))
	_, err := tx.exec(ctx, `INSERT INTO g (k) VALUES ($1)`, "a")
	require.Error(t, err, "a unique key: the statement failed and changed nothing")
	b := insert("b")
	do(tx.Savepoint(ctx, "inner"))
	insert("c")
	require.Len(t, tx.replay.stmts, 3, "the log holds the writes that ran: a, b, c")
	do(tx.RollbackTo(ctx, "inner"))
	require.Nil(t, tx.replay, "the savepoints are real from here on")
	require.Equal(t, 1, tx.replays)
	d := insert("d") // inside inner, still open
	do(tx.Release(ctx, "inner"))
	do(tx.Savepoint(ctx, "w2"))
	insert("e")
	do(tx.RollbackTo(ctx, "w2")) // a real one
	do(tx.Release(ctx, "w2"))
	do(tx.Release(ctx, "w"))
	require.NotSame(t, sqlTx, tx.tx, "the replay began the transaction anew")
	require.NoError(t, tx.tx.Commit())
	tx.committed()

	rows, err := db.QueryContext(ctx, `SELECT id, k FROM g ORDER BY id`)
	require.NoError(t, err)
	defer rows.Close()
	got := map[string]int64{}
	for rows.Next() {
		var id int64
		var k string
		require.NoError(t, rows.Scan(&id, &k))
		got[k] = id
	}
	require.Equal(t, map[string]int64{"a": a, "b": b, "d": d}, got, "a and b replayed with their ids")
	require.Equal(t, []string{"a", "b", "d"}, hooks, "the hooks of what was rolled back are gone")
}

// TestAReplayOutlivesTheContextThatAskedForIt: the transaction begun anew for a replay belongs to the
// group, not to the write whose rollback asked for it: that write's caller going away must not roll back
// the others' writes.
func TestAReplayOutlivesTheContextThatAskedForIt(t *testing.T) {
	db, tx := replayTx(t)
	ctx, cancel := context.WithCancel(context.Background())
	_, err := tx.exec(ctx, `INSERT INTO g (k) VALUES ($1)`, "other write")
	require.NoError(t, err)
	require.NoError(t, tx.Savepoint(ctx, "w"))
	_, err = tx.exec(ctx, `INSERT INTO g (k) VALUES ($1)`, "undone")
	require.NoError(t, err)
	require.NoError(t, tx.RollbackTo(ctx, "w"))
	require.Equal(t, 1, tx.replays)
	cancel()
	_, err = tx.exec(context.Background(), `INSERT INTO g (k) VALUES ($1)`, "next write")
	require.NoError(t, err)
	require.NoError(t, tx.tx.Commit())
	require.Equal(t, []string{"other write", "next write"}, keys(t, db))
}

// TestARollbackWithNothingWrittenSinceReplaysNothing: a write that only read before it failed (a record
// not found, a unique key taken: the failed statement changed nothing) has nothing to undo, and the
// savepoints stay free.
func TestARollbackWithNothingWrittenSinceReplaysNothing(t *testing.T) {
	db, tx := replayTx(t)
	ctx := t.Context()
	_, err := tx.exec(ctx, `INSERT INTO g (k) VALUES ($1)`, "taken")
	require.NoError(t, err)
	require.NoError(t, tx.Savepoint(ctx, "w"))
	_, err = tx.exec(ctx, `INSERT INTO g (k) VALUES ($1)`, "taken")
	require.Error(t, err)
	require.NoError(t, tx.RollbackTo(ctx, "w"))
	require.NoError(t, tx.Release(ctx, "w"))
	require.Zero(t, tx.replays)
	require.NotNil(t, tx.replay, "still noting savepoints")
	require.NoError(t, tx.tx.Commit())
	require.Equal(t, []string{"taken"}, keys(t, db))
}

// TestARollbackAfterSQLiteRolledBackTheTransactionFails: on a full disk SQLite rolls the whole
// transaction back by itself. A write that failed so wrote nothing to the log, but the group's earlier
// writes are gone: rolling back to its savepoint must fail, and so must every rollback after it (the
// engine's savepoint sits inside the group's), and the transaction is broken, so that commitGroup fails
// the group instead of reporting success and letting the next writes commit one by one. (Found by review,
// twice.)
func TestARollbackAfterSQLiteRolledBackTheTransactionFails(t *testing.T) {
	ctx := t.Context()
	db, err := sql.Open("sqlite", filepath.Join(t.TempDir(), "full.db"))
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })
	db.SetMaxOpenConns(1)
	for _, q := range []string{`CREATE TABLE g (id INTEGER PRIMARY KEY AUTOINCREMENT, k TEXT NOT NULL UNIQUE)`, `PRAGMA max_page_count = 20`} {
		_, err = db.ExecContext(ctx, q)
		require.NoError(t, err)
	}
	sqlTx, err := db.BeginTx(ctx, nil)
	require.NoError(t, err)
	tx := &Tx{tx: sqlTx, cache: newStmtCache(db, true),
		replay: &replayLog{begin: func(ctx context.Context) (*sql.Tx, error) { return db.BeginTx(ctx, nil) }}}
	_, err = tx.exec(ctx, `INSERT INTO g (k) VALUES ($1)`, "an earlier write")
	require.NoError(t, err)
	require.NoError(t, tx.Savepoint(ctx, "w"))
	require.NoError(t, tx.Savepoint(ctx, "sf_first"))
	_, err = tx.exec(ctx, `INSERT INTO g (k) VALUES ($1)`, strings.Repeat("x", 200_000))
	require.ErrorContains(t, err, "full")
	require.ErrorContains(t, tx.RollbackTo(ctx, "sf_first"), "rolled the transaction back")
	require.ErrorContains(t, tx.RollbackTo(ctx, "w"), "rolled the transaction back", "the group's own rollback too")
	require.Error(t, tx.broken, "commitGroup fails the group")
	_, err = tx.tx.ExecContext(ctx, `INSERT INTO g (k) VALUES ('after')`)
	require.NoError(t, err)
	require.Error(t, tx.tx.Commit(), "no transaction of BEGIN's is left open to commit into")
	require.Equal(t, []string{"after"}, keys(t, db), "nothing of the group stands (the insert after ran on its own)")
}

// replayTx is a transaction on a new database with a table g (k unique), noting its savepoints in a log.
func replayTx(t *testing.T) (*sql.DB, *Tx) {
	db := memoryDB(t, `CREATE TABLE g (id INTEGER PRIMARY KEY AUTOINCREMENT, k TEXT NOT NULL UNIQUE)`)
	sqlTx, err := db.BeginTx(t.Context(), nil)
	require.NoError(t, err)
	tx := &Tx{tx: sqlTx, cache: newStmtCache(db, true),
		replay: &replayLog{begin: func(ctx context.Context) (*sql.Tx, error) { return db.BeginTx(ctx, nil) }}}
	return db, tx
}

// memoryDB is a new in-memory SQLite database on one connection (each connection would have its own),
// with schema run on it.
func memoryDB(t *testing.T, schema string) *sql.DB {
	db, err := sql.Open("sqlite", ":memory:")
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })
	db.SetMaxOpenConns(1)
	if schema != "" {
		_, err = db.ExecContext(t.Context(), schema)
		require.NoError(t, err)
	}
	return db
}

func keys(t *testing.T, db *sql.DB) []string {
	rows, err := db.QueryContext(t.Context(), `SELECT k FROM g ORDER BY id`)
	require.NoError(t, err)
	defer rows.Close()
	var ks []string
	for rows.Next() {
		var k string
		require.NoError(t, rows.Scan(&k))
		ks = append(ks, k)
	}
	require.NoError(t, rows.Err())
	return ks
}

// TestSQLMakesTheSavepointsReal: what runs straight on SQL() is not in the log, so the first call makes
// the open savepoints real first: a later rollback is SQLite's own, and keeps what SQL() ran before it.
func TestSQLMakesTheSavepointsReal(t *testing.T) {
	ctx := context.Background()
	_, tx := replayTx(t)
	var err error
	_, err = tx.exec(ctx, `INSERT INTO g (k) VALUES ($1)`, "logged")
	require.NoError(t, err)
	require.NoError(t, tx.Savepoint(ctx, "outer"))
	_, err = tx.SQL().ExecContext(ctx, `INSERT INTO g (k) VALUES ('straight')`)
	require.NoError(t, err)
	require.Nil(t, tx.replay)
	require.NoError(t, tx.broken)
	require.NoError(t, tx.Savepoint(ctx, "w"))
	_, err = tx.exec(ctx, `INSERT INTO g (k) VALUES ($1)`, "undone")
	require.NoError(t, err)
	require.NoError(t, tx.RollbackTo(ctx, "w"))
	require.NoError(t, tx.Release(ctx, "w"))
	require.NoError(t, tx.Release(ctx, "outer"), "the savepoint open at SQL() is a real one")
	var ks []string
	rows, err := tx.tx.QueryContext(ctx, `SELECT k FROM g`)
	require.NoError(t, err)
	for rows.Next() {
		var k string
		require.NoError(t, rows.Scan(&k))
		ks = append(ks, k)
	}
	require.NoError(t, rows.Close())
	require.Equal(t, []string{"logged", "straight"}, ks)
	require.NoError(t, tx.tx.Rollback())
}
