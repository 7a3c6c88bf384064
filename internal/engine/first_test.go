package engine_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/salesflow/salesflow/internal/definitions"
	"github.com/salesflow/salesflow/internal/engine"
	"github.com/salesflow/salesflow/internal/notify"
	"github.com/salesflow/salesflow/internal/store"
	"github.com/salesflow/salesflow/internal/workflow"
)

const firstFlow = `kind: workflow
name: first
owner: revops@example.com
review_every: 90d
object: lead
trigger: { on: lead.created }
goal: lead.status == "converted"
steps:
  - id: mark
    action: set
    with: { status: working, title: "{{ lead.email }}" }
  - id: push
    action: webhook
    with: { url: "%s/leads", body: '{"email": "{{ lead.email }}"}' }
  - id: done
    action: set
    with: { source: pushed }
`

func (h *harness) dueJobs() int {
	h.t.Helper()
	var n int
	require.NoError(h.t, h.a.Store.Read(h.ctx, func(tx *store.Tx) (err error) {
		n, err = tx.CountDueJobs(h.ctx, h.now())
		return err
	}))
	return n
}

// TestTheFeedRunsANewRunsFirstSegment: on SQLite the feed runs a new run's first segment in the
// transaction that enrolls it, and FeedOnce then makes its outside call and goes on; no job is claimed.
// On PostgreSQL the feed only enrolls, and a worker runs the segment.
func TestTheFeedRunsANewRunsFirstSegment(t *testing.T) {
	eachDB(t, func(t *testing.T, db string) {
		h := newHarness(t, db)
		rc, url := startReceiver(t)
		h.apply(fmt.Sprintf(firstFlow, url))
		lead := h.create("lead", map[string]any{"email": "jo@acme.com"}).ID()
		h.feedOnce()
		if db == "postgres" {
			require.Equal(t, store.RunRunning, h.only("first").Status)
			require.Empty(t, rc.deliveries())
			require.Equal(t, 1, h.dueJobs(), "the run's first segment waits for a worker")
			h.drain()
		}
		require.Len(t, rc.deliveries(), 1)
		run := h.only("first")
		require.Equal(t, store.RunCompleted, run.Status, run.Error)
		got := h.get("lead", lead)
		require.Equal(t, "working", got.String("status"))
		require.Equal(t, "jo@acme.com", got.String("title"))
		require.Equal(t, "pushed", got.String("source"))
		require.Zero(t, h.dueJobs())
		steps := h.stepsByID(run.ID)
		require.Equal(t, "done", steps["push"].Status)
		require.Equal(t, 1, steps["mark"].Attempts)
	})
}

// TestAFailingFirstSegmentIsLeftToAWorker: a first segment that fails in the feed's transaction is
// rolled back alone (the enrollment stands, its job due), and a worker runs it as any other segment,
// with its attempts and failure report.
func TestAFailingFirstSegmentIsLeftToAWorker(t *testing.T) {
	eachDB(t, func(t *testing.T, db string) {
		h := newHarness(t, db)
		h.apply(leadFlow("broken", "{ on: lead.created }", `  - id: mark
    action: set
    with: { status: working }
  - id: bad
    action: set
    with: { title: "{{ lead.employees * 2.0 }}" }
`))
		lead := h.create("lead", map[string]any{"email": "jo@acme.com"}).ID()
		h.feedOnce()
		run := h.only("broken")
		require.Equal(t, store.RunRunning, run.Status, "enrolled; the failed segment was undone")
		require.Empty(t, h.steps(run.ID))
		require.Equal(t, "new", h.get("lead", lead).String("status"), "the set before the failure was undone too")
		require.Equal(t, 1, h.dueJobs())

		h.drain()
		run = h.only("broken")
		require.Equal(t, store.RunFailed, run.Status)
		require.Contains(t, run.Error, "step bad")
		require.Equal(t, "failed", h.stepsByID(run.ID)["bad"].Status)
	})
}

// TestAFirstSegmentAfterItsRunMovedInTheSameBatch: one created event enrolls the lead in two
// workflows; the first segments run in the order the runs were enrolled (by workflow name), and the
// first one's unenrolls the other's run. That run's first segment then finds it moved (its save meets
// another rev) and is rolled back: none of its steps happen and no call is made.
func TestAFirstSegmentAfterItsRunMovedInTheSameBatch(t *testing.T) {
	eachDB(t, func(t *testing.T, db string) {
		h := newHarness(t, db)
		rc, url := startReceiver(t)
		h.apply(fmt.Sprintf(firstFlow, url))
		h.apply(leadFlow("a-stop", "{ on: lead.created }", `  - unenroll: { workflow: first }
`))
		lead := h.create("lead", map[string]any{"email": "jo@acme.com"}).ID()
		h.drain()
		run := h.only("first")
		require.Equal(t, store.RunCancelled, run.Status)
		require.Contains(t, run.EndReason, "unenrolled by run")
		require.Empty(t, rc.deliveries())
		require.Empty(t, h.get("lead", lead).String("title"), "the first step did not run")
		require.NotContains(t, h.stepsByID(run.ID), "mark")
		require.Zero(t, h.dueJobs())
	})
}

// runEngine runs an engine on h's installation and clock, as serve does, until the test ends.
func runEngine(t *testing.T, h *harness, workers int) *engine.Engine {
	t.Helper()
	e, stop := startEngine(t, h, engine.Options{Workers: workers, Poll: 10 * time.Millisecond})
	h.a.Definitions.SetRuntime(e)
	t.Cleanup(stop)
	return e
}

// startEngine runs an engine with opts over h's application, as a server does (its clock, webhooks to
// local receivers), until the function it returns stops it.
func startEngine(t *testing.T, h *harness, opts engine.Options) (*engine.Engine, func()) {
	t.Helper()
	guard, err := notify.NewGuard("127.0.0.1/32,::1/128,localhost")
	require.NoError(t, err)
	opts.Logger, opts.Now, opts.Webhooks = slog.New(slog.DiscardHandler), h.now, notify.NewSender(guard, 5*time.Second, nil)
	e := engine.New(h.a.Service, opts)
	ctx, cancel := context.WithCancel(h.ctx)
	done := make(chan struct{})
	go func() { _ = e.Run(ctx); close(done) }()
	return e, func() { cancel(); <-done }
}

// settled waits until the workflow has n runs and none is active.
func (h *harness) settled(workflow string, n int) {
	h.t.Helper()
	require.Eventually(h.t, func() bool {
		runs := h.runs(workflow)
		for _, r := range runs {
			if r.Active() {
				return false
			}
		}
		return len(runs) == n
	}, 20*time.Second, 20*time.Millisecond)
}

// TestAHeldCallWhoseLeaseRunsShortIsMadeOnce: the feed ran eight first segments, each stopped before a
// webhook and leased to this process, and one worker makes the calls, each taking 50 s of the engine's
// clock. A held call is made only while its lease leaves it time; the others go back to the claim loop,
// which leases them afresh: each call is made once, and its history says nothing was cut short. (One worker: with two, one call's 50 s would pass
// on the clock during the other's, and a call could outlast its lease, which its timeout forbids in
// real time; the lease would then rightly let a claim repeat it.)
func TestAHeldCallWhoseLeaseRunsShortIsMadeOnce(t *testing.T) {
	h := newHarness(t, "sqlite")
	rc := &receiver{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.mu.Lock()
		h.clock = h.clock.Add(50 * time.Second) // a slow receiver, within the call's timeout (Lease/2)
		h.mu.Unlock()
		rc.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	h.apply(fmt.Sprintf(pushFlow, srv.URL))
	const leads = 8
	for i := range leads {
		h.create("lead", map[string]any{"email": fmt.Sprintf("l%d@acme.com", i)})
	}
	runEngine(t, h, 1)
	h.settled("push", leads)
	keys := map[string]int{}
	for _, d := range rc.deliveries() {
		keys[d.key]++
	}
	require.Len(t, keys, leads)
	for k, n := range keys {
		require.Equal(t, 1, n, "calls with key %s", k)
	}
	for _, r := range h.runs("push") { // a call given back before it was made was not cut short
		for _, s := range h.steps(r.ID) {
			require.NotEqual(t, "interrupted", s.Status, "run %s", r.ID)
		}
	}
}

// TestAHeldCallOfARunCancelledMeanwhileIsNotMade: a run's first segment, run by the feed, stopped before
// a webhook; before a worker makes the call, an apply cancels the workflow's waiting runs. The worker
// reads the run before calling and finds it cancelled: no call.
func TestAHeldCallOfARunCancelledMeanwhileIsNotMade(t *testing.T) {
	h := newHarness(t, "sqlite")
	rc := &receiver{}
	var once sync.Once
	var url string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		once.Do(func() { // during the first call: cancel every active run of push
			_, diags, err := h.a.Definitions.ApplyWith(h.ctx, admin, []workflow.Source{{File: "p.yaml", Content: []byte(fmt.Sprintf(pushFlow+"# v2\n", url))}},
				definitions.ApplyOptions{Waiting: definitions.WaitingCancel})
			require.NoError(t, err, "%v", diags)
		})
		rc.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	url = srv.URL
	h.apply(fmt.Sprintf(pushFlow, url))
	for i := range 2 {
		h.create("lead", map[string]any{"email": fmt.Sprintf("l%d@acme.com", i)})
	}
	runEngine(t, h, 1)
	h.settled("push", 2)
	require.Len(t, rc.deliveries(), 1, "the run cancelled before its call is not called for")
}

var pushFlow = leadFlow("push", "{ on: lead.created }", `  - id: push
    action: webhook
    with: { url: "%s/leads", body: '{"email": "{{ lead.email }}"}' }
`)

// TestAHeldCallThatWaitedIsNotMadeTwice: both workers are busy with slow calls while the feed runs a
// third lead's first segment and holds its call; by the time a worker takes it, half the lease is gone.
// The call itself may take half a lease (its timeout), so the worker must not start it with so little
// left: else the lease runs out during the call, the claim loop takes the job, and another worker makes
// the same call again (a review found it delivered twice, 3 runs in 3).
func TestAHeldCallThatWaitedIsNotMadeTwice(t *testing.T) {
	h := newHarness(t, "sqlite")
	const lease = 2 * time.Minute // the engine's default
	gate := make(chan struct{})
	var busy, third atomic.Int32
	var mu sync.Mutex
	keys := map[string]int{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if !bytes.Contains(body, []byte("b@")) {
			busy.Add(1)
			<-gate // keeps both workers busy
			return
		}
		mu.Lock()
		keys[r.Header.Get("Idempotency-Key")]++
		mu.Unlock()
		if third.Add(1) == 1 { // the call lasts half a lease on the engine's clock
			h.mu.Lock()
			h.clock = h.clock.Add(lease / 2)
			h.mu.Unlock()
			for i := 0; i < 200 && third.Load() < 2; i++ { // time for a claim loop to take the job (Poll 10 ms)
				time.Sleep(5 * time.Millisecond)
			}
		}
	}))
	t.Cleanup(srv.Close)
	h.apply(fmt.Sprintf(pushFlow, srv.URL))
	runEngine(t, h, 2)
	h.create("lead", map[string]any{"email": "a@acme.com"})
	h.create("lead", map[string]any{"email": "a2@acme.com"})
	require.Eventually(t, func() bool { return busy.Load() == 2 }, 5*time.Second, 5*time.Millisecond)
	b := h.create("lead", map[string]any{"email": "b@acme.com"}).ID()
	require.Eventually(t, func() bool { // the feed ran its first segment: saved before the call (rev 2)
		for _, r := range h.runs("push") {
			if r.RecordID == b && r.Rev >= 2 {
				return true
			}
		}
		return false
	}, 5*time.Second, 5*time.Millisecond)
	h.mu.Lock()
	h.clock = h.clock.Add(lease / 2) // it waited for a worker: half the lease is gone
	h.mu.Unlock()
	close(gate)
	h.settled("push", 3)
	mu.Lock()
	defer mu.Unlock()
	require.Len(t, keys, 1)
	for k, n := range keys {
		require.Equal(t, 1, n, "calls with key %s", k)
	}
}

// TestACancelInARolledBackFirstSegmentCountsOnce: on SQLite, 0-mover's first segment unenrolls
// a-stop's run; a-stop's first segment, run after it in the same batch, unenrolls waiter's run and then
// finds its own run moved, so it is rolled back, waiter's cancel with it. The runs-finished metric
// counts only cancels that committed: it agrees with the runs in the database, on either database
// (on PostgreSQL workers run the segments, in either order).
func TestACancelInARolledBackFirstSegmentCountsOnce(t *testing.T) {
	eachDB(t, func(t *testing.T, db string) {
		h := newHarness(t, db)
		h.apply(leadFlow("waiter", "{ on: lead.created }", "  - delay: { duration: 1d }\n"))
		h.apply(leadFlow("a-stop", "{ on: lead.created }", "  - unenroll: { workflow: waiter }\n"))
		h.apply(leadFlow("0-mover", "{ on: lead.created }", "  - unenroll: { workflow: a-stop }\n"))
		h.create("lead", map[string]any{"email": "jo@acme.com"})
		h.drain()
		cancelled := 0
		for _, wf := range []string{"waiter", "a-stop", "0-mover"} {
			if h.only(wf).Status == store.RunCancelled {
				cancelled++
			}
		}
		require.Equal(t, 1, cancelled, "one of waiter and a-stop is cancelled")
		if db == "sqlite" {
			require.Equal(t, store.RunCancelled, h.only("a-stop").Status)
		}
		require.Equal(t, float64(cancelled), counterValue(t, h.e.Collectors()[1], store.RunCancelled))
	})
}

// TestAStepReadsTheNewOwnersCustomFields: a step gives the lead an owner (the reference check reads
// the user without its custom fields), and the next step of the same segment reads a custom field of
// that owner, which the transaction must read whole (not answer from the check's read).
func TestAStepReadsTheNewOwnersCustomFields(t *testing.T) {
	eachDB(t, func(t *testing.T, db string) {
		h := newHarness(t, db)
		_, err := h.a.Service.DefineField(h.ctx, admin, store.FieldDef{Object: "user", Name: "cf_tier", Type: "string"})
		require.NoError(t, err)
		uid := h.create("user", map[string]any{"email": "o@example.com", "name": "O", "cf_tier": "gold"}).ID()
		h.apply(leadFlow("own", "{ on: lead.created }", `  - action: set
    with: { owner_id: "`+uid+`" }
  - action: set
    with: { title: "tier {{ lead.owner.cf_tier }}" }
`))
		lead := h.create("lead", map[string]any{"email": "x@acme.com"})
		h.drain()
		run := h.only("own")
		require.Equal(t, store.RunCompleted, run.Status, run.Error)
		require.Equal(t, "tier gold", h.get("lead", lead.ID()).String("title"))
	})
}
