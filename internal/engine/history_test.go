package engine_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/salesflow/salesflow/internal/engine"
	"github.com/salesflow/salesflow/internal/store"
)

// TestAHistoryNoteWrittenDuringACallIsKept: while a run's webhook is being answered, the feed reads
// the event of the run's own `set` before the call, and the loop guard stops a third workflow and
// notes it in the run's history (noteOnRun: MaxStepSeq+1, without moving the run's rev). The segment
// after the call must number its entries past that note, not over it.
func TestAHistoryNoteWrittenDuringACallIsKept(t *testing.T) {
	eachDB(t, func(t *testing.T, db string) {
		h := newHarness(t, db, func(o *engine.Options) { o.LoopLimit = 1 })
		rc := &receiver{script: []func(http.ResponseWriter){func(w http.ResponseWriter) {
			h.drain() // the feed reads push's own lead.updated: third is refused by the loop guard
			w.WriteHeader(http.StatusOK)
		}}}
		srv := httptest.NewServer(rc)
		t.Cleanup(srv.Close)
		h.apply(leadFlow("first", "{ on: lead.created }", `  - action: set
    with: { title: a }
`))
		h.apply(fmt.Sprintf(leadFlow("push", "{ on: lead.updated, changed: title }", `  - id: mark
    action: set
    with: { company: Acme }
  - id: push
    action: webhook
    with: { url: "%s/leads", body: '{}' }
`), srv.URL))
		h.apply(leadFlow("third", "{ on: lead.updated, changed: company }", `  - action: set
    with: { title: b }
`))
		h.create("lead", map[string]any{"email": "jo@acme.com"})
		h.drain()
		require.Len(t, rc.deliveries(), 1)
		run := h.only("push")
		require.Equal(t, 1, run.Depth)
		var got []string
		for _, s := range h.steps(run.ID) {
			got = append(got, fmt.Sprintf("%d %s %s %s", s.Seq, s.StepID, s.Type, s.Status))
		}
		require.Contains(t, got, "3 push action:webhook done", "the call's entry after the note, under its own seq")
		require.Contains(t, got, "2 loop_guard loop_guard blocked", "the loop guard's note is kept")
	})
}

// TestALoopGuardNoteFromTheRunsOwnEnrollStepIsKept: the loop guard refuses the run's own enroll step
// and notes it in the run's history at MaxStepSeq+1. The segment's entries must be stored before (they
// were pending, and the note took the seq of the first), and the enroll step's entry numbered after.
func TestALoopGuardNoteFromTheRunsOwnEnrollStepIsKept(t *testing.T) {
	eachDB(t, func(t *testing.T, db string) {
		h := newHarness(t, db, func(o *engine.Options) { o.LoopLimit = 1 })
		h.apply(leadFlow("first", "{ on: lead.created }", `  - action: set
    with: { title: a }
`))
		h.apply(leadFlow("third", "{ on: manual }", `  - action: set
    with: { company: b }
`))
		h.apply(leadFlow("second", "{ on: lead.updated, changed: title }", `  - id: more
    enroll: { workflow: third }
`))
		h.create("lead", map[string]any{"email": "jo@acme.com"})
		h.drain()
		run := h.only("second")
		var got []string
		for _, s := range h.steps(run.ID) {
			got = append(got, fmt.Sprintf("%d %s %s", s.Seq, s.StepID, s.Status))
		}
		require.Contains(t, got, "1 loop_guard blocked", "%v", got)
		require.Contains(t, got, "2 more done", "%v", got)
	})
}

// TestAnEnrollStepAfterACallThenAFailureKeepsTheCallsEntry: the steps after a webhook's answer run
// behind a savepoint; an enroll step among them stores the segment's pending history (the call's
// entry with it) inside that savepoint. When a later step fails, the savepoint undoes the enrollment
// and that history, and the call's entry must be queued again, not lost.
func TestAnEnrollStepAfterACallThenAFailureKeepsTheCallsEntry(t *testing.T) {
	eachDB(t, func(t *testing.T, db string) {
		rc, url := startReceiver(t)
		h := newHarness(t, db)
		h.apply(sideFlow("company"))
		h.apply(fmt.Sprintf(leadFlow("main", "{ on: lead.created }", `  - id: push
    action: webhook
    with: { url: "%s/leads", body: '{}' }
  - id: more
    enroll: { workflow: side }
  - id: title
    action: set
    with: { title: "{{ lead.employees * 2.0 }}" }
`), url))
		h.create("lead", map[string]any{"email": "ann@acme.com"})
		h.drain()
		run := h.only("main")
		require.Equal(t, store.RunFailed, run.Status)
		require.Len(t, rc.deliveries(), 1)
		require.Empty(t, h.runs("side"), "the enrollment after the call was rolled back")
		steps := h.stepsByID(run.ID)
		require.NotContains(t, steps, "more", "no entry for an enrollment that was undone")
		require.Equal(t, "done", steps["push"].Status, "the webhook's answer is kept")
	})
}

// TestAnEnrollStepFailingAfterACallKeepsTheCallsAnswer: an enroll step right after a webhook fails (the
// workflow it enrolls in no longer compiles) after storing the pending history. The failure is the
// enroll step's, and the webhook's answer stays recorded (it was lost, and the run failed as if the
// call had panicked, so that a retry would call again).
func TestAnEnrollStepFailingAfterACallKeepsTheCallsAnswer(t *testing.T) {
	eachDB(t, func(t *testing.T, db string) {
		rc, url := startReceiver(t)
		h := newHarness(t, db)
		_, err := h.a.Service.DefineField(h.ctx, admin, store.FieldDef{Object: "lead", Name: "nick", Type: "string"})
		require.NoError(t, err)
		h.apply(sideFlow("nick"))
		h.apply(fmt.Sprintf(leadFlow("main", "{ on: lead.created }", `  - id: push
    action: webhook
    with: { url: "%s/leads", body: '{}' }
  - id: more
    enroll: { workflow: side }
`), url))
		require.NoError(t, h.a.Service.DeleteField(h.ctx, admin, "lead", "nick")) // side no longer compiles
		h.create("lead", map[string]any{"email": "ann@acme.com"})
		h.drain()
		run := h.only("main")
		require.NotContains(t, run.Error, "panicked")
		require.Equal(t, "done", h.stepsByID(run.ID)["push"].Status, "the webhook's answer is kept")
		require.Len(t, rc.deliveries(), 1)
	})
}

// sideFlow is a manually triggered workflow that sets field.
func sideFlow(field string) string {
	return fmt.Sprintf(leadFlow("side", "{ on: manual }", `  - action: set
    with: { %s: side }
`), field)
}
