package web_test

import (
	"context"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/salesflow/salesflow/internal/store"
)

// browser starts Debian's chromium headless (CI installs it); without it the test skips, except in CI.
func browser(t *testing.T) context.Context {
	t.Helper()
	path, err := exec.LookPath("chromium")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("chromium is not installed: .ci/run installs it (apt-get install chromium)")
		}
		t.Skip("chromium not installed: skipping browser tests (apt-get install chromium)")
	}
	opts := []chromedp.ExecAllocatorOption{chromedp.ExecPath(path), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true), chromedp.NoFirstRun, chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true), chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900)}
	actx, cancel := chromedp.NewExecAllocator(t.Context(), opts...)
	t.Cleanup(cancel)
	ctx, cancel2 := chromedp.NewContext(actx)
	t.Cleanup(cancel2)
	ctx, cancel3 := context.WithTimeout(ctx, 60*time.Second)
	t.Cleanup(cancel3)
	return ctx
}

// shot saves a screenshot for debugging a failed run (to a temporary folder; nothing is committed).
func shot(t *testing.T, ctx context.Context, name string) {
	if buf, err := chromedp.Run(ctx, chromedp.FullScreenshot(80)); err == nil {
		_ = os.WriteFile(filepath.Join(t.TempDir(), name+".jpg"), buf, 0o600)
	}
}

func text(t *testing.T, ctx context.Context, sel chromedp.CSS) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Text(sel))
	require.NoError(t, err, "text of %s", sel)
	return strings.TrimSpace(s)
}

func TestBrowserRepWorksTheInboxAndTheRunMovesOn(t *testing.T) {
	f := setup(t)
	ctx := browser(t)
	task := chromedp.CSS("#task-" + f.task)
	err := chromedp.Do(ctx,
		chromedp.Navigate(f.ts.URL+"/inbox"),
		chromedp.WaitVisible(chromedp.ID("token")),
		chromedp.SendKeys(chromedp.ID("token"), f.repTok),
		chromedp.Submit(chromedp.ID("token")),
		chromedp.WaitVisible(task),
		chromedp.SetValue(chromedp.ID("outcome-"+f.task), "connected"),
		chromedp.Click(task+" button[type=submit]"),
		chromedp.WaitVisible(task+" .done"),
	)
	shot(t, ctx, "inbox")
	require.NoError(t, err)
	require.Contains(t, text(t, ctx, "#who"), "Sam Rep")
	require.Contains(t, text(t, ctx, task), "Done — connected; the workflow waiting on it resumes.")

	_, err = f.a.Engine.Drain(t.Context())
	require.NoError(t, err)
	require.NoError(t, chromedp.Do(ctx, chromedp.Navigate(f.ts.URL+"/runs/"+f.runID), chromedp.WaitVisible(chromedp.ID("run-status"))))
	require.Equal(t, "completed", text(t, ctx, "#run-status"), "the run moved on past the task")
	lead, err := f.a.Service.Get(t.Context(), "lead", f.lead)
	require.NoError(t, err)
	require.Equal(t, "working", lead["status"])
}

func TestBrowserWorkflowGraphAndFailedRunRetry(t *testing.T) {
	f := setup(t)
	ctx := browser(t)
	err := chromedp.Do(ctx,
		chromedp.Navigate(f.ts.URL+"/signin"),
		chromedp.SendKeys(chromedp.ID("token"), f.mgrTok),
		chromedp.Submit(chromedp.ID("token")),
		chromedp.WaitVisible(chromedp.CSS("header nav")),
		chromedp.Navigate(f.ts.URL+"/workflows"),
		chromedp.Click(chromedp.CSS(`a[href="/workflows/call-new"]`)),
		chromedp.WaitVisible(chromedp.CSS("#graph svg")),
	)
	shot(t, ctx, "graph")
	require.NoError(t, err)
	nodes, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll("#graph g.node text.label")).map(t => t.textContent)`))
	require.NoError(t, err)
	require.Contains(t, text(t, ctx, "h1"), "call-new")
	require.Equal(t, []string{"task · call", "if", "set", "stop"}, nodes)

	runs, err := f.a.Engine.Runs(t.Context(), store.RunFilter{Workflow: "breaks", Limit: 1})
	require.NoError(t, err)
	require.Equal(t, store.RunFailed, runs[0].Status)
	err = chromedp.Do(ctx,
		chromedp.Navigate(f.ts.URL+"/runs?status=failed"),
		chromedp.Click(chromedp.CSS(`a[href="/runs/`+runs[0].ID+`"]`)),
		chromedp.WaitVisible(chromedp.ID("retry")),
		chromedp.Click(chromedp.ID("retry")),
		chromedp.WaitVisible(chromedp.CSS("p[role=status]")),
	)
	shot(t, ctx, "retry")
	require.NoError(t, err)
	require.Contains(t, text(t, ctx, "p[role=status]"), "Retried")
	require.NotEqual(t, "failed", text(t, ctx, "#run-status"), "the run is going again")
}

func TestBrowserLoginLinkSignsIn(t *testing.T) {
	f := setup(t)
	ctx := browser(t)
	err := chromedp.Do(ctx,
		chromedp.Navigate(f.ts.URL+"/signin#token="+url.QueryEscape(f.repTok)),
		chromedp.WaitVisible(chromedp.ID("link-note")),
	)
	require.NoError(t, err, "the link fills the form and asks for a press")
	loc, err := chromedp.Run(ctx, chromedp.Location())
	require.NoError(t, err)
	require.Equal(t, f.ts.URL+"/signin", loc, "the token left the address bar")
	err = chromedp.Do(ctx,
		chromedp.Click(chromedp.ID("signin")),
		chromedp.WaitVisible(chromedp.ID("leads-today")),
	)
	shot(t, ctx, "login-link")
	require.NoError(t, err)
	require.Contains(t, text(t, ctx, "#who"), "Sam Rep")
}
