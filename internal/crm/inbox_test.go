package crm_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/salesflow/salesflow/internal/auth"
	"github.com/salesflow/salesflow/internal/crm"
	"github.com/salesflow/salesflow/internal/store"
)

// TestInboxSaysWhatItLeftOut: an inbox reads the InboxLimit soonest-due tasks and counts the rest, so
// a list cut short says so; the ones left out are the latest due, never the overdue.
func TestInboxSaysWhatItLeftOut(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, svc *crm.Service) {
		ctx := context.Background()
		u, err := svc.Create(ctx, admin, "user", map[string]any{"email": "sam@example.com", "name": "Sam", "role": "rep"})
		require.NoError(t, err)
		rep := u.Record.ID()
		lead, err := svc.Create(ctx, admin, "lead", map[string]any{"email": "ann@acme.com", "owner_id": rep})
		require.NoError(t, err)
		start := svc.Now().Add(-time.Hour) // the first tasks are overdue
		require.NoError(t, svc.Store().Write(ctx, func(tx *store.Tx) error {
			for i := range crm.InboxLimit + 3 {
				_, err := svc.CreateTx(ctx, tx, admin, "task", map[string]any{"title": fmt.Sprint("call ", i), "owner_id": rep,
					"record_type": "lead", "record_id": lead.Record.ID(), "due_at": start.Add(time.Duration(i) * time.Minute).Format(time.RFC3339)})
				if err != nil {
					return err
				}
			}
			return nil
		}))
		in, err := svc.Inbox(ctx, auth.Actor{Kind: auth.KindToken, ID: "t", UserID: rep, Role: auth.Rep}, "", "")
		require.NoError(t, err)
		require.Len(t, in.Items, crm.InboxLimit)
		require.Equal(t, 3, in.Omitted)
		require.Equal(t, 60, in.Breaches[rep], "every overdue task is among those read")
		for _, it := range in.Items {
			require.NotContains(t, []string{"call 1000", "call 1001", "call 1002"}, it.Task.String("title"), "the latest due are left out")
		}
	})
}
