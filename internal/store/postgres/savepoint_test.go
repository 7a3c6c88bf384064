package postgres_test

import (
	"context"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/salesflow/salesflow/internal/store"
	"github.com/salesflow/salesflow/internal/store/postgres"
	"github.com/salesflow/salesflow/internal/store/postgres/pgtest"
)

// TestCachedRollbackToOnAnotherConnectionInAnAbortedTransaction: the savepoint statements are cached
// (prepared on one connection of the pool); a transaction on another connection first meets ROLLBACK
// TO when it is aborted, so database/sql re-prepares it there, in the aborted transaction.
func TestCachedRollbackToOnAnotherConnectionInAnAbortedTransaction(t *testing.T) {
	pgtest.SkipIfUnset(t)
	ctx := context.Background()
	st, err := postgres.Open(ctx, pgtest.URL(t))
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, st.Close()) })
	round := func(hold *sync.WaitGroup) error {
		return st.Write(ctx, func(tx *store.Tx) error {
			if hold != nil {
				hold.Done()
				hold.Wait() // every transaction holds its own connection
			}
			if err := tx.Savepoint(ctx, "sp"); err != nil {
				return err
			}
			var before, after int
			require.NoError(t, tx.SQL().QueryRowContext(ctx, "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE 'ROLLBACK TO%'").Scan(&before))
			_, err := tx.SQL().ExecContext(ctx, "SELECT 1/0")
			require.Error(t, err)
			if err := tx.RollbackTo(ctx, "sp"); err != nil {
				return err
			}
			require.NoError(t, tx.SQL().QueryRowContext(ctx, "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE 'ROLLBACK TO%'").Scan(&after))
			if hold != nil { // the cache had it: this connection prepared it, in the aborted transaction
				require.GreaterOrEqual(t, after, 1, "prepared before: %d", before)
			}
			if err := tx.Release(ctx, "sp"); err != nil {
				return err
			}
			var n int
			return tx.SQL().QueryRowContext(ctx, "SELECT 1").Scan(&n)
		})
	}
	for range 2 { // seen, then prepared
		require.NoError(t, round(nil))
	}
	const n = 8
	var hold, done sync.WaitGroup
	hold.Add(n)
	errs := make([]error, n)
	for i := range n {
		done.Add(1)
		go func() { defer done.Done(); errs[i] = round(&hold) }()
	}
	done.Wait()
	for _, err := range errs {
		require.NoError(t, err)
	}
}
