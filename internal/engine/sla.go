package engine

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/salesflow/salesflow/internal/auth"
	"github.com/salesflow/salesflow/internal/bizcal"
	"github.com/salesflow/salesflow/internal/expr"
	"github.com/salesflow/salesflow/internal/records"
	"github.com/salesflow/salesflow/internal/store"
)

// slaCalendar is the business calendar a task's SLA is measured on (in the record owner's zone when
// the calendar is per person), or nil for wall-clock time.
func (s *segment) slaCalendar(ctx context.Context, sla map[string]any) (*bizcal.Calendar, error) {
	name, _ := sla["calendar"].(string)
	if name == "" {
		return nil, nil
	}
	cal, _, err := s.e.stepCalendar(ctx, s.tx, name, s.rec)
	return cal, err
}

// addOn adds d on the calendar, or in wall-clock time without one.
func addOn(cal *bizcal.Calendar, t time.Time, d time.Duration) time.Time {
	if cal == nil {
		return t.Add(d)
	}
	return cal.AddBusinessDuration(t, d)
}

// scheduleSLA sets the timers of a task's SLA (H3): the reminder remind_before the due time and each
// rung of the escalation ladder after it, all on the SLA's calendar. Each timer checks the task when it
// fires and does nothing once the task is done, skipped or declined.
func (s *segment) scheduleSLA(ctx context.Context, st *Step, taskID string, due time.Time, sla map[string]any, cal *bizcal.Calendar) (map[string]any, error) {
	now := s.e.now()
	plan := map[string]any{}
	job := func(rung string, at time.Time) error {
		if at.Before(now) {
			at = now
		}
		plan[rung] = at
		return s.tx.UpsertJob(ctx, store.Job{Key: "sla:" + taskID + ":" + rung, Kind: "sla", DueAt: at,
			Payload: map[string]any{"task": taskID, "run": s.run.ID, "addr": st.Addr, "workflow": s.run.Workflow, "version": s.run.Version, "rung": rung}}, now)
	}
	if d := durationOf(sla["remind_before"]); d > 0 {
		if err := job("remind", addOn(cal, due, -d)); err != nil {
			return nil, err
		}
	}
	for i, raw := range asList(sla["escalate"]) {
		rung, _ := raw.(map[string]any)
		if err := job(strconv.Itoa(i), addOn(cal, due, durationOf(rung["after"]))); err != nil {
			return nil, err
		}
	}
	return plan, nil
}

// fireSLA does one rung of a task's SLA: a reminder to the owner, or an escalation (tell someone,
// reassign through a routing ruleset, move to a team's pool). Each is recorded on the task's timeline
// and in the history of the run that made the task.
func (e *Engine) fireSLA(ctx context.Context, j store.Job) error {
	return e.write(ctx, func(ctx context.Context, tx *store.Tx) error {
		o, err := e.crm.Object(ctx, tx, "task")
		if err != nil {
			return err
		}
		task, err := tx.Get(ctx, o, text(j.Payload["task"]))
		if err != nil || (task.String("status") != "open" && task.String("status") != "snoozed") || !e.runActive(ctx, tx, text(j.Payload["run"])) {
			_, ferr := tx.FinishJob(ctx, j)
			return ferr // gone, settled, or its run ended: nothing to remind anyone of
		}
		out, err := e.slaRung(ctx, tx, j, task)
		var pe permanentError
		if errors.As(err, &pe) { // retrying cannot help: say so in the run's history and stop
			out, err = map[string]any{"rung": j.Payload["rung"], "failed": pe.Error()}, nil
		}
		if err != nil {
			return err
		}
		now := e.now()
		rung := text(j.Payload["rung"])
		if err := tx.AppendEvent(ctx, store.Event{ID: uuid.Must(uuid.NewV7()).String(), RecordType: "task", RecordID: task.ID(), Kind: "event",
			Name: "task.sla", Payload: out, Changes: map[string]records.Change{}, ActorType: auth.KindRun, ActorID: text(j.Payload["run"]), OccurredAt: e.crm.Now()}); err != nil {
			return err
		}
		runID := text(j.Payload["run"])
		seq, err := tx.MaxStepSeq(ctx, runID)
		if err != nil {
			return err
		}
		stepID := text(task["step_id"])
		status := "done"
		if out["failed"] != nil {
			status = "failed"
		}
		if err := tx.SaveStep(ctx, store.StepRecord{RunID: runID, Seq: seq + 1, Version: int(num(j.Payload["version"])), StepID: stepID,
			Addr: text(j.Payload["addr"]), Type: "sla", Status: status, Input: map[string]any{"task": task.ID(), "rung": rung}, Output: out,
			Attempts: 1, StartedAt: now, FinishedAt: &now}); err != nil {
			return err
		}
		_, err = tx.FinishJob(ctx, j)
		return err
	})
}

func num(v any) float64 {
	switch n := v.(type) {
	case float64:
		return n
	case int:
		return float64(n)
	case int64:
		return float64(n)
	}
	return 0
}

// slaRung performs the rung and says what it did.
func (e *Engine) slaRung(ctx context.Context, tx *store.Tx, j store.Job, task records.Values) (map[string]any, error) {
	rung := text(j.Payload["rung"])
	owner := ""
	if id := task.String("owner_id"); id != "" {
		if u, err := (loader{e: e, tx: tx}).record(ctx, "user", id, nil); err == nil {
			owner = u.String("email")
		}
	}
	due, _ := task["due_at"].(time.Time)
	link := fmt.Sprintf("%s/api/v1/tasks/%s", strings.TrimRight(e.opts.BaseURL, "/"), task.ID())
	if rung == "remind" {
		if owner == "" {
			return map[string]any{"rung": rung, "action": "remind", "note": "the task has no owner to remind"}, nil
		}
		text := fmt.Sprintf("%s is due at %s.\n\nWhy: %s\n\n%s\n", task.String("title"), due.UTC().Format(time.RFC1123), task.String("why"), link)
		err := e.queueMail(ctx, tx, j.Key+"/"+fmt.Sprint(j.Gen), owner, "Salesflow reminder: "+task.String("title"), text)
		return map[string]any{"rung": rung, "action": "remind", "to": owner}, err
	}
	p, err := e.program(ctx, tx, text(j.Payload["workflow"]), int(num(j.Payload["version"])))
	if err != nil {
		return nil, err
	}
	st := p.Steps[text(j.Payload["addr"])]
	if st == nil {
		return nil, permanent(fmt.Errorf("step %s is not in %s version %v", j.Payload["addr"], p.Name, p.Version))
	}
	t, _ := st.Raw["task"].(map[string]any)
	sla, _ := t["sla"].(map[string]any)
	i, _ := strconv.Atoi(rung)
	ladder := asList(sla["escalate"])
	if i >= len(ladder) {
		return nil, permanent(fmt.Errorf("the SLA of step %s has no rung %s", st.ID, rung))
	}
	r, _ := ladder[i].(map[string]any)
	out := map[string]any{"rung": rung, "after_due": time.Duration(durationOf(r["after"])).String(), "owner": owner}
	recType, recID := task.String("record_type"), task.String("record_id")
	switch {
	case r["notify"] != nil:
		run, err := tx.ReadRun(ctx, text(j.Payload["run"]))
		if err != nil {
			return nil, err
		}
		rec, err := e.loadFor(ctx, tx, p, run.RecordType, run.RecordID)
		if err != nil {
			return nil, err
		}
		ev, _ := run.State["event"].(map[string]any)
		steps, _ := run.State["steps"].(map[string]any)
		u, err := e.eval(ctx, p, r["notify"], expr.Vars{p.Object: rec, "event": withRecord(ev, p.Object, rec), "steps": steps})
		if err != nil {
			return nil, permanent(err)
		}
		to, _ := u.(map[string]any)
		addr := text(to["email"])
		out["action"], out["to"] = "notify", addr
		if addr == "" {
			out["note"] = "nobody to tell: " + fmt.Sprint(exprSource(r["notify"])) + " is empty"
			return out, nil
		}
		text := fmt.Sprintf("%s (owner %s) was due at %s and is still open.\n\nWhy: %s\n\n%s\n", task.String("title"), owner, due.UTC().Format(time.RFC1123), task.String("why"), link)
		return out, e.queueMail(ctx, tx, j.Key+"/"+fmt.Sprint(j.Gen), addr, "Salesflow escalation: "+task.String("title")+" is overdue", text)
	case r["reassign"] != nil:
		ra, _ := r["reassign"].(map[string]any)
		actor := runActor(text(j.Payload["run"]))
		routed, err := e.route(ctx, tx, actor, text(ra["routing"]), recType, recID, text(j.Payload["run"]), false, task.String("owner_id"))
		if err != nil {
			return nil, err
		}
		out["action"], out["routing"], out["why"] = "reassign", ra["routing"], routed.Trace.Summary
		if routed.UserID == "" {
			out["note"] = "nobody could take it; the record waits in the " + routed.Queue + " queue"
			return out, nil
		}
		_, err = e.crm.UpdateSystemTx(ctx, tx, actor, "task", task.ID(), map[string]any{"owner_id": routed.UserID}, nil)
		out["new_owner"] = routed.UserID
		return out, err
	default:
		mp, _ := r["move_to_pool"].(map[string]any)
		team := text(mp["team"])
		out["action"], out["team"] = "move_to_pool", team
		_, err := e.crm.UpdateSystemTx(ctx, tx, runActor(text(j.Payload["run"])), "task", task.ID(), map[string]any{"owner_id": nil}, records.Values{"pool": team})
		return out, err
	}
}
