package store

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestPositionalRewritesDollarParameters(t *testing.T) {
	for _, c := range []struct {
		name, in, want string
		order          []int
		params         int
	}{
		{"in order", `UPDATE leads SET status = $1, updated_at = $2 WHERE id = $3`,
			`UPDATE leads SET status = ?, updated_at = ? WHERE id = ?`, nil, 3},
		{"one used twice", `UPDATE jobs SET locked_until = $1 WHERE locked_until > $1`,
			`UPDATE jobs SET locked_until = ? WHERE locked_until > ?`, []int{0, 0}, 1},
		{"out of order", `SELECT $2, $1, $3`, `SELECT ?, ?, ?`, []int{1, 0, 2}, 3},
		{"quoted text and a JSON path stay", `SELECT json_extract(custom, '$.a'), 'it''s $1', "$2" FROM t WHERE x = $1`,
			`SELECT json_extract(custom, '$.a'), 'it''s $1', "$2" FROM t WHERE x = ?`, nil, 1},
		{"a -- comment stays", "SELECT $1 -- not $2\nFROM t WHERE y = $2", "SELECT ? -- not $2\nFROM t WHERE y = ?", nil, 2},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, order, params := positional(c.in)
			require.Equal(t, c.want, got)
			require.Equal(t, c.order, order)
			require.Equal(t, c.params, params)
		})
	}
	for _, q := range []string{
		`SAVEPOINT w`,             // no parameter
		`SELECT ?, $1`,            // a ? already
		`SELECT $0`,               // no parameter of ours
		`SELECT $1, $3`,           // a number skipped: the driver says what is missing
		`SELECT /* $1 */ $2`,      // a block comment
		`SELECT [a$1], $1`,        // a bracketed name
		"SELECT `a$1`, $1",        // a backquoted one
		`SELECT c$1 FROM t`,       // a name with a $ inside
		`SELECT $1a FROM t`,       // and a name after one
		`SELECT $1; SELECT $2`,    // two statements: each would number its ?s from one
		`SELECT 'unterminated $1`, // a quote that does not end
	} {
		got, order, params := positional(q)
		require.Equal(t, q, got, "left as written")
		require.Nil(t, order)
		require.Zero(t, params)
	}
}

func TestArrangeTakesEachArgumentWherePositionalPutsIt(t *testing.T) {
	got, ok := arrange([]any{"a", "b"}, []int{1, 0, 0}, 2)
	require.True(t, ok)
	require.Equal(t, []any{"b", "a", "a"}, got)
	_, ok = arrange([]any{"a"}, []int{0, 1}, 2)
	require.False(t, ok, "an argument missing")
	_, ok = arrange([]any{"a", "b", "c"}, []int{1, 0}, 2)
	require.False(t, ok, "one too many")
	_, ok = arrange([]any{"a", "b", "c"}, nil, 2)
	require.False(t, ok, "one too many, in order")
}

// TestSQLiteRunsRewrittenStatements: statements whose $N repeat or come out of order give the same
// answers on SQLite once rewritten, prepared or not.
func TestSQLiteRunsRewrittenStatements(t *testing.T) {
	const q = `SELECT $2, $1 || $2, '$1' || $1`
	c := unpreparedThenPrepared(t, func(st *Tx) {
		var a, b, d string
		require.NoError(t, st.queryRow(t.Context(), q, "x", "y").Scan(&a, &b, &d))
		require.Equal(t, []string{"y", "xy", "$1x"}, []string{a, b, d})
	})
	require.NotNil(t, c.get(q), "the second round ran the prepared statement")
}

// TestSQLiteReportsAWrongArgumentCount: a statement given fewer arguments than its parameters fails as
// it did with named parameters, prepared or not, instead of binding what is there in order.
func TestSQLiteReportsAWrongArgumentCount(t *testing.T) {
	unpreparedThenPrepared(t, func(st *Tx) {
		var a, b string
		require.Error(t, st.queryRow(t.Context(), `SELECT $2, $1 || $2`, "x").Scan(&a, &b), "one missing")
		require.NoError(t, st.queryRow(t.Context(), `SELECT $2, $1 || $2`, "x", "y").Scan(&a, &b))
		require.Equal(t, []string{"y", "xy"}, []string{a, b})
	})
}

// unpreparedThenPrepared runs f in two transactions on a new SQLite database with a statement cache
// that rewrites $N: the texts f runs are prepared between the two.
func unpreparedThenPrepared(t *testing.T, f func(*Tx)) *stmtCache {
	db := memoryDB(t, "")
	c := newStmtCache(db, true)
	for range 2 {
		tx, err := db.BeginTx(t.Context(), nil)
		require.NoError(t, err)
		f(&Tx{tx: tx, cache: c})
		require.NoError(t, tx.Commit())
		c.prepare(t.Context())
	}
	return c
}
