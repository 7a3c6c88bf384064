package crm_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/salesflow/salesflow/internal/app/apptest"
	"github.com/salesflow/salesflow/internal/auth"
	"github.com/salesflow/salesflow/internal/crm"
	"github.com/salesflow/salesflow/internal/records"
)

// TestBrowserSessions: a session acts as the token it came from, works only in the browser, and ends
// when it is signed out, when it expires, when its token is revoked, or — for one started with
// SALESFLOW_ADMIN_TOKEN — when that variable changes.
func TestBrowserSessions(t *testing.T) {
	t.Parallel()
	for _, db := range apptest.Databases {
		t.Run(db, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			now := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
			svc := crm.New(apptest.Open(t, db).Store, records.NewCatalog(), func() time.Time { return now })
			root := auth.Actor{Kind: auth.KindAdminToken, ID: "SALESFLOW_ADMIN_TOKEN", Role: auth.Admin}
			_, err := svc.Create(ctx, root, "user", map[string]any{"email": "sam@example.com", "name": "Sam", "role": "rep"})
			require.NoError(t, err)
			tok, secret, err := svc.CreateToken(ctx, root, "rep", "sam@example.com", "laptop")
			require.NoError(t, err)
			typed, err := svc.Authenticate(ctx, secret)
			require.NoError(t, err)

			session, expires, err := svc.StartSession(ctx, typed, "")
			require.NoError(t, err)
			require.Equal(t, now.Add(crm.SessionTTL), expires)
			a, err := svc.SessionActor(ctx, session, "")
			require.NoError(t, err)
			require.Equal(t, tok.ID, a.ID, "the audit trail names the token typed in, not the session")
			require.EqualValues(t, "rep", a.Role)
			require.Equal(t, "Sam", a.Name, "the user's name comes with the check, for the page header")

			_, err = svc.Authenticate(ctx, session)
			require.ErrorIs(t, err, records.ErrNotFound, "a session is no API token")
			_, err = svc.SessionActor(ctx, secret, "")
			require.ErrorIs(t, err, records.ErrNotFound, "an API token is no session")

			now = expires
			_, err = svc.SessionActor(ctx, session, "")
			require.ErrorIs(t, err, records.ErrNotFound, "expired")
			now = expires.Add(-time.Hour)

			second, _, err := svc.StartSession(ctx, typed, "")
			require.NoError(t, err)
			require.NoError(t, svc.EndSession(ctx, second))
			_, err = svc.SessionActor(ctx, second, "")
			require.ErrorIs(t, err, records.ErrNotFound, "signed out")
			_, err = svc.SessionActor(ctx, session, "")
			require.NoError(t, err, "signing out ends that session only")
			require.NoError(t, svc.EndSession(ctx, secret))
			_, err = svc.Authenticate(ctx, secret)
			require.NoError(t, err, "signing out with an API token in the cookie leaves the token alone")

			require.NoError(t, svc.RevokeToken(ctx, root, tok.ID))
			_, err = svc.SessionActor(ctx, session, "")
			require.ErrorIs(t, err, records.ErrNotFound, "the token it came from was revoked")

			first := auth.AdminFingerprint("first-admin-token")
			require.NotContains(t, first, auth.Hash("first-admin-token"))
			env, _, err := svc.StartSession(ctx, root, first)
			require.NoError(t, err)
			a, err = svc.SessionActor(ctx, env, first)
			require.NoError(t, err)
			require.Equal(t, auth.Actor{Kind: auth.KindAdminToken, ID: "SALESFLOW_ADMIN_TOKEN", Role: auth.Admin}, a)
			_, err = svc.SessionActor(ctx, env, auth.AdminFingerprint("rotated-admin-token"))
			require.ErrorIs(t, err, records.ErrNotFound, "SALESFLOW_ADMIN_TOKEN changed")
			_, err = svc.SessionActor(ctx, env, "")
			require.ErrorIs(t, err, records.ErrNotFound, "SALESFLOW_ADMIN_TOKEN unset")

			list, err := svc.Tokens(ctx, root)
			require.NoError(t, err)
			for _, tk := range list {
				require.NotContains(t, tk.ParentID, first, "the admin token's fingerprint is not listed")
			}
		})
	}
}
