package store

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestASaveKeepingTheStatusLeavesTheIndexedColumnsOut: UpdateRun names status, active and wait_key
// only when the copy changed them since it was read or written (runs.go says why); a copy whose stored
// columns are not known names them all. The conformance suite (SaveKeepingStatus) checks that both
// forms store what they should.
func TestASaveKeepingTheStatusLeavesTheIndexedColumnsOut(t *testing.T) {
	tx := &Tx{d: Dialect{TimeArg: func(tm time.Time) any { return tm }}}
	names := func(r *Run) bool {
		q, args := tx.runUpdate(r, "{}")
		require.Equal(t, strings.Count(q, "$"), len(args), "one argument a parameter")
		return strings.Contains(q, "status =") && strings.Contains(q, "active =") && strings.Contains(q, "wait_key =")
	}
	r := &Run{ID: "r", Rev: 3, Status: RunWaiting, WaitKey: "task:1"}
	require.True(t, names(r), "a copy not read from the database")
	r.stored = r.indexed()
	r.Cursor, r.WaitUntil = "2", new(time.Time)
	require.False(t, names(r), "cursor and timer changed, status and wait key as stored")
	for _, change := range []func(*Run){
		func(r *Run) { r.Status = RunRunning },
		func(r *Run) { r.WaitKey = "task:2" },
		func(r *Run) { r.Rev = 4 },
	} {
		c := *r
		change(&c)
		require.True(t, names(&c))
	}
}
