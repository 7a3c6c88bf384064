package cli

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/salesflow/salesflow/client"
	"github.com/salesflow/salesflow/internal/app/apptest"
)

// TestTasksCommand reads a rep's inbox and moves their tasks through the real server.
func TestTasksCommand(t *testing.T) {
	ts, _ := apptest.Server(t, "sqlite")
	c := client.New(ts.URL, apptest.AdminToken, ts.Client())
	ctx := t.Context()
	u, err := c.Create(ctx, "users", map[string]any{"email": "rep@example.com", "name": "Rep"}, "")
	require.NoError(t, err)
	rep := u["id"].(string)
	lead, err := c.Create(ctx, "leads", map[string]any{"email": "ann@acme.com", "first_name": "Ann", "company": "Acme"}, "")
	require.NoError(t, err)
	mk := func(title string, due time.Duration) string {
		task, err := c.Create(ctx, "tasks", map[string]any{"title": title, "type": "call", "owner_id": rep, "why": "a hot lead",
			"record_type": "lead", "record_id": lead["id"], "due_at": time.Now().Add(due).UTC().Format(time.RFC3339), "outcomes": []any{"connected", "voicemail"}}, "")
		require.NoError(t, err)
		return task["id"].(string)
	}
	late, soon := mk("Call Ann", -time.Hour), mk("Email Ann", 30*time.Minute)

	res := runCLI(t, ts, "tasks", "--owner", rep)
	require.Equal(t, 0, res.code, res.stderr)
	require.Regexp(t, `(?s)breached .*Call Ann.*overdue by (59m|1h00m).*why: a hot lead.*Ann - Acme ann@acme.com.*due_soon .*Email Ann`, res.stdout)

	res = runCLI(t, ts, "tasks", "done", late, "wrong")
	require.NotEqual(t, 0, res.code)
	require.Contains(t, res.stderr, "outcome")
	res = runCLI(t, ts, "tasks", "done", late, "connected")
	require.Equal(t, 0, res.code, res.stderr)
	require.Contains(t, res.stdout, "done")
	res = runCLI(t, ts, "tasks", "decline", soon, "not", "my", "lead")
	require.Equal(t, 0, res.code, res.stderr)
	got, err := c.Get(ctx, "tasks", soon)
	require.NoError(t, err)
	require.Equal(t, "not my lead", got["status_reason"])
	res = runCLI(t, ts, "tasks", "--owner", rep)
	require.Contains(t, res.stdout, "nothing open")
}

// TestPrintInboxSaysWhatItLeftOut: a cut-short inbox says how many tasks it left out.
func TestPrintInboxSaysWhatItLeftOut(t *testing.T) {
	var b strings.Builder
	printInbox(&b, map[string]any{"items": []any{map[string]any{"urgency": "open", "task": map[string]any{"id": "t1", "title": "Call"}}},
		"omitted": json.Number("3")})
	require.Contains(t, b.String(), "3 more open tasks not shown")
	b.Reset()
	printInbox(&b, map[string]any{"items": []any{map[string]any{"urgency": "open", "task": map[string]any{"id": "t1", "title": "Call"}}},
		"omitted": json.Number("0")})
	require.NotContains(t, b.String(), "not shown")
}
