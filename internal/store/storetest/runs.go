package storetest

import (
	"context"
	"testing"
	"time"

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
			if err := tx.InsertRun(ctx, &r); err != nil {
				return err
			}
		}
		return nil
	})
	got, ok := previous()
	require.True(t, ok)
	require.Equal(t, second.ID, got.ID, "the newest run of this workflow")

	retried := run(store.RunRunning, 0) // older than both, but active
	write(t, st, func(ctx context.Context, tx *store.Tx) error { return tx.InsertRun(ctx, &retried) })
	got, _ = previous()
	require.Equal(t, retried.ID, got.ID, "the active run, though older")
	require.True(t, got.Active())
}

// testPaddedLists: the lists of keys the engine reads and leases by are padded to a power of two with
// their last key (a few statement texts serve every batch size); a repeated key must neither add rows
// nor count a claim twice.
func testPaddedLists(t *testing.T, st *store.Store) {
	now := at(10)
	var keys []string
	write(t, st, func(ctx context.Context, tx *store.Tx) error {
		for i := range 3 {
			k := "padded:" + newID(t)
			keys = append(keys, k)
			if err := tx.UpsertJob(ctx, store.Job{Key: k, Kind: "run", DueAt: at(i)}, now); err != nil {
				return err
			}
		}
		return nil
	})
	var claimed []store.Job
	write(t, st, func(ctx context.Context, tx *store.Tx) (err error) {
		claimed, err = tx.ClaimJobs(ctx, now, time.Minute, 10)
		return err
	})
	require.Len(t, claimed, 3)
	for _, k := range keys {
		read(t, st, func(ctx context.Context, tx *store.Tx) error {
			j, ok, err := tx.JobByKey(ctx, k)
			require.True(t, ok)
			require.Equal(t, 1, j.Attempts, "one claim counts once though its id is repeated in the list")
			return err
		})
	}

	recA, recB, waitOn := newID(t), newID(t), newID(t)
	a := store.Run{ID: newID(t), Workflow: "intake", Version: 1, RecordType: "lead", RecordID: recA, Status: store.RunRunning,
		State: map[string]any{}, StartedAt: now, UpdatedAt: now}
	b := a
	b.ID, b.RecordID, b.Status, b.WaitKind, b.WaitKey = newID(t), recB, store.RunWaiting, "task", waitOn
	write(t, st, func(ctx context.Context, tx *store.Tx) error {
		if err := tx.InsertRun(ctx, &a); err != nil {
			return err
		}
		return tx.InsertRun(ctx, &b)
	})
	read(t, st, func(ctx context.Context, tx *store.Tx) error {
		refs, err := tx.ActiveRunRefs(ctx, []string{recA, "nobody", waitOn})
		require.NoError(t, err)
		var ids []string
		for _, r := range refs {
			ids = append(ids, r.ID)
		}
		require.ElementsMatch(t, []string{a.ID, b.ID}, ids, "each run once: by its record, by what it waits on")
		waiting, err := tx.WaitingOn(ctx, []string{"nobody", recA, waitOn})
		require.NoError(t, err)
		require.Len(t, waiting, 1)
		require.Equal(t, b.ID, waiting[0].ID)
		rev, active, err := tx.RunRev(ctx, a.ID)
		require.NoError(t, err)
		require.Equal(t, []any{int64(1), true}, []any{rev, active})
		_, active, err = tx.RunRev(ctx, "no-such-run")
		require.NoError(t, err)
		require.False(t, active)
		return nil
	})
}

// testHistoryKeepsOtherSteps: an entry saved again under its seq replaces the stored one when it is
// the same step's (a wait that ended); another step's entry under a taken seq is refused (ErrStale),
// not merged into it.
func testHistoryKeepsOtherSteps(t *testing.T, st *store.Store) {
	now := at(0)
	r := store.Run{ID: newID(t), Workflow: "intake", Version: 1, RecordType: "lead", RecordID: newID(t), Status: store.RunRunning,
		State: map[string]any{}, StartedAt: now, UpdatedAt: now}
	entry := func(seq int, id, status string) store.StepRecord {
		return store.StepRecord{RunID: r.ID, Seq: seq, Version: 1, StepID: id, Addr: "1", Type: "delay", Status: status, Attempts: 1, StartedAt: now}
	}
	write(t, st, func(ctx context.Context, tx *store.Tx) error {
		if err := tx.InsertRun(ctx, &r); err != nil {
			return err
		}
		return tx.SaveSteps(ctx, []store.StepRecord{entry(1, "wait", "waiting")})
	})
	write(t, st, func(ctx context.Context, tx *store.Tx) error {
		return tx.SaveSteps(ctx, []store.StepRecord{entry(1, "wait", "done"), entry(2, "stamp", "done")})
	})
	err := st.Write(t.Context(), func(tx *store.Tx) error {
		return tx.SaveSteps(t.Context(), []store.StepRecord{entry(2, "loop_guard", "blocked")})
	})
	require.ErrorIs(t, err, store.ErrStale)
	read(t, st, func(ctx context.Context, tx *store.Tx) error {
		steps, err := tx.Steps(ctx, r.ID)
		require.NoError(t, err)
		require.Len(t, steps, 2)
		require.Equal(t, []string{"wait done", "stamp done"}, []string{steps[0].StepID + " " + steps[0].Status, steps[1].StepID + " " + steps[1].Status})
		return nil
	})
}

// testInterruptedClaims: a claim says whether the job's previous lease ended without the job being
// given back (its process stopped during it): only then may an outside call it had committed have
// been made already. A job given back (ReturnJob), put back for a retry (RetryJob) or new is not.
// ReleaseLeases (SQLite at startup) ends leases as if they had run out.
func testInterruptedClaims(t *testing.T, st *store.Store) {
	const lease = time.Minute
	claim := func(now time.Time) map[string]store.Job {
		out := map[string]store.Job{}
		write(t, st, func(ctx context.Context, tx *store.Tx) error {
			jobs, err := tx.ClaimJobs(ctx, now, lease, 10)
			for _, j := range jobs {
				out[j.Key] = j
			}
			return err
		})
		return out
	}
	schedule := func(now time.Time, keys ...string) {
		write(t, st, func(ctx context.Context, tx *store.Tx) error {
			for _, k := range keys {
				if err := tx.UpsertJob(ctx, store.Job{Key: k, Kind: "run", DueAt: now}, now); err != nil {
					return err
				}
			}
			return nil
		})
	}
	schedule(at(0), "lapsed", "returned", "retried")
	first := claim(at(0))
	require.Len(t, first, 3)
	for k, j := range first {
		require.False(t, j.Interrupted, "%s: a new job", k)
	}
	write(t, st, func(ctx context.Context, tx *store.Tx) error {
		if _, err := tx.ReturnJob(ctx, first["returned"], at(0).Add(lease), at(0)); err != nil {
			return err
		}
		return tx.RetryJob(ctx, first["retried"], at(0))
	})
	early := claim(at(0).Add(2 * time.Second)) // before "lapsed"'s lease runs out
	require.Len(t, early, 2)
	require.False(t, early["returned"].Interrupted, "given back")
	require.False(t, early["retried"].Interrupted, "put back for a retry")
	late := claim(at(0).Add(lease + time.Second))
	require.Len(t, late, 1)
	require.True(t, late["lapsed"].Interrupted, "its lease ran out")

	write(t, st, func(ctx context.Context, tx *store.Tx) error {
		for _, k := range []string{"lapsed", "returned", "retried"} {
			if err := tx.DeleteJob(ctx, k); err != nil {
				return err
			}
		}
		return nil
	})
	schedule(at(10), "released")
	require.False(t, claim(at(10))["released"].Interrupted)
	write(t, st, func(ctx context.Context, tx *store.Tx) error {
		_, err := tx.ReleaseLeases(ctx, at(10).Add(time.Second))
		return err
	})
	again := claim(at(10).Add(2 * time.Second))
	require.Len(t, again, 1)
	require.True(t, again["released"].Interrupted, "its process is gone")
}

// testSaveKeepingStatus: a save that keeps a run's status and wait key leaves those columns out of its
// UPDATE (runs.go says why). What it does change is stored; the indexes on status, activity and wait
// still find the run; a later change of status through that copy moves it in them; and a copy whose rev
// is no longer the stored one is refused, whichever form its save takes.
func testSaveKeepingStatus(t *testing.T, st *store.Store) {
	rec := newID(t)
	r := store.Run{ID: newID(t), Workflow: "intake", Version: 1, RecordType: "lead", RecordID: rec, Status: store.RunWaiting,
		Cursor: "0", WaitKind: "event", WaitKey: "task:1", State: map[string]any{}, StartedAt: at(1), UpdatedAt: at(1)}
	write(t, st, func(ctx context.Context, tx *store.Tx) error { return tx.InsertRun(ctx, &r) })
	stale := r

	until, ended := at(5), at(6)
	r.Version, r.Cursor, r.State["n"] = 2, "1", 1.0
	r.WaitUntil, r.EndedAt, r.Error, r.EndReason, r.UpdatedAt = &until, &ended, "slow", "why", at(2)
	write(t, st, func(ctx context.Context, tx *store.Tx) error { return tx.UpdateRun(ctx, &r) })
	got := runByID(t, st, r.ID)
	require.Equal(t, []any{2, "1", 1.0, at(5), at(6), "slow", "why", at(2), store.RunWaiting, "task:1"},
		[]any{got.Version, got.Cursor, got.State["n"], *got.WaitUntil, *got.EndedAt, got.Error, got.EndReason, got.UpdatedAt, got.Status, got.WaitKey})
	require.Equal(t, []string{r.ID}, runIDs(t, st, store.RunFilter{Status: store.RunWaiting, Workflow: "intake", RecordID: rec}))
	read(t, st, func(ctx context.Context, tx *store.Tx) error {
		refs, err := tx.ActiveRunRefs(ctx, []string{rec})
		require.NoError(t, err)
		require.Len(t, refs, 1, "still active")
		require.Equal(t, "task:1", refs[0].WaitKey)
		return nil
	})

	keeping, ending := stale, stale // copies of rev 1, now that the save made rev 2
	keeping.Cursor = "9"
	ending.Status, ending.WaitKey = store.RunCancelled, ""
	for _, c := range []store.Run{keeping, ending} {
		err := st.Write(t.Context(), func(tx *store.Tx) error { return tx.UpdateRun(t.Context(), &c) })
		require.ErrorIs(t, err, store.ErrStale, "a copy of rev 1 saved as %s", c.Status)
	}

	r.Status, r.WaitKind, r.WaitKey = store.RunCompleted, "", ""
	write(t, st, func(ctx context.Context, tx *store.Tx) error { return tx.UpdateRun(ctx, &r) })
	require.Empty(t, runIDs(t, st, store.RunFilter{Status: store.RunWaiting, RecordID: rec}))
	require.Equal(t, []string{r.ID}, runIDs(t, st, store.RunFilter{Status: store.RunCompleted, Workflow: "intake", RecordID: rec}))
	next := store.Run{ID: newID(t), Workflow: "intake", Version: 2, RecordType: "lead", RecordID: rec, Status: store.RunRunning,
		State: map[string]any{}, StartedAt: at(3), UpdatedAt: at(3)}
	write(t, st, func(ctx context.Context, tx *store.Tx) error { return tx.InsertRun(ctx, &next) })
	require.False(t, runByID(t, st, r.ID).Active(), "the ended run gave its record's slot up")
}

func runByID(t *testing.T, st *store.Store, id string) store.Run {
	var r store.Run
	write(t, st, func(ctx context.Context, tx *store.Tx) (err error) { // Run reads FOR UPDATE
		r, err = tx.Run(ctx, id)
		return err
	})
	return r
}

func runIDs(t *testing.T, st *store.Store, f store.RunFilter) []string {
	var ids []string
	read(t, st, func(ctx context.Context, tx *store.Tx) error {
		runs, err := tx.ListRuns(ctx, f)
		for _, r := range runs {
			ids = append(ids, r.ID)
		}
		return err
	})
	return ids
}
