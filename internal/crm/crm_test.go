package crm_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/salesflow/salesflow/internal/app/apptest"
	"github.com/salesflow/salesflow/internal/auth"
	"github.com/salesflow/salesflow/internal/crm"
	"github.com/salesflow/salesflow/internal/records"
	"github.com/salesflow/salesflow/internal/store"
)

func eachDB(t *testing.T, fn func(t *testing.T, svc *crm.Service)) {
	for _, db := range apptest.Databases {
		t.Run(db, func(t *testing.T) {
			t.Parallel()
			st := apptest.Open(t, db).Store
			clock := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
			fn(t, crm.New(st, records.NewCatalog(), func() time.Time { return clock }))
		})
	}
}

var admin = auth.Actor{Kind: auth.KindToken, ID: "tok-1", Role: auth.Admin}

// A change and its event commit together or not at all (R3).
func TestFailedTransactionLeavesNeitherRecordNorEvent(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, svc *crm.Service) {
		ctx := context.Background()
		boom := errors.New("boom")
		var id string
		err := svc.Store().Write(ctx, func(tx *store.Tx) error {
			r, err := svc.CreateTx(ctx, tx, admin, "lead", map[string]any{"email": "ghost@x.io"})
			require.NoError(t, err)
			id = r.Record.ID()
			evs, err := tx.Events(ctx, "lead", id, 0, 10)
			require.NoError(t, err)
			require.Len(t, evs, 1, "inside the transaction the event exists")
			return boom
		})
		require.ErrorIs(t, err, boom)
		_, err = svc.Get(ctx, "lead", id)
		require.ErrorIs(t, err, records.ErrNotFound)
		require.NoError(t, svc.Store().Read(ctx, func(tx *store.Tx) error {
			evs, err := tx.EventsAfter(ctx, 0, 10)
			require.Empty(t, evs)
			return err
		}))
	})
}

func TestEventsRecordDiffAndActor(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, svc *crm.Service) {
		ctx := context.Background()
		r, err := svc.Create(ctx, admin, "lead", map[string]any{"email": "e@x.io", "status": "new"})
		require.NoError(t, err)
		id := r.Record.ID()
		_, err = svc.Update(ctx, admin, "lead", id, map[string]any{"status": "working", "company": "Acme"})
		require.NoError(t, err)
		require.NoError(t, svc.Delete(ctx, admin, "lead", id))
		require.NoError(t, svc.Store().Read(ctx, func(tx *store.Tx) error {
			evs, err := tx.EventsAfter(ctx, 0, 10)
			require.NoError(t, err)
			require.Len(t, evs, 3)
			require.Equal(t, []string{"created", "updated", "deleted"}, []string{evs[0].Kind, evs[1].Kind, evs[2].Kind})
			require.Equal(t, records.Change{Old: nil, New: "new"}, evs[0].Changes["status"])
			require.Equal(t, map[string]records.Change{
				"status":  {Old: "new", New: "working"},
				"company": {Old: nil, New: "Acme"},
			}, evs[1].Changes)
			require.Equal(t, records.Change{Old: "Acme", New: nil}, evs[2].Changes["company"])
			for _, e := range evs {
				require.Equal(t, "token", e.ActorType)
				require.Equal(t, "tok-1", e.ActorID)
			}
			return nil
		}))
	})
}
