package engine

import (
	"context"
	"errors"
	"fmt"

	"github.com/salesflow/salesflow/internal/records"
	"github.com/salesflow/salesflow/internal/store"
)

// enrollStep starts another workflow for a record (the run's, or `record`). The target's trigger
// filter does not apply (the step is the trigger); one active run per record and the target's
// re-enrollment rule do, and so does the loop guard.
func (s *segment) enrollStep(ctx context.Context, st *Step) (flow, error) {
	m, _ := st.Raw["enroll"].(map[string]any)
	name := fmt.Sprint(m["workflow"])
	recordID := s.run.RecordID
	if r := m["record"]; r != nil {
		v, err := s.e.eval(ctx, s.p, r, s.vars())
		if err != nil {
			return flow{}, permanent(fmt.Errorf("step %s: %w", st.ID, err))
		}
		recordID = idOf(v)
	}
	in := map[string]any{"workflow": name, "record_id": recordID}
	// A loop-guard refusal notes itself on this run's history, numbered after what is stored: store
	// this segment's entries first, and number the next ones after the note.
	if err := s.flush(ctx); err != nil {
		return flow{}, err
	}
	out, err := s.e.enrollManual(ctx, s.tx, name, recordID, "workflow_run:"+s.run.ID, s.run.ID)
	if err != nil {
		return flow{}, err
	}
	seq, err := s.tx.MaxStepSeq(ctx, s.run.ID)
	if err != nil {
		return flow{}, err
	}
	s.passSeq(seq)
	s.steps[st.ID] = out
	_, err = s.history(ctx, st, "done", in, out, nil, "")
	return flow{next: st.Next}, err
}

// enrollManual enrolls a record in a workflow by request (CLI, API, an enroll step): it answers with
// whether it enrolled, the run, or the reason it did not.
func (e *Engine) enrollManual(ctx context.Context, tx *store.Tx, workflow, recordID, actor, parentRun string) (map[string]any, error) {
	d, err := tx.Definition(ctx, "workflow", workflow)
	if errors.Is(err, records.ErrNotFound) {
		return nil, permanent(fmt.Errorf("there is no workflow %q", workflow))
	}
	if err != nil {
		return nil, err
	}
	if d.State != store.StateActive {
		return map[string]any{"enrolled": false, "reason": fmt.Sprintf("workflow %s is %s, not active", workflow, d.State)}, nil
	}
	p, err := e.program(ctx, tx, d.Name, d.Version)
	if err != nil {
		return nil, err
	}
	now := e.now()
	tr := triggered{recordType: p.Object, recordID: recordID, manual: true, parentRun: parentRun,
		event: map[string]any{"type": "manual", "at": now, "actor": actor}}
	ok, err := e.enroll(ctx, tx, p, tr)
	if err != nil {
		return nil, err
	}
	log, err := tx.EnrollmentLog(ctx, recordID, workflow, 1)
	if err != nil || len(log) == 0 {
		return map[string]any{"enrolled": ok}, err
	}
	return map[string]any{"enrolled": ok, "run_id": log[0].RunID, "reason": log[0].Reason}, nil
}

// unenroll ends the record's active run of another workflow.
func (s *segment) unenroll(ctx context.Context, st *Step) (flow, error) {
	m, _ := st.Raw["unenroll"].(map[string]any)
	name := fmt.Sprint(m["workflow"])
	out := map[string]any{"unenrolled": false}
	r, ok, err := s.tx.LatestRun(ctx, name, s.run.RecordID)
	if err != nil {
		return flow{}, err
	}
	if ok && r.Active() {
		if err := s.e.cancelRun(ctx, s.tx, r, store.RunCancelled, fmt.Sprintf("unenrolled by run %s of %s", s.run.ID, s.run.Workflow)); err != nil {
			return flow{}, err
		}
		out = map[string]any{"unenrolled": true, "run_id": r.ID}
	}
	s.steps[st.ID] = out
	_, err = s.history(ctx, st, "done", map[string]any{"workflow": name}, out, nil, "")
	return flow{next: st.Next}, err
}

// cancelRun ends an active run from outside its execution (unenroll, goal or exit seen by the feed,
// an admin's cancel) and drops its job.
func (e *Engine) cancelRun(ctx context.Context, tx *store.Tx, r store.Run, status, reason string) error {
	now := e.now()
	r.Status, r.Cursor, r.EndReason, r.WaitKind, r.WaitKey, r.WaitUntil, r.UpdatedAt, r.EndedAt = status, "", reason, "", "", nil, now, &now
	if err := tx.UpdateRun(ctx, &r); err != nil {
		return err
	}
	// Counted once it commits: a first segment that unenrolls and then fails is rolled back and run
	// again by a worker, and would count the cancel twice.
	tx.OnCommit(func() { e.m.finished.WithLabelValues(status).Inc() })
	return tx.DeleteJob(ctx, runJobKey(r.ID))
}
