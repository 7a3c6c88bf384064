package engine

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/salesflow/salesflow/internal/auth"
	"github.com/salesflow/salesflow/internal/records"
	"github.com/salesflow/salesflow/internal/store"
)

// maxHandoffs bounds how many receivers one handoff step tries after rejections and expiries.
const maxHandoffs = 3

// handoff gives a record to another person (H4): a new owner (a named user, a routing ruleset's pick,
// or a team's pool), the handoff note as an activity on the record, and an acceptance task for the
// receiver with its SLA. The run waits on that task: accepted, it goes on; rejected (declined) or
// expired, the previous owner and the named person are told and, with on_reject_or_expiry.reassign,
// the record is routed again to someone else, up to three receivers.
func (s *segment) handoff(ctx context.Context, st *Step) (flow, error) {
	h, _ := st.Raw["handoff"].(map[string]any)
	if res := s.resumed(st); res != nil {
		return s.handoffAnswered(ctx, st, h, res)
	}
	return s.handoffTo(ctx, st, h, 1, "")
}

// handoffState is what the step keeps between its attempts, by step id, which a move to a new
// version keeps.
func (s *segment) handoffState(st *Step) map[string]any {
	m, _ := s.run.State["handoff:"+st.ID].(map[string]any)
	if m == nil {
		m = map[string]any{}
		s.run.State["handoff:"+st.ID] = m
	}
	return m
}

// handoffTo hands the record to the next receiver and creates their acceptance task. via names the
// routing ruleset to use instead of the step's `to` (a reroute after a rejection).
func (s *segment) handoffTo(ctx context.Context, st *Step, h map[string]any, attempt int, via string) (flow, error) {
	object, id, rec, err := s.handoffRecord(ctx, h)
	if err != nil {
		return flow{}, err
	}
	state := s.handoffState(st)
	if attempt == 1 {
		state["previous_owner"] = rec.String("owner_id")
	}
	to, _ := h["to"].(map[string]any)
	receiver, pool, why := "", "", ""
	switch {
	case via != "" || to["routing"] != nil:
		ruleset := via
		if ruleset == "" {
			ruleset = text(to["routing"])
		}
		routed, err := s.e.route(ctx, s.tx, s.actor, ruleset, object, id, s.run.ID, false, triedList(state)...)
		if err != nil {
			return flow{}, err
		}
		receiver, why = routed.UserID, routed.Trace.Summary
		if receiver == "" { // nobody (else) can take it: the handoff did not happen
			return s.handoffNotTaken(ctx, st, h, "nobody could take it: "+why)
		}
	case to["user"] != nil:
		u, err := s.e.eval(ctx, s.p, to["user"], s.vars())
		if err != nil {
			return flow{}, permanent(fmt.Errorf("step %s: to.user: %w", st.ID, err))
		}
		if receiver = idOf(u); receiver == "" {
			return flow{}, permanent(fmt.Errorf("step %s: to.user is empty", st.ID))
		}
		if _, err := s.e.crm.UpdateTx(ctx, s.tx, s.actor, object, id, map[string]any{"owner_id": receiver}); err != nil {
			return flow{}, err
		}
	default:
		pool = text(to["team"]) // a team's pool: whoever accepts becomes the owner
	}
	if receiver != "" {
		if err := s.cascade(ctx, h, object, id, receiver); err != nil {
			return flow{}, err
		}
	}
	note, err := s.e.text(ctx, s.p, h["note"], s.vars())
	if err != nil {
		return flow{}, permanent(fmt.Errorf("step %s: note: %w", st.ID, err))
	}
	if _, err := s.e.crm.CreateTx(ctx, s.tx, s.actor, "activity", map[string]any{"type": "note", "subject": "Handoff note", "body": note,
		"record_type": object, "record_id": id}); err != nil {
		return flow{}, err
	}
	task, due, err := s.acceptanceTask(ctx, st, h, object, id, receiver, pool, note, rec)
	if err != nil {
		return flow{}, err
	}
	state["attempt"], state["receiver"], state["object"], state["id"] = attempt, receiver, object, id
	if receiver != "" {
		state["tried"] = append(asList(state["tried"]), receiver)
	}
	in := map[string]any{"record": map[string]any{"type": object, "id": id}, "receiver": receiver, "pool": pool, "task": task, "attempt": attempt, "why": why}
	if due != nil {
		in["accept_by"] = *due
	}
	return flow{wait: &waitSpec{kind: "task", key: task, input: in}}, nil
}

// handoffRecord is the record handed off: the step's `record`, else the run's.
func (s *segment) handoffRecord(ctx context.Context, h map[string]any) (string, string, records.Values, error) {
	object, id := s.run.RecordType, s.run.RecordID
	if r := h["record"]; r != nil {
		v, err := s.e.eval(ctx, s.p, r, s.vars())
		if err != nil {
			return "", "", nil, permanent(fmt.Errorf("handoff.record: %w", err))
		}
		m, _ := v.(map[string]any)
		if id = idOf(m); id == "" {
			return "", "", nil, permanent(fmt.Errorf("handoff.record is empty (did an earlier step fail to make it?)"))
		}
		object = recordTypeOf(m)
	}
	rec, err := (loader{e: s.e, tx: s.tx}).record(ctx, object, id, nil)
	return object, id, rec, err
}

// recordTypeOf tells a record value's object from the fields only it has.
func recordTypeOf(m map[string]any) string {
	has := func(k string) bool { _, ok := m[k]; return ok }
	switch {
	case has("stage") || has("pipeline_id"):
		return "deal"
	case has("domain"):
		return "account"
	case has("account_id") && !has("company"):
		return "contact"
	}
	return "lead"
}

// cascade moves the related records the step names to the new owner too.
func (s *segment) cascade(ctx context.Context, h map[string]any, object, id, owner string) error {
	rec, err := (loader{e: s.e, tx: s.tx}).record(ctx, object, id, nil)
	if err != nil {
		return err
	}
	for _, c := range asList(h["cascade"]) {
		rel := text(c)
		relID := rec.String(rel + "_id")
		if relID == "" || rel == object {
			continue
		}
		if _, err := s.e.crm.UpdateTx(ctx, s.tx, s.actor, rel, relID, map[string]any{"owner_id": owner}); err != nil {
			return fmt.Errorf("cascade to the %s: %w", rel, err)
		}
	}
	return nil
}

// acceptanceTask creates the receiver's approval task, due within the acceptance SLA, with a timer
// that expires it.
func (s *segment) acceptanceTask(ctx context.Context, st *Step, h map[string]any, object, id, receiver, pool, note string, rec records.Values) (string, *time.Time, error) {
	in := map[string]any{"type": "approval", "title": "Accept the handoff of " + displayName(rec), "why": note,
		"record_type": object, "record_id": id, "priority": "high", "outcomes": []any{"accepted"}}
	if receiver != "" {
		in["owner_id"] = receiver
	}
	var due *time.Time
	if at, err := s.acceptBy(ctx, h["accept_within"]); err != nil {
		return "", nil, err
	} else if at != nil {
		due = at
		in["due_at"] = at.UTC().Format(records.TimeLayout)
	}
	sys := records.Values{"run_id": s.run.ID, "step_id": st.ID}
	if pool != "" {
		sys["pool"] = pool
	}
	res, err := s.e.crm.CreateSystemTx(ctx, s.tx, s.actor, "task", in, sys)
	if err != nil {
		return "", nil, fmt.Errorf("step %s: the acceptance task: %w", st.ID, err)
	}
	if due != nil {
		err = s.tx.UpsertJob(ctx, store.Job{Key: "handoff:" + res.Record.ID(), Kind: "handoff_expiry", DueAt: *due,
			Payload: map[string]any{"task": res.Record.ID()}}, s.e.now())
	}
	return res.Record.ID(), due, err
}

// acceptBy is the acceptance deadline: a duration, or working hours on a calendar.
func (s *segment) acceptBy(ctx context.Context, v any) (*time.Time, error) {
	if v == nil {
		return nil, nil
	}
	m, _ := v.(map[string]any)
	now := s.e.now()
	if m["seconds"] != nil {
		at := now.Add(durationOf(m))
		return &at, nil
	}
	cal, _, err := s.e.stepCalendar(ctx, s.tx, m["calendar"], s.rec)
	if err != nil {
		return nil, err
	}
	at := cal.AddBusinessDuration(now, time.Duration(num(m["business_hours"])*float64(time.Hour)))
	return &at, nil
}

func displayName(rec records.Values) string {
	for _, k := range []string{"name", "company", "email"} {
		if v := rec.String(k); v != "" {
			return v
		}
	}
	return strings.TrimSpace(rec.String("first_name") + " " + rec.String("last_name"))
}

// handoffAnswered acts on the acceptance task's end: accepted goes on; rejected or expired tells the
// previous owner (and on_reject_or_expiry.notify) and reroutes when the step says so.
func (s *segment) handoffAnswered(ctx context.Context, st *Step, h map[string]any, res map[string]any) (flow, error) {
	data, _ := res["task"].(map[string]any)
	state := s.handoffState(st)
	object, id := text(state["object"]), text(state["id"])
	owner := text(data["owner"])
	if data["status"] == "done" {
		if state["receiver"] == "" && owner != "" { // a pool's task: whoever took it owns the record now
			if _, err := s.e.crm.UpdateTx(ctx, s.tx, s.actor, object, id, map[string]any{"owner_id": owner}); err != nil {
				return flow{}, err
			}
			if err := s.cascade(ctx, h, object, id, owner); err != nil {
				return flow{}, err
			}
		}
		u, _ := (loader{e: s.e, tx: s.tx}).record(ctx, "user", owner, nil)
		out := map[string]any{"owner": map[string]any(u), "accepted": true, "record": map[string]any{"type": object, "id": id}}
		return flow{next: st.Next, wrote: true}, s.finishWait(ctx, st, out, map[string]any{"status": "accepted"})
	}
	why := "rejected: " + text(data["reason"])
	if data["status"] == "skipped" {
		why = text(data["reason"])
	}
	if err := s.finishWait(ctx, st, map[string]any{"accepted": false, "reason": why}, map[string]any{"status": data["status"], "reason": why}); err != nil {
		return flow{}, err
	}
	if err := s.tellHandoffFailed(ctx, h, state, why); err != nil {
		return flow{}, err
	}
	rr, _ := h["on_reject_or_expiry"].(map[string]any)
	re, _ := rr["reassign"].(map[string]any)
	attempt := int(num(state["attempt"]))
	if re != nil && attempt < maxHandoffs {
		return s.handoffTo(ctx, st, h, attempt+1, text(re["routing"]))
	}
	return s.handoffNotTaken(ctx, st, h, why)
}

// handoffNotTaken ends a handoff nobody took: the record goes back to whoever had it before, and the
// run goes on with steps.<id>.accepted false.
func (s *segment) handoffNotTaken(ctx context.Context, st *Step, h map[string]any, why string) (flow, error) {
	state := s.handoffState(st)
	object, id := text(state["object"]), text(state["id"])
	if object == "" {
		var err error
		if object, id, _, err = s.handoffRecord(ctx, h); err != nil {
			return flow{}, err
		}
	}
	if prev := text(state["previous_owner"]); prev != "" {
		if _, err := s.e.crm.UpdateTx(ctx, s.tx, s.actor, object, id, map[string]any{"owner_id": prev}); err != nil {
			return flow{}, err
		}
		if err := s.cascade(ctx, h, object, id, prev); err != nil {
			return flow{}, err
		}
	}
	s.steps[st.ID] = map[string]any{"accepted": false, "reason": why, "owner": nil, "record": map[string]any{"type": object, "id": id}}
	_, err := s.history(ctx, st, "done", nil, s.steps[st.ID].(map[string]any), map[string]any{"status": "not accepted", "reason": why}, "")
	return flow{next: st.Next, wrote: true}, err
}

// triedList are the receivers a handoff already went to: a reroute skips them.
func triedList(state map[string]any) []string {
	var out []string
	for _, v := range asList(state["tried"]) {
		out = append(out, text(v))
	}
	return out
}

// tellHandoffFailed emails the previous owner and the person on_reject_or_expiry names.
func (s *segment) tellHandoffFailed(ctx context.Context, h map[string]any, state map[string]any, why string) error {
	var to []string
	if prev := text(state["previous_owner"]); prev != "" {
		if u, err := (loader{e: s.e, tx: s.tx}).record(ctx, "user", prev, nil); err == nil {
			to = append(to, u.String("email"))
		}
	}
	if rr, _ := h["on_reject_or_expiry"].(map[string]any); rr["notify"] != nil {
		if u, err := s.e.eval(ctx, s.p, rr["notify"], s.vars()); err == nil {
			if m, _ := u.(map[string]any); text(m["email"]) != "" {
				to = append(to, text(m["email"]))
			}
		}
	}
	text := fmt.Sprintf("The handoff of %s %s was not accepted (%s).\n", state["object"], state["id"], why)
	slices.Sort(to)
	to = slices.Compact(to) // the previous owner may be the manager too: one email
	for i, addr := range to {
		key := fmt.Sprintf("handoff/%s/%s/%v/%d", s.run.ID, state["id"], state["attempt"], i)
		if err := s.e.queueMail(ctx, s.tx, key, addr, "Salesflow: a handoff was not accepted", text); err != nil {
			return err
		}
	}
	return nil
}

// expireHandoff skips an acceptance task still open at its deadline, which resumes the waiting run
// on its expiry path.
func (e *Engine) expireHandoff(ctx context.Context, j store.Job) error {
	return e.write(ctx, func(ctx context.Context, tx *store.Tx) error {
		o, err := e.crm.Object(ctx, tx, "task")
		if err != nil {
			return err
		}
		task, err := tx.Get(ctx, o, text(j.Payload["task"]))
		if err == nil && (task.String("status") == "open" || task.String("status") == "snoozed") && e.runActive(ctx, tx, task.String("run_id")) {
			// Not the run's own actor: a run ignores its own changes, and this one must resume it.
			expiry := auth.Actor{Kind: auth.KindSystem, ID: "handoff-expiry", Role: auth.Admin}
			_, err = e.crm.UpdateSystemTx(ctx, tx, expiry, "task", task.ID(), map[string]any{"status": "skipped",
				"completed_at": e.crm.Now().Format(records.TimeLayout)}, records.Values{"status_reason": "expired: not accepted in time"})
			if err != nil {
				return err
			}
		}
		_, err = tx.FinishJob(ctx, j)
		return err
	})
}

// runActive reports whether a run still goes on: timers of an ended run's tasks do nothing.
func (e *Engine) runActive(ctx context.Context, tx *store.Tx, runID string) bool {
	r, err := tx.ReadRun(ctx, runID)
	return err == nil && r.Active()
}

// runActor is the actor of a run's own changes, so that the timeline and other workflows' triggers
// see them as the workflow's.
func runActor(runID string) auth.Actor {
	return auth.Actor{Kind: auth.KindRun, ID: runID, Role: auth.Admin}
}
