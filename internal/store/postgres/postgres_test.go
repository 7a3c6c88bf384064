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

// TestTransactionIsolation: whatever the server's default, a read is one snapshot (REPEATABLE READ) and
// a write READ COMMITTED, which the writes' locks (LockKey, FOR UPDATE) rely on.
func TestTransactionIsolation(t *testing.T) {
	t.Parallel()
	for _, def := range []string{"serializable", "read committed"} {
		url := pgtest.URL(t) + "&default_transaction_isolation=" + neturl.PathEscape(def)
		st, err := postgres.Open(t.Context(), url)
		require.NoError(t, err)
		t.Cleanup(func() { require.NoError(t, st.Close()) })
		var got string
		require.NoError(t, st.DB().QueryRowContext(t.Context(), "SHOW default_transaction_isolation").Scan(&got))
		require.Equal(t, def, got)
		level := func(run func(context.Context, func(*store.Tx) error) error) string {
			var l string
			require.NoError(t, run(t.Context(), func(tx *store.Tx) error {
				return tx.SQL().QueryRowContext(t.Context(), "SHOW transaction_isolation").Scan(&l)
			}))
			return l
		}
		require.Equal(t, "repeatable read", level(st.Read), "default %s", def)
		require.Equal(t, "read committed", level(st.Write), "default %s", def)
	}
}
