package engine

import (
	"context"
	"errors"

	"github.com/salesflow/salesflow/internal/expr"
	"github.com/salesflow/salesflow/internal/records"
	"github.com/salesflow/salesflow/internal/store"
)

// advanceRuns applies an event to the active runs it concerns: a change of a run's record ends the
// run when its goal or exit condition became true (W2) and resumes a wait on a condition; an event
// about the record resumes a wait_for on that event; a task's completion, skip or decline resumes the
// run waiting on it. Everything commits with the feed's position, so each happens exactly once.
func (e *Engine) advanceRuns(ctx context.Context, tx *store.Tx, ev store.Event) error {
	linked := ev.RecordType == "activity" || ev.RecordType == "task"
	if ev.Kind == "created" && !linked {
		return nil // no run can be about, or wait on, a record that did not exist
	}
	keys := []string{ev.RecordID}
	var evRec map[string]any
	if ch, ok := ev.Changes["record_id"]; ok && ev.Kind == "created" {
		if sub, _ := ch.New.(string); sub != "" {
			keys = append(keys, sub)
		}
	} else if linked {
		var err error
		if evRec, err = e.eventRecord(ctx, tx, ev); err != nil {
			return err
		}
		if sub := subjectOf(ev.RecordType, evRec); sub != "" && sub != ev.RecordID {
			keys = append(keys, sub)
		}
	}
	runs, err := tx.WaitingOn(ctx, keys)
	if err != nil {
		return err
	}
	var own []store.Run
	if ev.Kind != "created" {
		if own, err = tx.ActiveRuns(ctx, ev.RecordID); err != nil {
			return err
		}
	}
	seen := map[string]bool{}
	for _, r := range append(own, runs...) {
		if seen[r.ID] || (ev.ActorType == "workflow_run" && ev.ActorID == r.ID && r.WaitKind != "condition") {
			continue // a run's own writes do not resume it (its goal is checked as it writes)
		}
		seen[r.ID] = true
		if evRec == nil {
			if evRec, err = e.eventRecord(ctx, tx, ev); err != nil {
				return err
			}
		}
		if err := e.advanceRun(ctx, tx, r, ev, evRec); err != nil {
			return err
		}
	}
	return nil
}

// eventRecord is the event's record as it is now, or as it was for a deletion.
func (e *Engine) eventRecord(ctx context.Context, tx *store.Tx, ev store.Event) (map[string]any, error) {
	o, err := e.crm.Object(ctx, tx, ev.RecordType)
	if err != nil {
		return nil, err
	}
	rec, err := tx.Get(ctx, o, ev.RecordID)
	if errors.Is(err, records.ErrNotFound) {
		return recordBefore(map[string]any{"id": ev.RecordID}, ev.Changes), nil
	}
	return map[string]any(rec), err
}

func (e *Engine) advanceRun(ctx context.Context, tx *store.Tx, r store.Run, ev store.Event, evRec map[string]any) error {
	p, err := e.program(ctx, tx, r.Workflow, r.Version)
	if err != nil { // one run's version that no longer compiles must not hold up every trigger
		e.log.Error("run's workflow version does not compile; its goal and waits are not checked", "run", r.ID, "err", err)
		return nil
	}
	var vars expr.Vars
	load := func() error {
		rec, err := e.loadFor(ctx, tx, p, r.RecordType, r.RecordID)
		if err != nil {
			return err
		}
		state, _ := r.State["event"].(map[string]any)
		vars = expr.Vars{p.Object: rec, "event": withRecord(state, p.Object, rec), "steps": r.State["steps"]}
		return nil
	}
	if ev.RecordID == r.RecordID && ev.Kind != "deleted" {
		if err := load(); err != nil {
			return err
		}
		status, reason, err := e.goalOrExit(ctx, p, vars)
		if err != nil {
			e.log.Warn("goal or exit condition failed to evaluate", "run", r.ID, "err", err)
		} else if status != "" {
			return e.cancelRun(ctx, tx, r, status, reason)
		}
	}
	if r.Status != store.RunWaiting {
		return nil
	}
	st := p.Steps[r.Cursor]
	if st == nil {
		return nil
	}
	switch r.WaitKind {
	case "task":
		ch, ok := ev.Changes["status"]
		if ev.RecordType != "task" || ev.RecordID != r.WaitKey || !ok {
			return nil
		}
		if s, _ := ch.New.(string); s == "done" || s == "skipped" || s == "declined" {
			task := map[string]any{"status": s, "outcome": evRec["outcome"], "owner": evRec["owner_id"], "completed_at": evRec["completed_at"], "reason": evRec["status_reason"]}
			return e.resume(ctx, tx, r, map[string]any{"kind": "task", "task": task})
		}
	case "condition":
		if ev.RecordID != r.RecordID {
			return nil
		}
		w, _ := st.Raw["wait_for"].(map[string]any)
		if vars == nil {
			if err := load(); err != nil {
				return err
			}
		}
		if ok, err := e.evalBool(ctx, p, w["condition"], vars); err == nil && ok {
			return e.resume(ctx, tx, r, map[string]any{"kind": "condition"})
		}
	case "event":
		return e.resumeOnEvent(ctx, tx, p, r, st, ev, evRec, vars, load)
	}
	return nil
}

// resumeOnEvent resumes a wait_for whose event this is and whose `when` holds for it.
func (e *Engine) resumeOnEvent(ctx context.Context, tx *store.Tx, p *Program, r store.Run, st *Step, ev store.Event, evRec map[string]any, vars expr.Vars, load func() error) error {
	w, _ := st.Raw["wait_for"].(map[string]any)
	on, _ := w["event"].(string)
	probe := &Program{Object: ev.RecordType, Trigger: map[string]any{"on": on, "event": w["name"]}}
	tr, ok := matchTrigger(probe, on, ev)
	if !ok {
		return nil
	}
	event := withRecord(tr.event, ev.RecordType, evRec)
	if when := w["when"]; when != nil {
		if vars == nil {
			if err := load(); err != nil {
				return err
			}
		}
		v := expr.Vars{p.Object: vars[p.Object], "event": event, "steps": vars["steps"]}
		ok, err := e.evalBool(ctx, p, when, v)
		if err != nil {
			e.log.Warn("wait_for condition failed to evaluate", "run", r.ID, "err", err)
			return nil
		}
		if !ok {
			return nil
		}
	}
	return e.resume(ctx, tx, r, map[string]any{"kind": "event", "event": event})
}

// resume wakes a waiting run at its step with what ended the wait, and schedules it now.
func (e *Engine) resume(ctx context.Context, tx *store.Tx, r store.Run, res map[string]any) error {
	res["addr"] = r.Cursor
	r.State["resume"] = res
	now := e.now()
	r.Status, r.UpdatedAt = store.RunRunning, now
	if err := tx.UpdateRun(ctx, &r); err != nil {
		return err
	}
	return tx.UpsertJob(ctx, store.Job{Key: runJobKey(r.ID), Kind: "run", DueAt: now, Payload: map[string]any{"rev": r.Rev}}, now)
}
