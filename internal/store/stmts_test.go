package store

import (
	"database/sql"
	"testing"

	"github.com/stretchr/testify/require"

	_ "modernc.org/sqlite"

	"github.com/salesflow/salesflow/internal/store/postgres/pgtest"
)

// TestStmtCacheKeepsTheStatementItHas: when two transactions race to prepare the same text, the one
// cached first stays in use and the second is closed — after the cache's lock is released (stmts.go
// says why: closing waits for connections, and holding the lock meanwhile deadlocked 200 concurrent
// routings on PostgreSQL). This checks which statement survives; the deadlock itself showed only under
// load (TestRoutingTwoHundredConcurrentLeadsGiveFiftyEach, about one run in twenty under -count=3).
func TestStmtCacheKeepsTheStatementItHas(t *testing.T) {
	ctx := t.Context()
	db, err := sql.Open("pgx", pgtest.URL(t))
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })
	c := newStmtCache(db, false)
	const q = `SELECT 1`
	cached, err := db.PrepareContext(ctx, q)
	require.NoError(t, err)
	c.m[q] = &cachedStmt{s: cached}
	c.pending[q] = true // queued again by a transaction that ran before it was cached
	c.prepare(ctx)
	require.Same(t, cached, c.get(q).s, "the statement cached first stays")
	var one int
	require.NoError(t, cached.QueryRowContext(ctx).Scan(&one), "and was not closed")
	require.Equal(t, 1, one)
	require.Empty(t, c.pending)
}

// TestStmtCacheLetsTheLeastRecentlyUsedGo: a full cache makes room for a new text by closing the
// statement used least recently, so texts seen once (the columns one update changed) cannot keep the
// hot ones out for good.
func TestStmtCacheLetsTheLeastRecentlyUsedGo(t *testing.T) {
	ctx := t.Context()
	db, err := sql.Open("sqlite", ":memory:")
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })
	c := newStmtCache(db, true)
	c.size = 2
	get := func(q string) *sql.Stmt {
		if e := c.get(q); e != nil {
			return e.s
		}
		return nil
	}
	const q1, q2, q3 = `SELECT 1`, `SELECT 2`, `SELECT 3`
	for _, q := range []string{q1, q2} {
		require.Nil(t, get(q), "a text seen for the first time runs unprepared")
	}
	c.prepare(ctx)
	first, second := get(q1), get(q2)
	require.NotNil(t, first)
	require.NotNil(t, second)
	get(q1) // q1 is now the more recently used
	require.Nil(t, get(q3))
	c.prepare(ctx)

	require.Same(t, first, get(q1), "the recently used statement stays")
	require.NotNil(t, get(q3), "the new text is cached")
	require.Nil(t, get(q2), "the least recently used made room")
	var n int
	require.Error(t, second.QueryRowContext(ctx).Scan(&n), "and was closed")
	require.NoError(t, first.QueryRowContext(ctx).Scan(&n))
	require.Equal(t, 1, n)
}

// TestInListSharesTextsAcrossSizes: an IN list is padded to the next power of two with its last key, so
// batch sizes 3 and 4 share one statement text and every key is still in the list.
func TestInListSharesTextsAcrossSizes(t *testing.T) {
	three, args := inList(2, []string{"a", "b", "c"})
	require.Equal(t, "$2, $3, $4, $5", three)
	require.Equal(t, []any{"a", "b", "c", "c"}, args)
	four, _ := inList(2, []string{"a", "b", "c", "d"})
	require.Equal(t, three, four)
	one, args := inList(1, []int64{7})
	require.Equal(t, "$1", one)
	require.Equal(t, []any{int64(7)}, args)
	_, args = inList(1, make([]string, 33))
	require.Len(t, args, 64)
	none, args := inList(1, []string(nil))
	require.Equal(t, "NULL", none)
	require.Empty(t, args)
}
