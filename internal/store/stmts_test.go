package store

import (
	"database/sql"
	"testing"

	"github.com/stretchr/testify/require"

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
	c := newStmtCache(db)
	const q = `SELECT 1`
	cached, err := db.PrepareContext(ctx, q)
	require.NoError(t, err)
	c.m[q] = cached
	c.pending[q] = true // queued again by a transaction that ran before it was cached
	c.prepare(ctx)
	require.Same(t, cached, c.get(q), "the statement cached first stays")
	var one int
	require.NoError(t, cached.QueryRowContext(ctx).Scan(&one), "and was not closed")
	require.Equal(t, 1, one)
	require.Empty(t, c.pending)
}
