package engine

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"

	"github.com/salesflow/salesflow/internal/expr"
	"github.com/salesflow/salesflow/internal/records"
	"github.com/salesflow/salesflow/internal/store"
)

// enroll decides whether the triggered record starts a run of p, logs the decision with the values
// that made it (T3: "why did / didn't this record enroll?") and, if so, starts the run.
func (e *Engine) enroll(ctx context.Context, tx *store.Tx, p *Program, tr triggered) (bool, error) {
	on, _ := p.Trigger["on"].(string)
	check := store.EnrollmentCheck{Workflow: p.Name, Version: p.Version, RecordType: tr.recordType, RecordID: tr.recordID,
		Trigger: on, At: e.now(), Details: map[string]any{}}
	if tr.ev != nil {
		check.EventID = tr.ev.ID
	}
	reenroll, _ := p.Plan["reenroll"].(string)
	if reenroll == "" {
		reenroll = "never"
	}
	check.Details["reenroll"] = reenroll
	log := func() error {
		if tr.logs != nil { // the feed writes a batch's decisions together
			*tr.logs = append(*tr.logs, check)
			return nil
		}
		return tx.LogEnrollment(ctx, check)
	}
	no := func(reason string) (bool, error) {
		check.Reason = reason
		return false, log()
	}
	if tr.recordType != p.Object {
		return no(fmt.Sprintf("the workflow runs on %s records, not %s", p.Object, tr.recordType))
	}
	rec, err := e.loadFor(ctx, tx, p, tr.recordType, tr.recordID)
	if errors.Is(err, records.ErrNotFound) && tr.ev != nil && tr.ev.Kind == "deleted" {
		rec = recordBefore(map[string]any{}, tr.ev.Changes)
	} else if errors.Is(err, records.ErrNotFound) {
		return no("the record no longer exists")
	} else if err != nil {
		return false, err
	}
	event := withRecord(tr.event, p.Object, rec)
	if ok, err := e.filter(ctx, p, rec, event, tr, check.Details); err != nil || !ok {
		if err != nil {
			return no("the filter could not be evaluated: " + err.Error())
		}
		return no(check.Details["reason"].(string))
	}
	delete(check.Details, "reason")
	depth := 0
	if tr.parentRun != "" {
		parent, err := tx.ReadRun(ctx, tr.parentRun)
		if err == nil {
			depth = parent.Depth + 1
			check.Details["caused_by_run"] = parent.ID
		}
		if depth > e.opts.LoopLimit {
			reason := fmt.Sprintf("loop guard: this would be workflow-caused trigger number %d in a chain (limit %d); the chain is stopped here", depth, e.opts.LoopLimit)
			if err := e.noteOnRun(ctx, tx, parent, "loop_guard", fmt.Sprintf("%s did not enroll %s %s: %s", p.Name, tr.recordType, tr.recordID, reason)); err != nil {
				return false, err
			}
			return no(reason)
		}
	}
	prev, had, err := tx.PreviousRun(ctx, p.Name, tr.recordID)
	if err != nil {
		return false, err
	}
	if had {
		check.Details["previous_run"] = map[string]any{"id": prev.ID, "status": prev.Status, "started_at": prev.StartedAt}
		switch {
		case prev.Active():
			return no(fmt.Sprintf("the record already has an active run (%s, %s); a record has at most one active run per workflow", prev.ID, prev.Status))
		case reenroll == "never":
			return no(fmt.Sprintf("re-enrollment is never and the record already ran this workflow (run %s, %s)", prev.ID, prev.Status))
		}
	}
	run := store.Run{ID: uuid.Must(uuid.NewV7()).String(), Workflow: p.Name, Version: p.Version, RecordType: tr.recordType,
		RecordID: tr.recordID, Status: store.RunRunning, Cursor: p.First, Depth: depth, ParentRun: tr.parentRun,
		State: map[string]any{"event": tr.event, "steps": map[string]any{}}, StartedAt: check.At, UpdatedAt: check.At}
	if tr.ev != nil {
		run.Trigger = tr.ev.ID
	}
	if err := tx.InsertRun(ctx, &run); err != nil {
		return false, err
	}
	job, err := tx.ScheduleJob(ctx, store.Job{Key: runJobKey(run.ID), Kind: "run", DueAt: check.At, Payload: map[string]any{"rev": 1}}, check.At)
	if err != nil {
		return false, err
	}
	if tr.enrolled != nil {
		*tr.enrolled = append(*tr.enrolled, enrolled{run: run, job: job, p: p})
	}
	if tr.onRun != nil {
		tr.onRun(store.ActiveRunRef{ID: run.ID, RecordID: run.RecordID})
	}
	check.Enrolled, check.RunID, check.Reason = true, run.ID, "enrolled"
	return true, log()
}

func runJobKey(id string) string { return "run:" + id }

// filter evaluates the trigger's `when` (and, for edge semantics, its value before the change) and
// records the values in details.
func (e *Engine) filter(ctx context.Context, p *Program, rec map[string]any, event map[string]any, tr triggered, details map[string]any) (bool, error) {
	when, _ := p.Trigger["when"].(map[string]any)
	if when == nil || (tr.manual && p.Trigger["on"] != "manual") {
		details["reason"] = ""
		return true, nil
	}
	details["when"] = when["expr"]
	v, err := e.evalBool(ctx, p, when, expr.Vars{p.Object: rec, "event": event})
	if err != nil {
		return false, err
	}
	details["when_value"] = v
	if !v {
		details["reason"] = "the filter (when) is false for the record"
		return false, nil
	}
	match, _ := p.Trigger["match"].(string)
	details["match"] = "level"
	if match != "edge" {
		return true, nil
	}
	details["match"] = "edge"
	if tr.ev == nil || tr.ev.Kind == "created" {
		return true, nil // nothing before: the condition became true now
	}
	before := recordBefore(rec, tr.ev.Changes)
	was, err := e.evalBool(ctx, p, when, expr.Vars{p.Object: before, "event": withRecord(event, p.Object, before)})
	if err != nil {
		return false, err
	}
	details["when_value_before"] = was
	if was {
		details["reason"] = "edge: the filter was already true before this change, so it did not become true now"
		return false, nil
	}
	return true, nil
}

// withRecord returns the event with the record under the object's name (event.lead).
func withRecord(event map[string]any, object string, rec map[string]any) map[string]any {
	out := make(map[string]any, len(event)+1)
	for k, v := range event {
		out[k] = v
	}
	if _, isTask := out["outcome"]; object == "task" && !isTask {
		out["outcome"] = rec["outcome"]
	}
	out[object] = rec
	return out
}

// loadFor reads the run's record with the relations the program's expressions reach.
func (e *Engine) loadFor(ctx context.Context, tx *store.Tx, p *Program, object, id string) (map[string]any, error) {
	rec, err := loader{e: e, tx: tx}.record(ctx, object, id, mergeNeeds(p.Needs[object], p.Needs[p.Object]))
	if err != nil {
		return nil, err
	}
	return map[string]any(rec), nil
}

func mergeNeeds(a, b map[string]bool) map[string]bool {
	out := map[string]bool{}
	for k := range a {
		out[k] = true
	}
	for k := range b {
		out[k] = true
	}
	return out
}

// noteOnRun appends an entry to a run's history from outside its execution (a loop-guard breach it
// caused).
func (e *Engine) noteOnRun(ctx context.Context, tx *store.Tx, r store.Run, kind, msg string) error {
	max, err := tx.MaxStepSeq(ctx, r.ID)
	if err != nil {
		return err
	}
	now := e.now()
	return tx.SaveStep(ctx, store.StepRecord{RunID: r.ID, Seq: max + 1, Version: r.Version, StepID: kind, Addr: "", Type: kind,
		Status: "blocked", Error: msg, Attempts: 1, StartedAt: now, FinishedAt: &now})
}
