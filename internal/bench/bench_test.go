package bench_test

import (
	"context"
	"io"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/salesflow/salesflow/client"
	"github.com/salesflow/salesflow/internal/app"
	"github.com/salesflow/salesflow/internal/app/apptest"
	"github.com/salesflow/salesflow/internal/bench"
)

// TestBenchRunsAgainstARealServer drives a small run end to end: every lead's webhook must arrive and
// the figures must be filled in (their values are for docs/performance.md, not for tests).
func TestBenchRunsAgainstARealServer(t *testing.T) {
	cfg := app.Config{DataDir: t.TempDir(), AdminToken: apptest.AdminToken, Addr: "127.0.0.1:0",
		Engine: app.EngineConfig{WebhookAllowlist: "127.0.0.1/32"}}
	a, err := app.Open(t.Context(), cfg, true)
	require.NoError(t, err)
	defer a.Close()
	ctx, cancel := context.WithCancel(t.Context())
	addr := make(chan string, 1)
	done := make(chan error, 1)
	go func() { done <- a.Serve(ctx, func(s string) { addr <- s }) }()
	defer func() { cancel(); <-done }()
	url := "http://" + <-addr
	c := client.New(url, apptest.AdminToken, nil)
	_, err = c.Create(t.Context(), "users", map[string]any{"email": "ops@example.com", "name": "Ops", "role": "admin"}, "")
	require.NoError(t, err)

	res, err := bench.Run(t.Context(), bench.Options{Server: url, Token: apptest.AdminToken, Leads: 30, Concurrency: 4,
		Receiver: "127.0.0.1:0", Timeout: time.Minute, PID: os.Getpid()}, io.Discard) // the server runs in this process
	require.NoError(t, err)
	require.Equal(t, 30, res.Delivered)
	require.Zero(t, res.PostErrors)
	require.Positive(t, res.LeadsPerSec)
	require.LessOrEqual(t, res.P50, res.P99)
	require.Contains(t, res.String(), "30 leads, 30 webhooks")
	require.Positive(t, res.MaxRSSMiB, "--pid: the server's memory")
	require.Positive(t, res.ServerCPU, "--pid: the server's CPU while the leads went through")
	require.Contains(t, res.String(), "ms a lead")
	require.Positive(t, res.WriterBusy, "the SQLite writer's busy time, read from /metrics")
	require.LessOrEqual(t, res.WriterBusy, res.Window)
	require.Contains(t, res.String(), "SQLite writer busy")
}
