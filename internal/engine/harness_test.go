package engine_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/salesflow/salesflow/internal/app"
	"github.com/salesflow/salesflow/internal/app/apptest"
	"github.com/salesflow/salesflow/internal/auth"
	"github.com/salesflow/salesflow/internal/definitions"
	"github.com/salesflow/salesflow/internal/engine"
	"github.com/salesflow/salesflow/internal/notify"
	"github.com/salesflow/salesflow/internal/records"
	"github.com/salesflow/salesflow/internal/store"
	"github.com/salesflow/salesflow/internal/workflow"
)

var admin = auth.Actor{Kind: auth.KindAdminToken, ID: "test", Role: auth.Admin}

// harness is an installation with an engine on an injected clock, driven by Drain.
type harness struct {
	t     *testing.T
	ctx   context.Context
	a     *app.App
	e     *engine.Engine
	mu    sync.Mutex
	clock time.Time
	owner string // the id of the workflows' owner, an admin user
}

func newHarness(t *testing.T, db string, opts ...func(*engine.Options)) *harness {
	t.Helper()
	return newHarnessWith(t, db, func(_ *app.App, o *engine.Options) {
		for _, f := range opts {
			f(o)
		}
	})
}

// newHarnessWith is newHarness with options that need the opened installation (its store).
func newHarnessWith(t *testing.T, db string, opt func(*app.App, *engine.Options)) *harness {
	t.Helper()
	h := &harness{t: t, ctx: t.Context(), a: apptest.Open(t, db), clock: time.Now().UTC().Truncate(time.Second)}
	guard, err := notify.NewGuard("127.0.0.1/32,::1/128,localhost")
	require.NoError(t, err)
	o := engine.Options{Now: h.now, Logger: slog.New(slog.NewTextHandler(testWriter{t}, nil)), Webhooks: notify.NewSender(guard, 5*time.Second, nil),
		MaxAttempts: 3, Workers: 2}
	opt(h.a, &o)
	h.e = engine.New(h.a.Service, o)
	h.drain() // the feed starts here: what was written before is history
	u, err := h.a.Service.Create(h.ctx, admin, "user", map[string]any{"email": "revops@example.com", "name": "Rev Ops", "role": "admin", "timezone": "Europe/Berlin"})
	require.NoError(t, err)
	h.owner = u.Record.ID()
	return h
}

func (h *harness) now() time.Time {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.clock
}

// advance moves the clock and does the work due by then.
func (h *harness) advance(d time.Duration) {
	h.mu.Lock()
	h.clock = h.clock.Add(d)
	h.mu.Unlock()
	h.drain()
}

func (h *harness) drain() {
	h.t.Helper()
	_, err := h.e.Drain(h.ctx)
	require.NoError(h.t, err)
}

// feedOnce handles the batch of events written so far, as one FeedOnce does. On PostgreSQL the feed
// does not read past a transaction still open anywhere in the database (another test's), so it asks
// again until it has read something.
func (h *harness) feedOnce() {
	h.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		n, err := h.e.FeedOnce(h.ctx)
		require.NoError(h.t, err)
		if n > 0 {
			return
		}
		require.True(h.t, time.Now().Before(deadline), "the feed read no event in 30 s")
		time.Sleep(5 * time.Millisecond)
	}
}

func (h *harness) apply(src string) {
	h.t.Helper()
	_, diags, err := h.a.Definitions.Apply(h.ctx, admin, []workflow.Source{{File: "test.yaml", Content: []byte(src)}})
	require.NoError(h.t, err, "%v", diags)
}

// applyMoving applies src with the waiting runs of older versions moved to the new one (apply
// --waiting move) and returns what the apply did with them.
func (h *harness) applyMoving(src string) map[string]any {
	h.t.Helper()
	h.a.Definitions.SetRuntime(h.e)
	res, diags, err := h.a.Definitions.ApplyWith(h.ctx, admin, []workflow.Source{{File: "moving.yaml", Content: []byte(src)}},
		definitions.ApplyOptions{Waiting: definitions.WaitingMove})
	require.NoError(h.t, err, "%v", diags)
	for _, a := range res.Applied {
		if a.Waiting != nil {
			return a.Waiting
		}
	}
	return nil
}

// asOlderBuild rewrites a stored run's state as a build before fa8436c would have left it.
func (h *harness) asOlderBuild(runID string, f func(r *store.Run)) {
	h.t.Helper()
	require.NoError(h.t, h.a.Store.Write(h.ctx, func(tx *store.Tx) error {
		r, err := tx.ReadRun(h.ctx, runID)
		if err != nil {
			return err
		}
		delete(r.State, "keyed_by_id") // which an older build did not write
		f(&r)
		if err := tx.UpdateRun(h.ctx, &r); err != nil {
			return err
		}
		return tx.SetJobPayload(h.ctx, "run:"+r.ID, map[string]any{"rev": r.Rev})
	}))
}

func (h *harness) create(object string, fields map[string]any) records.Values {
	h.t.Helper()
	r, err := h.a.Service.Create(h.ctx, admin, object, fields)
	require.NoError(h.t, err)
	return r.Record
}

func (h *harness) update(object, id string, patch map[string]any) records.Values {
	h.t.Helper()
	r, err := h.a.Service.Update(h.ctx, admin, object, id, patch)
	require.NoError(h.t, err)
	return r
}

func (h *harness) get(object, id string) records.Values {
	h.t.Helper()
	r, err := h.a.Service.Get(h.ctx, object, id)
	require.NoError(h.t, err)
	return r
}

// runs lists a workflow's runs, newest first.
func (h *harness) runs(workflow string) []store.Run {
	h.t.Helper()
	var out []store.Run
	require.NoError(h.t, h.a.Store.Read(h.ctx, func(tx *store.Tx) error {
		var err error
		out, err = tx.ListRuns(h.ctx, store.RunFilter{Workflow: workflow, Limit: 1000})
		return err
	}))
	return out
}

// only returns the workflow's one run.
func (h *harness) only(workflow string) store.Run {
	h.t.Helper()
	runs := h.runs(workflow)
	require.Len(h.t, runs, 1, "runs of %s", workflow)
	return runs[0]
}

func (h *harness) steps(runID string) []store.StepRecord {
	h.t.Helper()
	var out []store.StepRecord
	require.NoError(h.t, h.a.Store.Read(h.ctx, func(tx *store.Tx) error {
		var err error
		out, err = tx.Steps(h.ctx, runID)
		return err
	}))
	return out
}

// stepsOf is a run's history of one step, by its id.
func (h *harness) stepsOf(runID, stepID string) []store.StepRecord {
	var out []store.StepRecord
	for _, s := range h.steps(runID) {
		if s.StepID == stepID {
			out = append(out, s)
		}
	}
	return out
}

// statuses lists the statuses of one step's history entries, oldest first.
func (h *harness) statuses(runID, stepID string) []string {
	var out []string
	for _, s := range h.stepsOf(runID, stepID) {
		out = append(out, s.Status)
	}
	return out
}

// tries lists one step's history entries as "status attempt", oldest first.
func (h *harness) tries(runID, stepID string) []string {
	var out []string
	for _, s := range h.stepsOf(runID, stepID) {
		out = append(out, fmt.Sprintf("%s %d", s.Status, s.Attempts))
	}
	return out
}

// stepsByID indexes a run's history by step id (the last entry of each).
func (h *harness) stepsByID(runID string) map[string]store.StepRecord {
	out := map[string]store.StepRecord{}
	for _, s := range h.steps(runID) {
		out[s.StepID] = s
	}
	return out
}

func eachDB(t *testing.T, f func(t *testing.T, db string)) {
	for _, db := range apptest.Databases {
		t.Run(db, func(t *testing.T) {
			t.Parallel()
			f(t, db)
		})
	}
}

// testWriter sends the engine's log to the test's log.
type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Helper()
	w.t.Log(string(p))
	return len(p), nil
}

func sprintf(format string, a ...any) string { return fmt.Sprintf(format, a...) }

// leadFlow is a lead workflow owned by revops@example.com, with trigger and steps (YAML list items,
// indented by two) as given.
func leadFlow(name, trigger, steps string) string {
	return "kind: workflow\nname: " + name + "\nowner: revops@example.com\nreview_every: 90d\nobject: lead\ntrigger: " +
		trigger + "\nsteps:\n" + steps
}

// startReceiver serves a receiver, answering its first calls by script, until the test ends and returns
// it with its URL.
func startReceiver(t *testing.T, script ...func(http.ResponseWriter)) (*receiver, string) {
	rc := &receiver{script: script}
	srv := httptest.NewServer(rc)
	t.Cleanup(srv.Close)
	return rc, srv.URL
}
