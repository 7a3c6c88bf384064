package engine_test

import (
	"fmt"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/salesflow/salesflow/internal/store"
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
		rc := &receiver{}
		srv := httptest.NewServer(rc)
		t.Cleanup(srv.Close)
		h.apply(fmt.Sprintf(firstFlow, srv.URL))
		lead := h.create("lead", map[string]any{"email": "jo@acme.com"}).ID()
		_, err := h.e.FeedOnce(h.ctx)
		require.NoError(t, err)
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
		h.apply(`kind: workflow
name: broken
owner: revops@example.com
review_every: 90d
object: lead
trigger: { on: lead.created }
steps:
  - id: mark
    action: set
    with: { status: working }
  - id: bad
    action: set
    with: { title: "{{ lead.employees * 2.0 }}" }
`)
		lead := h.create("lead", map[string]any{"email": "jo@acme.com"}).ID()
		_, err := h.e.FeedOnce(h.ctx)
		require.NoError(t, err)
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
		rc := &receiver{}
		srv := httptest.NewServer(rc)
		t.Cleanup(srv.Close)
		h.apply(fmt.Sprintf(firstFlow, srv.URL))
		h.apply(`kind: workflow
name: a-stop
owner: revops@example.com
review_every: 90d
object: lead
trigger: { on: lead.created }
steps:
  - unenroll: { workflow: first }
`)
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
