package analytics_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/salesflow/salesflow/internal/analytics"
	"github.com/salesflow/salesflow/internal/app/apptest"
	"github.com/salesflow/salesflow/internal/auth"
	"github.com/salesflow/salesflow/internal/store"
)

func TestSpeedToLeadKeepsTheStepsApart(t *testing.T) {
	for _, db := range apptest.Databases {
		t.Run(db, func(t *testing.T) {
			t.Parallel()
			a := apptest.Open(t, db)
			ctx := t.Context()
			admin := auth.Actor{Kind: auth.KindAdminToken, ID: "t", Role: auth.Admin}
			mk := func(object string, in map[string]any) string {
				r, err := a.Service.Create(ctx, admin, object, in)
				require.NoError(t, err)
				return r.Record.ID()
			}
			team := mk("team", map[string]any{"name": "SDR"})
			// Ann works 09:00-17:00 in New York.
			ann := mk("user", map[string]any{"email": "ann@example.com", "name": "Ann", "team_id": team, "timezone": "America/New_York"})
			// Monday 2026-11-16 14:00 UTC is 09:00 in New York.
			base := time.Date(2026, 11, 16, 14, 0, 0, 0, time.UTC)
			lead := func(source string, created time.Duration, attempt, connect time.Duration) {
				id := mk("lead", map[string]any{"email": source + created.String() + "@acme.com", "source": source, "owner_id": ann})
				lo, _ := a.Service.Catalog().Get("lead")
				require.NoError(t, a.Store.Write(ctx, func(tx *store.Tx) error { return tx.Backdate(ctx, lo, id, base.Add(created)) }))
				if attempt > 0 {
					mk("activity", map[string]any{"type": "email_sent", "record_type": "lead", "record_id": id, "owner_id": ann,
						"occurred_at": base.Add(created + attempt).Format(time.RFC3339)})
				}
				if connect > 0 {
					mk("activity", map[string]any{"type": "call_logged", "record_type": "lead", "record_id": id, "owner_id": ann,
						"occurred_at": base.Add(created + connect).Format(time.RFC3339), "data": map[string]any{"outcome": "connected"}})
				}
			}
			lead("web_form", 0, 2*time.Minute, 30*time.Minute)
			lead("web_form", time.Hour, 10*time.Minute, 0)
			lead("demo_request", 2*time.Hour, 40*time.Minute, 45*time.Minute)
			lead("demo_request", -2*time.Hour, 3*time.Hour, 0) // 07:00 New York: 2 working hours to the attempt
			lead("list_import", 3*time.Hour, 0, 0)

			r, err := analytics.SpeedToLead(ctx, a.Store, a.Service.Catalog(), base.Add(-24*time.Hour), base.Add(24*time.Hour))
			require.NoError(t, err)
			require.Equal(t, 5, r.Overall.Leads)
			require.Equal(t, map[string]int{"under_5m": 1, "5m_15m": 1, "15m_60m": 1, "over_60m": 1, "none_yet": 1}, r.Overall.Bands)
			fa := r.Overall.FirstAttempt
			require.Equal(t, 4, fa.N)
			require.Equal(t, 600.0, *fa.Median)
			require.Equal(t, 10800.0, *fa.P95)
			require.Equal(t, 600.0, *fa.BusinessMedian)
			require.Equal(t, 3600.0, *fa.BusinessP95, "the 07:00 lead waited one working hour, not three")
			require.Equal(t, 2, r.Overall.FirstConnect.N)
			require.Equal(t, 1800.0, *r.Overall.FirstConnect.Median)
			require.Equal(t, 5, r.Overall.Assigned.N)
			require.Equal(t, 0.0, *r.Overall.Assigned.P95, "created with an owner: assigned at once")
			require.Equal(t, 2, r.Source["web_form"].Leads)
			require.Equal(t, 1, r.Source["list_import"].Bands["none_yet"])
			require.Equal(t, 5, r.Rep["ann@example.com"].Leads)
			require.Equal(t, 5, r.Team["SDR"].Leads)
		})
	}
}
