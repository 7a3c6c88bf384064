package crm_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
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

// With a frozen clock every timeline item has the same time: paging must still return each item
// exactly once, in one order, whatever the page size.
func TestTimelinePagesWithEqualTimes(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, svc *crm.Service) {
		ctx := context.Background()
		r, err := svc.Create(ctx, admin, "lead", map[string]any{"email": "tl@x.io"})
		require.NoError(t, err)
		id := r.Record.ID()
		for i := range 12 {
			_, err := svc.Update(ctx, admin, "lead", id, map[string]any{"title": fmt.Sprintf("T%d", i)})
			require.NoError(t, err)
		}
		for i := range 7 {
			_, err := svc.Create(ctx, admin, "activity", map[string]any{"type": "note", "subject": fmt.Sprint(i), "record_type": "lead", "record_id": id})
			require.NoError(t, err)
		}
		for i := range 4 {
			_, err := svc.Create(ctx, admin, "task", map[string]any{"title": fmt.Sprint(i), "record_type": "lead", "record_id": id})
			require.NoError(t, err)
		}
		all, next, err := svc.Timeline(ctx, "lead", id, 500, "")
		require.NoError(t, err)
		require.Empty(t, next)
		require.Len(t, all, 1+12+7+4)
		for _, limit := range []int{1, 2, 3, 5, 7} {
			var got []string
			cursor := ""
			for range 100 {
				page, next, err := svc.Timeline(ctx, "lead", id, limit, cursor)
				require.NoError(t, err)
				for _, it := range page {
					got = append(got, it.ID)
				}
				if cursor = next; cursor == "" {
					break
				}
			}
			want := make([]string, len(all))
			for i, it := range all {
				want[i] = it.ID
			}
			require.Equal(t, want, got, "limit %d", limit)
		}
	})
}

// Concurrent changes of different fields of one record all survive, and each writes its event.
func TestConcurrentUpdatesLoseNothing(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, svc *crm.Service) {
		ctx := context.Background()
		r, err := svc.Create(ctx, admin, "lead", map[string]any{"email": "race@x.io"})
		require.NoError(t, err)
		id := r.Record.ID()
		patches := []map[string]any{{"first_name": "Ada"}, {"last_name": "Lovelace"}, {"title": "CTO"}, {"company": "AE"},
			{"source": "web"}, {"industry": "Software"}, {"employees": 12}, {"timeline": "Q3"}}
		var wg sync.WaitGroup
		for _, p := range patches {
			wg.Go(func() {
				_, err := svc.Update(ctx, admin, "lead", id, p)
				require.NoError(t, err)
			})
		}
		wg.Wait()
		got, err := svc.Get(ctx, "lead", id)
		require.NoError(t, err)
		for _, p := range patches {
			for k, v := range p {
				require.EqualValues(t, v, got[k], k)
			}
		}
		require.NoError(t, svc.Store().Read(ctx, func(tx *store.Tx) error {
			evs, err := tx.Events(ctx, "lead", id, 0, 100)
			require.Len(t, evs, 1+len(patches))
			return err
		}))
	})
}

// Concurrent creates of one lead email make one lead; the others are told which lead has it.
func TestConcurrentDuplicateLeads(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, svc *crm.Service) {
		ctx := context.Background()
		var wg sync.WaitGroup
		var mu sync.Mutex
		var ids, existing []string
		for range 12 {
			wg.Go(func() {
				r, err := svc.Create(ctx, admin, "lead", map[string]any{"email": "same@x.io"})
				mu.Lock()
				defer mu.Unlock()
				var ce *crm.ConflictError
				switch {
				case err == nil:
					ids = append(ids, r.Record.ID())
				case errors.As(err, &ce):
					existing = append(existing, ce.ExistingID)
				default:
					t.Errorf("unexpected error: %v", err)
				}
			})
		}
		wg.Wait()
		require.Len(t, ids, 1)
		require.Len(t, existing, 11)
		for _, e := range existing {
			require.Equal(t, ids[0], e, "every refusal names the lead that has the email")
		}
	})
}

// Removing a custom field clears it on every record with an event each (R3).
func TestDeleteFieldWritesEvents(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, svc *crm.Service) {
		ctx := context.Background()
		_, err := svc.DefineField(ctx, admin, store.FieldDef{Object: "lead", Name: "nick", Type: "string"})
		require.NoError(t, err)
		var ids []string
		for i := range 3 {
			r, err := svc.Create(ctx, admin, "lead", map[string]any{"email": fmt.Sprintf("n%d@x.io", i), "nick": fmt.Sprintf("N%d", i)})
			require.NoError(t, err)
			ids = append(ids, r.Record.ID())
		}
		plain, err := svc.Create(ctx, admin, "lead", map[string]any{"email": "plain@x.io"})
		require.NoError(t, err)
		require.NoError(t, svc.DeleteField(ctx, admin, "lead", "nick"))
		require.NoError(t, svc.Store().Read(ctx, func(tx *store.Tx) error {
			for i, id := range ids {
				evs, err := tx.Events(ctx, "lead", id, 0, 10)
				require.NoError(t, err)
				require.Len(t, evs, 2)
				require.Equal(t, records.Change{Old: fmt.Sprintf("N%d", i), New: nil}, evs[0].Changes["nick"])
			}
			evs, err := tx.Events(ctx, "lead", plain.Record.ID(), 0, 10)
			require.Len(t, evs, 1, "a record without a value is not touched")
			return err
		}))
		_, err = svc.DefineField(ctx, admin, store.FieldDef{Object: "lead", Name: "nick", Type: "number"})
		require.NoError(t, err, "the name can be reused with another type")
		_, _, err = svc.List(ctx, "lead", store.ListQuery{Sort: "created_at", Limit: 10})
		require.NoError(t, err)
	})
}

// A token never carries more rights than its user has now.
func TestTokenRoleFollowsTheUser(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, svc *crm.Service) {
		ctx := context.Background()
		u, err := svc.Create(ctx, admin, "user", map[string]any{"email": "mona@x.io", "name": "Mona", "role": "manager"})
		require.NoError(t, err)
		_, _, err = svc.CreateToken(ctx, admin, "admin", "mona@x.io", "")
		var ve *records.ValidationError
		require.ErrorAs(t, err, &ve, "an admin token for a manager is refused")
		_, secret, err := svc.CreateToken(ctx, admin, "manager", "mona@x.io", "")
		require.NoError(t, err)
		a, err := svc.Authenticate(ctx, secret)
		require.NoError(t, err)
		require.Equal(t, auth.Manager, a.Role)
		_, err = svc.Update(ctx, admin, "user", u.Record.ID(), map[string]any{"role": "rep"})
		require.NoError(t, err)
		a, err = svc.Authenticate(ctx, secret)
		require.NoError(t, err)
		require.Equal(t, auth.Rep, a.Role, "the demotion applies to the old token at once")
		_, err = svc.Update(ctx, admin, "user", u.Record.ID(), map[string]any{"active": false})
		require.NoError(t, err)
		_, err = svc.Authenticate(ctx, secret)
		require.ErrorIs(t, err, records.ErrNotFound, "a deactivated user's token stops working")
	})
}
