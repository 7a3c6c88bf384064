package storetest

import (
	"context"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/salesflow/salesflow/internal/store"
)

// testAfterWrite: the engine hears of a commit that may have given it work, and which. With one writer
// at a time (SQLite) that is a commit that appended events (the trigger feed) or made a job due now
// (the workers), and nothing else wakes anybody. Where writers overlap (PostgreSQL) any write's commit
// may release another's events or jobs, so every one wakes both; a read wakes nobody anywhere.
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
	overlap := st.Dialect().Name == "postgres"
	want := func(c store.Changes) []store.Changes {
		if overlap {
			return []store.Changes{{Events: true, Jobs: true}}
		}
		if c == (store.Changes{}) {
			return nil
		}
		return []store.Changes{c}
	}
	write(t, st, func(ctx context.Context, tx *store.Tx) error { return tx.SetSetting(ctx, "k", "v", at(0)) })
	require.Equal(t, want(store.Changes{}), last(), "a setting: neither events nor a job")
	write(t, st, func(ctx context.Context, tx *store.Tx) error {
		return tx.UpsertJob(ctx, store.Job{Key: "later", Kind: "run", DueAt: at(60)}, at(0))
	})
	require.Equal(t, want(store.Changes{}), last(), "a job due later is found by the workers' poll")
	write(t, st, func(ctx context.Context, tx *store.Tx) error {
		return tx.UpsertJob(ctx, store.Job{Key: "now", Kind: "run", DueAt: at(0)}, at(0))
	})
	require.Equal(t, want(store.Changes{Jobs: true}), last())
	write(t, st, func(ctx context.Context, tx *store.Tx) error {
		return tx.AppendEvent(ctx, store.Event{ID: newID(t), RecordType: "lead", RecordID: newID(t), Kind: "created",
			ActorType: "test", ActorID: "t", OccurredAt: at(1)})
	})
	require.Equal(t, want(store.Changes{Events: true}), last())
	read(t, st, func(ctx context.Context, tx *store.Tx) error { _, err := tx.Setting(ctx, "k"); return err })
	require.Empty(t, last(), "a read tells nobody")
}
