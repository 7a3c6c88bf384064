package postgres_test

import (
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
