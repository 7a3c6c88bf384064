package postgres_test

import (
	"context"
	neturl "net/url"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/salesflow/salesflow/internal/store"
	"github.com/salesflow/salesflow/internal/store/postgres"
	"github.com/salesflow/salesflow/internal/store/postgres/pgtest"
	"github.com/salesflow/salesflow/internal/store/storetest"
)

func TestConformance(t *testing.T) {
	t.Parallel()
	pgtest.SkipIfUnset(t)
	storetest.Run(t, func(t *testing.T) *store.Store {
		t.Helper()
		url := pgtest.URL(t)
		st, err := postgres.Open(t.Context(), url)
		require.NoError(t, err)
		t.Cleanup(func() { require.NoError(t, st.Close()) })
		_, err = st.Migrate(t.Context())
		require.NoError(t, err)
		return st
	})
}

// TestTransactionsAreReadCommitted: the trigger feed's bound needs each statement to see what committed
// before it, so the store's transactions are READ COMMITTED even where the server's default is not.
func TestTransactionsAreReadCommitted(t *testing.T) {
	t.Parallel()
	url := pgtest.URL(t) + "&default_transaction_isolation=" + neturl.PathEscape("repeatable read")
	st, err := postgres.Open(t.Context(), url)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, st.Close()) })
	var def string
	require.NoError(t, st.DB().QueryRowContext(t.Context(), "SHOW default_transaction_isolation").Scan(&def))
	require.Equal(t, "repeatable read", def, "the connection's default is not read committed")
	for _, run := range []func(context.Context, func(*store.Tx) error) error{st.Read, st.Write} {
		var level string
		require.NoError(t, run(t.Context(), func(tx *store.Tx) error {
			return tx.SQL().QueryRowContext(t.Context(), "SHOW transaction_isolation").Scan(&level)
		}))
		require.Equal(t, "read committed", level)
	}
}
