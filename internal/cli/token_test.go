package cli

import (
	"log/slog"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/salesflow/salesflow/internal/app"
	"github.com/salesflow/salesflow/internal/auth"
)

func TestTokenCreateLoginPrintsASignInLink(t *testing.T) {
	dir := t.TempDir()
	cfg := app.Config{DataDir: dir, Logger: slog.New(slog.DiscardHandler)}
	a, err := app.Open(t.Context(), cfg, false)
	require.NoError(t, err)
	system := auth.Actor{Kind: auth.KindSystem, ID: "test", Role: auth.Admin}
	_, err = a.Service.Create(t.Context(), system, "user", map[string]any{"email": "sam@example.com", "name": "Sam"})
	require.NoError(t, err)
	a.Close()

	res := runCLIEnv(t, map[string]string{"SALESFLOW_DATA": dir, "SALESFLOW_BASE_URL": "https://crm.example.com/"}, nil,
		"token", "create", "--role", "rep", "--user", "sam@example.com", "--login")
	require.Equal(t, 0, res.code, res.stderr)
	link := strings.TrimSpace(res.stdout)
	secret, ok := strings.CutPrefix(link, "https://crm.example.com/signin#token=")
	require.True(t, ok, link)
	secret, err = url.QueryUnescape(secret)
	require.NoError(t, err)
	require.Contains(t, res.stderr, "the link above signs in")

	a, err = app.Open(t.Context(), cfg, false)
	require.NoError(t, err)
	defer a.Close()
	who, err := a.Service.Authenticate(t.Context(), secret)
	require.NoError(t, err, "the link carries a working token")
	require.Equal(t, auth.Rep, who.Role)

	res = runCLIEnv(t, map[string]string{"SALESFLOW_DATA": dir, "SALESFLOW_ADDR": "0.0.0.0:9000"}, nil,
		"token", "create", "--role", "rep", "--user", "sam@example.com", "--login")
	require.Equal(t, 0, res.code, res.stderr)
	require.True(t, strings.HasPrefix(res.stdout, "http://localhost:9000/signin#token="), res.stdout)
}
