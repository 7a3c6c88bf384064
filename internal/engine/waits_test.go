package engine_test

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/salesflow/salesflow/internal/crm"
	"github.com/salesflow/salesflow/internal/store"
)

const callFlow = `kind: workflow
name: call
owner: revops@example.com
review_every: 90d
object: lead
trigger: { on: lead.created }
goal: lead.status == "converted"
steps:
  - id: first-call
    task:
      type: call
      owner: lead.owner
      title: "Call {{ lead.first_name }}"
      why: "New lead from {{ lead.source }}"
      due: 15m
      outcomes: [connected, voicemail]
  - id: outcome
    switch: steps.first-call.outcome
    cases:
      connected:
        - action: set
          with: { status: working }
    default:
      - delay: { duration: 1d }
      - action: set
        with: { status: nurturing }
`

func (h *harness) rep(email string) string {
	h.t.Helper()
	return h.create("user", map[string]any{"email": email, "name": email, "role": "rep"}).ID()
}

func (h *harness) taskOf(runID string) map[string]any {
	h.t.Helper()
	tasks, _, err := h.a.Service.List(h.ctx, "task", store.ListQuery{Limit: 10, Sort: "created_at",
		Filters: []store.Filter{{Field: "run_id", Op: "eq", Value: runID}}})
	require.NoError(h.t, err)
	require.Len(h.t, tasks, 1)
	return tasks[0]
}

func TestTaskStepWaitsAndCompletionResumesOnce(t *testing.T) {
	eachDB(t, func(t *testing.T, db string) {
		h := newHarness(t, db)
		rep := h.rep("sam@example.com")
		lead := h.create("lead", map[string]any{"email": "x@acme.com", "first_name": "Xia", "source": "web", "owner_id": rep})
		_ = lead
		h.apply(callFlow)
		lead = h.create("lead", map[string]any{"email": "y@acme.com", "first_name": "Yan", "source": "web", "owner_id": rep})
		h.drain()
		run := h.only("call")
		require.Equal(t, store.RunWaiting, run.Status)
		require.Equal(t, "task", run.WaitKind)
		task := h.taskOf(run.ID)
		require.Equal(t, "Call Yan", task["title"])
		require.Equal(t, "New lead from web", task["why"])
		require.Equal(t, rep, task["owner_id"])
		require.Equal(t, "first-call", task["step_id"])
		require.Equal(t, h.now().Add(15*time.Minute).Format(time.RFC3339), task["due_at"].(time.Time).Format(time.RFC3339))

		_, err := h.a.Service.CompleteTask(h.ctx, admin, task["id"].(string), "bogus")
		require.Error(t, err, "an outcome outside the task's list is refused")

		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i := range 2 {
			wg.Go(func() { _, errs[i] = h.a.Service.CompleteTask(h.ctx, admin, task["id"].(string), "connected") })
		}
		wg.Wait()
		var conflict *crm.ConflictError
		require.True(t, (errs[0] == nil) != (errs[1] == nil), "exactly one completion wins: %v", errs)
		require.True(t, errors.As(errors.Join(errs...), &conflict))
		h.drain()
		run = h.only("call")
		require.Equal(t, store.RunCompleted, run.Status, run.Error)
		require.Equal(t, "working", h.get("lead", lead.ID()).String("status"))
		n := 0
		for _, s := range h.steps(run.ID) {
			if s.StepID == "first-call" {
				n++
				require.Equal(t, "done", s.Status)
				require.Equal(t, "connected", s.Output["outcome"])
			}
		}
		require.Equal(t, 1, n, "the task step appears once in the history")
		items, _, err := h.a.Service.Timeline(h.ctx, "lead", lead.ID(), 50, "")
		require.NoError(t, err)
		var steps []string
		for _, it := range items {
			if it.Kind == "step" {
				steps = append(steps, it.Summary)
			}
		}
		require.Contains(t, steps, "call: step first-call (task) done", "the run's steps are on the lead's timeline")
		require.Len(t, steps, 3)
	})
}

func TestGoalEndsAWaitingRun(t *testing.T) {
	eachDB(t, func(t *testing.T, db string) {
		h := newHarness(t, db)
		rep := h.rep("kim@example.com")
		h.apply(callFlow)
		lead := h.create("lead", map[string]any{"email": "z@acme.com", "owner_id": rep})
		h.drain()
		run := h.only("call")
		require.Equal(t, store.RunWaiting, run.Status)
		h.update("lead", lead.ID(), map[string]any{"status": "converted"})
		h.drain()
		run = h.only("call")
		require.Equal(t, store.RunCompleted, run.Status)
		require.Contains(t, run.EndReason, "goal reached")
		task := h.taskOf(run.ID)
		_, err := h.a.Service.CompleteTask(h.ctx, admin, task["id"].(string), "voicemail")
		require.NoError(t, err)
		h.drain()
		require.Equal(t, "converted", h.get("lead", lead.ID()).String("status"), "an ended run does not resume")
	})
}

const meetingFlow = `kind: workflow
name: meeting
owner: revops@example.com
review_every: 90d
object: lead
trigger: { on: lead.created }
steps:
  - id: booked
    wait_for:
      event: activity.created
      when: event.activity.type == "meeting_booked"
      timeout: 2d
    on_timeout:
      - action: set
        with: { status: nurturing }
      - stop: no meeting
  - action: set
    with: { status: working, title: "{{ steps.booked.event.activity.subject }}" }
`

func TestWaitForEventOrTimeout(t *testing.T) {
	eachDB(t, func(t *testing.T, db string) {
		h := newHarness(t, db)
		h.apply(meetingFlow)
		met := h.create("lead", map[string]any{"email": "met@acme.com"})
		idle := h.create("lead", map[string]any{"email": "idle@acme.com"})
		h.drain()
		require.Len(t, h.runs("meeting"), 2)
		h.create("activity", map[string]any{"type": "note", "record_type": "lead", "record_id": met.ID(), "subject": "just a note"})
		h.drain()
		h.create("activity", map[string]any{"type": "meeting_booked", "record_type": "lead", "record_id": met.ID(), "subject": "Demo Tuesday"})
		h.drain()
		require.Equal(t, "working", h.get("lead", met.ID()).String("status"))
		require.Equal(t, "Demo Tuesday", h.get("lead", met.ID()).String("title"), "the awaited event is the step's output")
		require.Equal(t, "new", h.get("lead", idle.ID()).String("status"))

		h.advance(47 * time.Hour)
		require.Equal(t, "new", h.get("lead", idle.ID()).String("status"))
		h.advance(time.Hour + time.Second)
		require.Equal(t, "nurturing", h.get("lead", idle.ID()).String("status"))
		for _, r := range h.runs("meeting") {
			require.Equal(t, store.RunCompleted, r.Status)
			timedOut := h.stepsByID(r.ID)["booked"].Output["timed_out"]
			require.Equal(t, r.RecordID == idle.ID(), timedOut == true)
		}
	})
}
