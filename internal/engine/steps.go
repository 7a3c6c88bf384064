package engine

import (
	"context"
	"fmt"
	"hash/fnv"
	"time"

	"github.com/salesflow/salesflow/internal/expr"
	"github.com/salesflow/salesflow/internal/store"
)

// step executes one step and says where the run goes next.
func (s *segment) step(ctx context.Context, st *Step) (flow, error) {
	if !keepsRow(st) {
		s.row = nil // the step may write the run's record another way: the next set reads it again
	}
	switch st.Type {
	case "action":
		return s.action(ctx, st)
	case "if":
		return s.branch(ctx, st)
	case "switch":
		return s.switchStep(ctx, st)
	case "split":
		return s.split(ctx, st)
	case "delay":
		return s.delay(ctx, st)
	case "wait_for":
		return s.waitFor(ctx, st)
	case "task":
		return s.task(ctx, st)
	case "handoff":
		return s.handoff(ctx, st)
	case "enroll":
		return s.enrollStep(ctx, st)
	case "unenroll":
		return s.unenroll(ctx, st)
	case "stop":
		reason := fmt.Sprint(st.Raw["stop"])
		_, err := s.history(ctx, st, "done", nil, nil, map[string]any{"stop": reason}, "")
		return flow{end: "stopped: " + reason}, err
	}
	return flow{}, permanent(fmt.Errorf("step %s: %s steps are not supported by this version of Salesflow", st.ID, st.Type))
}

// keepsRow tells the steps that leave the run's record alone or write it only through `set`, so that
// the segment's copy of its row stays current across them. Every other step drops the copy: a
// create_record may update the record (a lead with its email), a handoff changes its owner.
func keepsRow(st *Step) bool {
	switch st.Type {
	case "if", "switch", "split", "stop", "delay", "wait_for":
		return true
	case "action":
		switch st.Raw["action"] {
		case "set", "clear", "log_activity", "webhook", "send_email", "notify":
			return true
		}
	}
	return false
}

// branch runs the first if / else_if whose condition is true, else the else list; the history keeps
// every condition evaluated and its value.
func (s *segment) branch(ctx context.Context, st *Step) (flow, error) {
	vars := s.vars()
	var evaluated []any
	try := func(cond any, list string) (bool, error) {
		v, err := s.e.evalBool(ctx, s.p, cond, vars)
		if err != nil {
			return false, permanent(fmt.Errorf("step %s: %w", st.ID, err))
		}
		evaluated = append(evaluated, map[string]any{"condition": exprSource(cond), "value": v})
		return v, nil
	}
	chosen := "else"
	if ok, err := try(st.Raw["if"], "then"); err != nil {
		return flow{}, err
	} else if ok {
		chosen = "then"
	} else {
		for i, ei := range asList(st.Raw["else_if"]) {
			m, _ := ei.(map[string]any)
			ok, err := try(m["if"], "")
			if err != nil {
				return flow{}, err
			}
			if ok {
				chosen = fmt.Sprintf("else_if/%d/then", i+1)
				break
			}
		}
	}
	_, err := s.history(ctx, st, "done", nil, nil, map[string]any{"conditions": evaluated, "chosen": chosen}, "")
	return flow{next: st.Lists[chosen]}, err
}

func (s *segment) switchStep(ctx context.Context, st *Step) (flow, error) {
	v, err := s.e.eval(ctx, s.p, st.Raw["switch"], s.vars())
	if err != nil {
		return flow{}, permanent(fmt.Errorf("step %s: %w", st.ID, err))
	}
	key := ""
	if v != nil {
		key = expr.Format(v)
	}
	chosen := "default"
	if _, ok := st.Lists["cases/"+key]; ok {
		chosen = "cases/" + key
	}
	_, err = s.history(ctx, st, "done", nil, nil, map[string]any{"value": exprSource(st.Raw["switch"]), "result": v, "chosen": chosen}, "")
	return flow{next: st.Lists[chosen]}, err
}

// split picks a branch from a hash of the record, the workflow and the step, so a record always takes
// the same branch of the same split.
func (s *segment) split(ctx context.Context, st *Step) (flow, error) {
	h := fnv.New32a()
	fmt.Fprintf(h, "%s/%s/%s", s.run.RecordID, s.run.Workflow, st.ID)
	bucket := int(h.Sum32() % 100)
	acc, chosen, name := 0, "", ""
	for i, b := range asList(st.Raw["split"]) {
		m, _ := b.(map[string]any)
		pct, _ := m["percent"].(int)
		acc += pct
		if bucket < acc && chosen == "" {
			chosen, name = fmt.Sprintf("split/%d/steps", i+1), fmt.Sprint(m["name"])
		}
	}
	if chosen == "" {
		return flow{}, permanent(fmt.Errorf("step %s: the branches' percentages add up to %d, not 100", st.ID, acc))
	}
	out := map[string]any{"branch": name}
	s.steps[st.ID] = out
	_, err := s.history(ctx, st, "done", nil, out, map[string]any{"bucket": bucket, "branch": name}, "")
	return flow{next: st.Lists[chosen]}, err
}

// waitSpec is how a step waits.
type waitSpec struct {
	kind, key string
	until     *time.Time
	input     map[string]any
	status    string         // the history entry's status: waiting, or deferred (by the contact policy)
	decision  map[string]any // why it waits, when something decided it (the policy rule)
}

// wait parks the run at the step: a history entry marked waiting, the wait in the run, and a timer
// job when the wait has an end.
func (s *segment) wait(ctx context.Context, st *Step, f flow) error {
	status := f.wait.status
	if status == "" {
		status = "waiting"
	}
	seq, err := s.history(ctx, st, status, f.wait.input, nil, f.wait.decision, "")
	if err != nil {
		return err
	}
	r := s.run
	r.State["wait_seq"] = seq
	r.Status, r.WaitKind, r.WaitKey, r.WaitUntil, r.UpdatedAt = store.RunWaiting, f.wait.kind, f.wait.key, f.wait.until, s.e.now()
	if err := s.tx.UpdateRun(ctx, r); err != nil {
		return err
	}
	if f.wait.until == nil {
		return s.tx.DeleteJob(ctx, runJobKey(r.ID))
	}
	return s.tx.UpsertJob(ctx, store.Job{Key: runJobKey(r.ID), Kind: "run", DueAt: *f.wait.until, Payload: map[string]any{"rev": r.Rev}}, s.e.now())
}

// resumed returns what ended the wait at st ("timer", "event", "condition", "task") with its data, or
// nil when the run has not waited there yet; it clears the wait from the run.
func (s *segment) resumed(st *Step) map[string]any {
	res, _ := s.run.State["resume"].(map[string]any)
	if res == nil || res["addr"] != st.Addr {
		return nil
	}
	delete(s.run.State, "resume")
	s.run.WaitKind, s.run.WaitKey, s.run.WaitUntil = "", "", nil
	return res
}

// finishWait completes the waiting history entry of st with its outputs.
func (s *segment) finishWait(ctx context.Context, st *Step, out, decision map[string]any) error {
	seq := 0
	switch v := s.run.State["wait_seq"].(type) {
	case float64:
		seq = int(v)
	case int:
		seq = v
	}
	delete(s.run.State, "wait_seq")
	if out != nil && st.ID != "" {
		s.steps[st.ID] = out
	}
	if seq == 0 {
		_, err := s.history(ctx, st, "done", nil, out, decision, "")
		return err
	}
	return s.saveHistory(ctx, seq, st, "done", nil, out, decision, "")
}

func (s *segment) delay(ctx context.Context, st *Step) (flow, error) {
	if res := s.resumed(st); res != nil {
		return flow{next: st.Next}, s.finishWait(ctx, st, nil, map[string]any{"resumed_by": res["kind"]})
	}
	due, detail, err := s.e.delayUntil(ctx, s, st.Raw["delay"])
	if err != nil {
		return flow{}, permanent(fmt.Errorf("step %s: %w", st.ID, err))
	}
	detail["until"] = due
	if !due.After(s.e.now()) {
		_, err := s.history(ctx, st, "done", detail, nil, map[string]any{"note": "the moment had passed already"}, "")
		return flow{next: st.Next}, err
	}
	return flow{wait: &waitSpec{kind: "delay", key: "", until: &due, input: detail}}, nil
}

func (s *segment) waitFor(ctx context.Context, st *Step) (flow, error) {
	w, _ := st.Raw["wait_for"].(map[string]any)
	if res := s.resumed(st); res != nil {
		if res["kind"] == "timer" {
			out := map[string]any{"timed_out": true, "event": nil}
			return flow{next: st.Lists["on_timeout"]}, s.finishWait(ctx, st, out, map[string]any{"resumed_by": "timeout"})
		}
		out := map[string]any{"timed_out": false, "event": res["event"]}
		return flow{next: st.Next}, s.finishWait(ctx, st, out, map[string]any{"resumed_by": res["kind"]})
	}
	timeout := durationOf(w["timeout"])
	until := s.e.now().Add(timeout)
	in := map[string]any{"timeout": timeout.String(), "until": until}
	if c := w["condition"]; c != nil {
		ok, err := s.e.evalBool(ctx, s.p, c, s.vars())
		if err != nil {
			return flow{}, permanent(fmt.Errorf("step %s: %w", st.ID, err))
		}
		in["condition"] = exprSource(c)
		if ok {
			out := map[string]any{"timed_out": false, "event": nil}
			s.steps[st.ID] = out
			_, err := s.history(ctx, st, "done", in, out, map[string]any{"condition_value": true}, "")
			return flow{next: st.Next}, err
		}
		return flow{wait: &waitSpec{kind: "condition", key: s.run.RecordID, until: &until, input: in}}, nil
	}
	in["event"] = w["event"]
	return flow{wait: &waitSpec{kind: "event", key: subjectOf(s.run.RecordType, s.rec), until: &until, input: in}}, nil
}

// subjectOf is the record an awaited event must be about: an activity's or task's own record (the
// lead or contact it is logged on), any other record itself.
func subjectOf(object string, rec map[string]any) string {
	if object == "activity" || object == "task" {
		if id, _ := rec["record_id"].(string); id != "" {
			return id
		}
	}
	id, _ := rec["id"].(string)
	return id
}

func durationOf(v any) time.Duration {
	m, _ := v.(map[string]any)
	switch n := m["seconds"].(type) {
	case int64:
		return time.Duration(n) * time.Second
	case float64:
		return time.Duration(n) * time.Second
	case int:
		return time.Duration(n) * time.Second
	}
	return 0
}
