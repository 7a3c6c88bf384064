package storetest

import (
	"context"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/salesflow/salesflow/internal/store"
)

// testAfterWrite: the engine hears of every write commit with what it changed — events (for the
// trigger feed), a job due now (for the workers) — so that on SQLite a commit of anything else, or
// one that scheduled a job for later, need wake neither loop.
func testAfterWrite(t *testing.T, st *store.Store) {
	var mu sync.Mutex
	var got []store.Changes
	st.AfterWrite(func(c store.Changes) {
		mu.Lock()
		defer mu.Unlock()
		got = append(got, c)
	})
	last := func() []store.Changes {
		mu.Lock()
		defer mu.Unlock()
		out := got
		got = nil
		return out
	}
	write(t, st, func(ctx context.Context, tx *store.Tx) error { return tx.SetSetting(ctx, "k", "v", at(0)) })
	require.Equal(t, []store.Changes{{Wrote: true}}, last(), "a setting: neither events nor a job")
	write(t, st, func(ctx context.Context, tx *store.Tx) error {
		return tx.UpsertJob(ctx, store.Job{Key: "later", Kind: "run", DueAt: at(60)}, at(0))
	})
	require.Equal(t, []store.Changes{{Wrote: true}}, last(), "a job due later is found by the workers' poll")
	write(t, st, func(ctx context.Context, tx *store.Tx) error {
		return tx.UpsertJob(ctx, store.Job{Key: "now", Kind: "run", DueAt: at(0)}, at(0))
	})
	require.Equal(t, []store.Changes{{Jobs: true, Wrote: true}}, last())
	write(t, st, func(ctx context.Context, tx *store.Tx) error {
		return tx.AppendEvent(ctx, store.Event{ID: newID(t), RecordType: "lead", RecordID: newID(t), Kind: "created",
			ActorType: "test", ActorID: "t", OccurredAt: at(1)})
	})
	require.Equal(t, []store.Changes{{Events: true, Wrote: true}}, last())
	read(t, st, func(ctx context.Context, tx *store.Tx) error { _, err := tx.Setting(ctx, "k"); return err })
	require.Empty(t, last(), "a read tells nobody")
}
