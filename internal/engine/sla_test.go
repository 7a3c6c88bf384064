package engine_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/salesflow/salesflow/internal/store"
)

const slaFlow = `kind: calendar
name: hours
timezone: UTC
hours: { mon-fri: "09:00-17:30" }
holidays: [2026-12-21]
---
kind: routing
name: rr
rules:
  - name: all
    pool: { team: SDR }
---
kind: workflow
name: call-fast
owner: revops@example.com
review_every: 90d
object: lead
trigger: { on: lead.created }
steps:
  - id: call
    task:
      type: call
      owner: lead.owner
      title: "Call {{ lead.email }}"
      why: "A new lead; first touch within 15 working minutes."
      due: 15m
      sla:
        calendar: hours
        remind_before: 5m
        escalate:
          - { after: 15m, notify: lead.owner.manager }
          - { after: 1h, reassign: { routing: rr } }
          - { after: 2h, move_to_pool: { team: SDR } }
`

func TestTaskSLAAcrossAWeekendAndAHoliday(t *testing.T) {
	eachDB(t, func(t *testing.T, db string) {
		mail, opt := withSMTP(t)
		h := newHarness(t, db, opt)
		h.mu.Lock()
		h.clock = time.Date(2026, 12, 18, 17, 20, 0, 0, time.UTC) // a Friday, ten working minutes before closing
		h.mu.Unlock()
		mgr := h.create("user", map[string]any{"email": "mgr@example.com", "name": "Mia Manager", "role": "manager"}).ID()
		team := h.create("team", map[string]any{"name": "SDR", "manager_id": mgr}).ID()
		a := h.create("user", map[string]any{"email": "a@example.com", "name": "Al", "team_id": team}).ID()
		b := h.create("user", map[string]any{"email": "b@example.com", "name": "Bo", "team_id": team}).ID()
		h.apply(slaFlow)
		h.create("lead", map[string]any{"email": "ann@acme.com", "owner_id": b})
		fast := h.create("lead", map[string]any{"email": "quick@acme.com", "owner_id": b})
		h.drain()

		tasks := map[string]string{}
		for _, r := range h.runs("call-fast") {
			tasks[r.RecordID] = r.WaitKey
		}
		task := h.get("task", tasks[h.runs("call-fast")[1].RecordID])
		// 10 minutes on Friday, the weekend and Monday's holiday off, 5 minutes on Tuesday.
		require.Equal(t, time.Date(2026, 12, 22, 9, 5, 0, 0, time.UTC), task["due_at"].(time.Time).UTC())
		_, err := h.a.Service.CompleteTask(h.ctx, admin, tasks[fast.ID()], "connected")
		require.NoError(t, err)

		h.advance(time.Date(2026, 12, 21, 16, 0, 0, 0, time.UTC).Sub(h.now())) // Monday, the holiday
		require.Empty(t, mail.Messages(), "nothing is due on the weekend or the holiday")
		h.advance(time.Date(2026, 12, 22, 9, 1, 0, 0, time.UTC).Sub(h.now()))
		msgs := mail.Messages()
		require.Len(t, msgs, 1, "one reminder; the completed task's timers do nothing")
		require.Equal(t, []string{"b@example.com"}, msgs[0].To)
		require.Contains(t, msgs[0].Header.Get("Subject"), "reminder")

		h.advance(20 * time.Minute) // 09:21: 16 working minutes past due
		msgs = mail.Messages()
		require.Len(t, msgs, 2)
		require.Equal(t, []string{"mgr@example.com"}, msgs[1].To)
		require.Contains(t, msgs[1].Header.Get("Subject"), "overdue")

		h.advance(45 * time.Minute) // 10:06: reassigned through rr
		task = h.get("task", task.ID())
		require.Equal(t, a, task["owner_id"], "round robin's first turn: the other rep")

		h.advance(time.Hour) // 11:06: moved to the team's pool
		task = h.get("task", task.ID())
		require.Nil(t, task["owner_id"])
		require.Equal(t, "SDR", task["pool"])

		var rungs []string
		for _, s := range h.steps(task.String("run_id")) {
			if s.Type == "sla" {
				rungs = append(rungs, s.Output["action"].(string))
			}
		}
		require.Equal(t, []string{"remind", "notify", "reassign", "move_to_pool"}, rungs, "each rung is in the run's history")
		require.Equal(t, store.RunWaiting, h.runByID("call-fast", task.String("run_id")).Status, "the run still waits for the task")
	})
}

func (h *harness) runByID(workflow, runID string) store.Run {
	for _, r := range h.runs(workflow) {
		if r.ID == runID {
			return r
		}
	}
	h.t.Fatalf("no run %s", runID)
	return store.Run{}
}
