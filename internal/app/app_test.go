package app_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/salesflow/salesflow/internal/app"
	"github.com/salesflow/salesflow/internal/app/apptest"
	"github.com/salesflow/salesflow/internal/store"
)

// TestIdempotencyKeysExpireByTheInstallationsClock: keys are stamped by the installation's clock, so
// they expire by it too — not by the wall clock, which would drop a key kept an hour ago (by the
// installation's clock) as days old.
func TestIdempotencyKeysExpireByTheInstallationsClock(t *testing.T) {
	for _, db := range apptest.Databases {
		t.Run(db, func(t *testing.T) {
			t.Parallel()
			now := time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)
			a := apptest.OpenWith(t, db, func(c *app.Config) { c.Now = func() time.Time { return now } })
			ctx := t.Context()
			require.NoError(t, a.Store.Write(ctx, func(tx *store.Tx) error {
				if err := tx.SaveIdempotentResponse(ctx, "user:1", "recent", store.Stored{Status: 201, Body: []byte("{}")}, now.Add(-time.Hour)); err != nil {
					return err
				}
				return tx.SaveIdempotentResponse(ctx, "user:1", "old", store.Stored{Status: 201, Body: []byte("{}")}, now.Add(-app.IdempotencyKeyLifetime-time.Minute))
			}))
			n, err := a.ExpireIdempotencyKeys(ctx)
			require.NoError(t, err)
			require.Equal(t, int64(1), n, "only the key older than the lifetime by the installation's clock")
			require.NoError(t, a.Store.Read(ctx, func(tx *store.Tx) error {
				_, err := tx.IdempotentResponse(ctx, "user:1", "recent")
				return err
			}))
		})
	}
}
