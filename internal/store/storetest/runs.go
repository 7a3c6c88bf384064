package storetest

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/salesflow/salesflow/internal/store"
)

// testPreviousRun: the run that decides re-enrollment is the record's active run of the workflow when
// it has one, even if a newer run has ended (an older run retried by hand), else its newest.
func testPreviousRun(t *testing.T, st *store.Store) {
	rec := newID(t)
	run := func(status string, n int) store.Run {
		return store.Run{ID: newID(t), Workflow: "intake", Version: 1, RecordType: "lead", RecordID: rec, Status: status,
			State: map[string]any{}, StartedAt: at(n), UpdatedAt: at(n)}
	}
	previous := func() (store.Run, bool) {
		var r store.Run
		var ok bool
		read(t, st, func(ctx context.Context, tx *store.Tx) (err error) {
			r, ok, err = tx.PreviousRun(ctx, "intake", rec)
			return err
		})
		return r, ok
	}
	_, ok := previous()
	require.False(t, ok, "no run yet")

	first, second := run(store.RunCompleted, 1), run(store.RunFailed, 2)
	other := run(store.RunCompleted, 3)
	other.Workflow = "another"
	write(t, st, func(ctx context.Context, tx *store.Tx) error {
		for _, r := range []store.Run{first, second, other} {
			if err := tx.InsertRun(ctx, r); err != nil {
				return err
			}
		}
		return nil
	})
	got, ok := previous()
	require.True(t, ok)
	require.Equal(t, second.ID, got.ID, "the newest run of this workflow")

	retried := run(store.RunRunning, 0) // older than both, but active
	write(t, st, func(ctx context.Context, tx *store.Tx) error { return tx.InsertRun(ctx, retried) })
	got, _ = previous()
	require.Equal(t, retried.ID, got.ID, "the active run, though older")
	require.True(t, got.Active())
}
