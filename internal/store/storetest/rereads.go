package storetest

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/salesflow/salesflow/internal/records"
	"github.com/salesflow/salesflow/internal/store"
)

// testRereadInTransaction: a record read again in the transaction that read it (SQLite answers from
// what it read) is as the database has it after every write, rollback and delete in between, and a
// caller's changes to what it got never show in a later read.
func testRereadInTransaction(t *testing.T, st *store.Store) {
	leads := object(t, "lead")
	rec := complete(leads, insert(t, st, leads, records.Values{"email": "reread@acme.com", "status": "new", "score": 0.0}))
	id := rec.ID()
	status := func(ctx context.Context, tx *store.Tx) any {
		got, err := tx.Get(ctx, leads, id)
		require.NoError(t, err)
		return got["status"]
	}
	setStatus := func(ctx context.Context, tx *store.Tx, s string) {
		next := records.Values{}
		for k, v := range rec {
			next[k] = v
		}
		next["status"] = s
		require.NoError(t, tx.UpdateChanged(ctx, leads, next, records.Diff(rec, next)))
	}
	write(t, st, func(ctx context.Context, tx *store.Tx) error {
		for range 2 { // the first read, then the same again
			got, err := tx.Get(ctx, leads, id)
			require.NoError(t, err)
			require.Equal(t, "new", got["status"])
			got["status"] = "changed by the caller"
		}
		require.Equal(t, "new", status(ctx, tx), "a caller's change to a record it read")

		setStatus(ctx, tx, "working")
		require.Equal(t, "working", status(ctx, tx), "after an update")

		require.NoError(t, tx.Savepoint(ctx, "sp"))
		setStatus(ctx, tx, "lost")
		require.Equal(t, "lost", status(ctx, tx), "after an update in a savepoint")
		require.NoError(t, tx.RollbackTo(ctx, "sp"))
		require.NoError(t, tx.Release(ctx, "sp"))
		require.Equal(t, "working", status(ctx, tx), "after the savepoint was rolled back")

		missing := complete(leads, records.Values{"id": newID(t), "status": "new"})
		next := complete(leads, missing)
		next["status"] = "working"
		require.ErrorIs(t, tx.UpdateChanged(ctx, leads, next, records.Diff(missing, next)), records.ErrNotFound)
		ok, err := tx.Exists(ctx, leads, missing.ID())
		require.NoError(t, err)
		require.False(t, ok, "a record an update did not find")

		require.NoError(t, tx.Delete(ctx, leads, id))
		_, err = tx.Get(ctx, leads, id)
		require.ErrorIs(t, err, records.ErrNotFound, "read after its delete")
		ok, err = tx.Exists(ctx, leads, id)
		require.NoError(t, err)
		require.False(t, ok, "exists after its delete")
		return nil
	})
}

// testRereadWithAnotherObject: a record read with the catalog's object (no custom fields) and then
// with the object that has them is read whole the second time, and an update from that read keeps
// the custom fields it did not change.
func testRereadWithAnotherObject(t *testing.T, st *store.Store) {
	bare := object(t, "lead")
	full := bare.WithCustom([]records.Field{{Name: "cf_region", Type: records.String, Custom: true},
		{Name: "cf_tier", Type: records.String, Custom: true}})
	rec := complete(full, insert(t, st, full, records.Values{"email": "objects@acme.com", "status": "new", "score": 0.0,
		"cf_region": "emea", "cf_tier": "gold"}))
	write(t, st, func(ctx context.Context, tx *store.Tx) error {
		_, err := tx.Get(ctx, bare, rec.ID())
		require.NoError(t, err)
		got, err := tx.GetForUpdate(ctx, full, "id", rec.ID())
		require.NoError(t, err)
		require.Equal(t, "emea", got["cf_region"], "read with the custom fields after a read without")
		next := records.Values{}
		for k, v := range got {
			next[k] = v
		}
		next["cf_tier"] = "silver"
		return tx.UpdateChanged(ctx, full, next, records.Diff(got, next))
	})
	got := get(t, st, full, rec.ID())
	require.Equal(t, "emea", got["cf_region"], "a custom field the update did not change")
	require.Equal(t, "silver", got["cf_tier"])
}

// testPrefetchRuns: after PrefetchRuns (a feed batch's records), PreviousRun still finds every run —
// those stored before, and those this transaction stored — and finds none where there is none.
func testPrefetchRuns(t *testing.T, st *store.Store) {
	ran, fresh, unasked := newID(t), newID(t), newID(t)
	run := func(workflow, record string, status string) store.Run {
		return store.Run{ID: newID(t), Workflow: workflow, Version: 1, RecordType: "lead", RecordID: record, Status: status,
			State: map[string]any{}, StartedAt: at(1), UpdatedAt: at(1)}
	}
	before := run("intake", ran, store.RunCompleted)
	elsewhere := run("intake", unasked, store.RunCompleted)
	write(t, st, func(ctx context.Context, tx *store.Tx) error {
		if err := tx.InsertRun(ctx, &before); err != nil {
			return err
		}
		return tx.InsertRun(ctx, &elsewhere)
	})
	previous := func(ctx context.Context, tx *store.Tx, workflow, record string) (string, bool) {
		r, ok, err := tx.PreviousRun(ctx, workflow, record)
		require.NoError(t, err)
		return r.ID, ok
	}
	write(t, st, func(ctx context.Context, tx *store.Tx) error {
		require.NoError(t, tx.PrefetchRuns(ctx, []string{ran, fresh}))
		got, ok := previous(ctx, tx, "intake", ran)
		require.True(t, ok, "a run stored before")
		require.Equal(t, before.ID, got)
		_, ok = previous(ctx, tx, "another", ran)
		require.False(t, ok, "another workflow's run")
		_, ok = previous(ctx, tx, "intake", fresh)
		require.False(t, ok, "a record without runs")
		got, ok = previous(ctx, tx, "intake", unasked)
		require.True(t, ok, "a record the prefetch was not asked about")
		require.Equal(t, elsewhere.ID, got)

		now := run("intake", fresh, store.RunRunning)
		require.NoError(t, tx.InsertRun(ctx, &now))
		got, ok = previous(ctx, tx, "intake", fresh)
		require.True(t, ok, "a run this transaction stored")
		require.Equal(t, now.ID, got)
		return nil
	})
}

// testOnCommit: a hook runs once its transaction commits; not when the transaction fails, nor when
// the savepoint open when it was given is rolled back (one released keeps its hooks).
func testOnCommit(t *testing.T, st *store.Store) {
	var ran []string
	hook := func(name string) func() { return func() { ran = append(ran, name) } }
	write(t, st, func(ctx context.Context, tx *store.Tx) error {
		tx.OnCommit(hook("before"))
		require.NoError(t, tx.Savepoint(ctx, "sp"))
		tx.OnCommit(hook("undone"))
		require.NoError(t, tx.Savepoint(ctx, "sp_inner"))
		tx.OnCommit(hook("undone inner"))
		require.NoError(t, tx.RollbackTo(ctx, "sp"))
		require.NoError(t, tx.Release(ctx, "sp"))
		require.NoError(t, tx.Savepoint(ctx, "sp"))
		tx.OnCommit(hook("released"))
		require.NoError(t, tx.Release(ctx, "sp"))
		require.Empty(t, ran, "nothing runs before the commit")
		return nil
	})
	require.Equal(t, []string{"before", "released"}, ran)

	ran = nil
	err := st.Write(context.Background(), func(tx *store.Tx) error {
		tx.OnCommit(hook("failed"))
		return errors.New("no")
	})
	require.Error(t, err)
	require.Empty(t, ran, "a transaction that failed")
}

// testRemember: what a transaction remembers it recalls until it ends, except what was remembered
// inside a savepoint that is rolled back.
func testRemember(t *testing.T, st *store.Store) {
	write(t, st, func(ctx context.Context, tx *store.Tx) error {
		tx.Remember("a", 1)
		require.NoError(t, tx.Savepoint(ctx, "sp"))
		tx.Remember("b", 2)
		tx.Remember("a", 3)
		v, ok := tx.Recall("a")
		require.True(t, ok)
		require.Equal(t, 3, v, "the newest")
		require.NoError(t, tx.RollbackTo(ctx, "sp"))
		require.NoError(t, tx.Release(ctx, "sp"))
		_, ok = tx.Recall("b")
		require.False(t, ok, "remembered in the savepoint rolled back")
		v, ok = tx.Recall("a")
		require.True(t, ok)
		require.Equal(t, 1, v, "as before the savepoint")
		return nil
	})
}
