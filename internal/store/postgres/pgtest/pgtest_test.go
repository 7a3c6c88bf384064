package pgtest_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/salesflow/salesflow/internal/store/postgres/pgtest"
)

func TestWithSearchPath(t *testing.T) {
	t.Parallel()
	cases := []struct{ in, want string }{
		{"postgres://postgres@127.0.0.1:5432/test", "postgres://postgres@127.0.0.1:5432/test?search_path=sf_test_1"},
		{"postgres://postgres@127.0.0.1:5432/test?sslmode=disable",
			"postgres://postgres@127.0.0.1:5432/test?search_path=sf_test_1&sslmode=disable"},
		{"postgresql://u:p%40ss@h/db?search_path=public&sslmode=disable",
			"postgresql://u:p%40ss@h/db?search_path=sf_test_1&sslmode=disable"},
		{"host=127.0.0.1 dbname=test", "host=127.0.0.1 dbname=test search_path=sf_test_1"},
	}
	for _, c := range cases {
		got, err := pgtest.WithSearchPath(c.in, "sf_test_1")
		require.NoError(t, err)
		require.Equal(t, c.want, got, c.in)
	}
}
