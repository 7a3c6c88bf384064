package store

import (
	"database/sql"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestPositionalRewritesDollarParameters(t *testing.T) {
	for _, c := range []struct {
		name, in, want string
		order          []int
	}{
		{"in order", `UPDATE leads SET status = $1, updated_at = $2 WHERE id = $3`,
			`UPDATE leads SET status = ?, updated_at = ? WHERE id = ?`, nil},
		{"one used twice", `UPDATE jobs SET locked_until = $1 WHERE locked_until > $1`,
			`UPDATE jobs SET locked_until = ? WHERE locked_until > ?`, []int{0, 0}},
		{"out of order", `SELECT $2, $1, $10`, `SELECT ?, ?, ?`, []int{1, 0, 9}},
		{"quoted text and a JSON path stay", `SELECT json_extract(custom, '$.a'), 'it''s $1', "$2" FROM t WHERE x = $1`,
			`SELECT json_extract(custom, '$.a'), 'it''s $1', "$2" FROM t WHERE x = ?`, nil},
		{"a comment stays", "SELECT $1 -- not $2\nFROM t WHERE y = $2", "SELECT ? -- not $2\nFROM t WHERE y = ?", nil},
		{"no parameter", `SAVEPOINT w`, `SAVEPOINT w`, nil},
		{"a ? already: left alone", `SELECT ?, $1`, `SELECT ?, $1`, nil},
		{"$0 is no parameter of ours: left alone", `SELECT $0`, `SELECT $0`, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, order := positional(c.in)
			require.Equal(t, c.want, got)
			require.Equal(t, c.order, order)
		})
	}
}

func TestArrangeTakesEachArgumentWherePositionalPutsIt(t *testing.T) {
	require.Equal(t, []any{"b", "a", "a"}, arrange([]any{"a", "b"}, []int{1, 0, 0}))
	args := []any{"a"}
	require.Equal(t, args, arrange(args, []int{0, 1}), "a missing argument is left for the driver to report")
	require.Equal(t, args, arrange(args, nil))
}

// TestSQLiteRunsRewrittenStatements: statements whose $N repeat or come out of order give the same
// answers on SQLite once rewritten, prepared or not.
func TestSQLiteRunsRewrittenStatements(t *testing.T) {
	ctx := t.Context()
	db, err := sql.Open("sqlite", ":memory:")
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })
	db.SetMaxOpenConns(1)
	c := newStmtCache(db, true)
	for range 2 { // unprepared, then prepared
		tx, err := db.BeginTx(ctx, nil)
		require.NoError(t, err)
		st := &Tx{tx: tx, cache: c}
		var a, b, d string
		require.NoError(t, st.queryRow(ctx, `SELECT $2, $1 || $2, '$1' || $1`, "x", "y").Scan(&a, &b, &d))
		require.Equal(t, []string{"y", "xy", "$1x"}, []string{a, b, d})
		require.NoError(t, tx.Commit())
		c.prepare(ctx)
	}
	s, _ := c.get(`SELECT $2, $1 || $2, '$1' || $1`)
	require.NotNil(t, s, "the second round ran the prepared statement")
}
