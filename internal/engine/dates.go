package engine

import (
	"context"
	"errors"
	"fmt"
	"time"

	cron "github.com/netresearch/go-cron"

	"github.com/salesflow/salesflow/internal/records"
	"github.com/salesflow/salesflow/internal/store"
)

// scheduleDates keeps the timers of date-relative triggers (and task.overdue) in step with the
// record: a changed date field reschedules its timer, an emptied one (or a closed task) drops it.
func (e *Engine) scheduleDates(ctx context.Context, tx *store.Tx, wfs []active, ev store.Event) error {
	for _, w := range wfs {
		on, _ := w.p.Trigger["on"].(string)
		switch {
		case on == "date" && w.p.Object == ev.RecordType:
			if err := e.scheduleDate(ctx, tx, w.p, ev); err != nil {
				return err
			}
		case on == "task.overdue" && ev.RecordType == "task":
			if err := e.scheduleOverdue(ctx, tx, w.p, ev); err != nil {
				return err
			}
		}
	}
	return nil
}

func dateJobKey(workflow, recordID string) string { return "date:" + workflow + ":" + recordID }

func (e *Engine) scheduleDate(ctx context.Context, tx *store.Tx, p *Program, ev store.Event) error {
	spec, _ := p.Trigger["date"].(map[string]any)
	field, _ := spec["field"].(string)
	if _, changed := ev.Changes[field]; !changed && ev.Kind != "created" {
		return nil
	}
	key := dateJobKey(p.Name, ev.RecordID)
	rec, err := e.eventRecord(ctx, tx, ev)
	if err != nil {
		return err
	}
	v, ok := dateValue(rec[field])
	if !ok || ev.Kind == "deleted" {
		return tx.DeleteJob(ctx, key)
	}
	o, err := e.crm.Object(ctx, tx, p.Object)
	if err != nil {
		return err
	}
	loc, _, err := e.zone(ctx, tx, spec["timezone"], rec)
	if err != nil {
		return err
	}
	at, _ := spec["at"].(string)
	due, err := dateMoment(v, isDateField(o, field), durationOf(spec["offset"]), at, loc)
	if err != nil {
		return err
	}
	if due.Before(e.now()) {
		return tx.DeleteJob(ctx, key) // the moment has passed: nothing to fire
	}
	return tx.UpsertJob(ctx, store.Job{Key: key, Kind: "date", DueAt: due,
		Payload: map[string]any{"workflow": p.Name, "record_id": ev.RecordID, "field": field, "trigger": "date"}}, e.now())
}

func (e *Engine) scheduleOverdue(ctx context.Context, tx *store.Tx, p *Program, ev store.Event) error {
	_, due := ev.Changes["due_at"]
	_, status := ev.Changes["status"]
	if !due && !status && ev.Kind != "created" {
		return nil
	}
	key := dateJobKey(p.Name, ev.RecordID)
	rec, err := e.eventRecord(ctx, tx, ev)
	if err != nil {
		return err
	}
	at, ok := dateValue(rec["due_at"])
	if !ok || rec["status"] != "open" || ev.Kind == "deleted" {
		return tx.DeleteJob(ctx, key)
	}
	return tx.UpsertJob(ctx, store.Job{Key: key, Kind: "date", DueAt: at,
		Payload: map[string]any{"workflow": p.Name, "record_id": ev.RecordID, "field": "due_at", "trigger": "task.overdue"}}, e.now())
}

// fireDate enrolls the record whose date came due, if the workflow is still active and, for an
// overdue task, the task is still open.
func (e *Engine) fireDate(ctx context.Context, j store.Job) error {
	started := false
	err := e.write(ctx, func(ctx context.Context, tx *store.Tx) error {
		if cur, ok, err := tx.JobByKey(ctx, j.Key); err != nil || !ok || cur.Gen != j.Gen {
			return err // the date moved (a new generation fires at the new moment) or the timer was dropped
		}
		name, _ := j.Payload["workflow"].(string)
		id, _ := j.Payload["record_id"].(string)
		field, _ := j.Payload["field"].(string)
		d, err := tx.Definition(ctx, "workflow", name)
		if err != nil && !errors.Is(err, records.ErrNotFound) {
			return err
		}
		if err == nil && d.State == store.StateActive {
			p, err := e.program(ctx, tx, d.Name, d.Version)
			if err != nil {
				return err
			}
			tr := triggered{recordType: p.Object, recordID: id, event: map[string]any{"type": j.Payload["trigger"], "at": j.DueAt, "field": field}}
			ok := true
			if j.Payload["trigger"] == "task.overdue" {
				ok, err = e.stillOverdue(ctx, tx, id)
				tr.event["type"] = "task.overdue"
			}
			if err != nil {
				return err
			}
			if ok {
				if started, err = e.enroll(ctx, tx, p, tr); err != nil {
					return err
				}
			}
		}
		_, err = tx.FinishJob(ctx, j)
		return err
	})
	if started && err == nil {
		e.m.started.Inc()
		e.Wake()
	}
	return err
}

func (e *Engine) stillOverdue(ctx context.Context, tx *store.Tx, taskID string) (bool, error) {
	rec, err := (loader{e: e, tx: tx}).record(ctx, "task", taskID, nil)
	if errors.Is(err, records.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	due, ok := dateValue(rec["due_at"])
	return ok && rec["status"] == "open" && !due.After(e.now()), nil
}

// cronBatch is how many records one cron job enrolls per transaction; the job keeps its place.
const cronBatch = 200

func cronJobKey(workflow string) string { return "cron:" + workflow }

// nextTick is the first tick of a schedule trigger after t.
func nextTick(p *Program, t time.Time) (time.Time, error) {
	spec, _ := p.Trigger["schedule"].(map[string]any)
	zone, _ := spec["timezone"].(string)
	if zone == "" {
		zone = "UTC"
	}
	s, err := cron.ParseStandard(fmt.Sprintf("CRON_TZ=%s %s", zone, spec["cron"]))
	if err != nil {
		return time.Time{}, fmt.Errorf("schedule of %s: %w", p.Name, err)
	}
	return s.Next(t).UTC(), nil
}

// syncCron makes sure every active schedule-triggered workflow has its next tick scheduled.
func (e *Engine) syncCron(ctx context.Context) error {
	return e.write(ctx, func(ctx context.Context, tx *store.Tx) error {
		defs, err := tx.Definitions(ctx, "workflow")
		if err != nil {
			return err
		}
		for _, w := range e.activeWorkflows(ctx, tx, defs) {
			if w.p.Trigger["on"] != "schedule" {
				continue
			}
			if _, ok, err := tx.JobByKey(ctx, cronJobKey(w.p.Name)); err != nil || ok {
				if err != nil {
					return err
				}
				continue
			}
			next, err := nextTick(w.p, e.now())
			if err != nil {
				return err
			}
			if err := tx.UpsertJob(ctx, store.Job{Key: cronJobKey(w.p.Name), Kind: "cron", DueAt: next,
				Payload: map[string]any{"workflow": w.p.Name, "tick": next}}, e.now()); err != nil {
				return err
			}
		}
		return nil
	})
}

// fireCron enrolls, page by page, every record of the workflow's object (the filter decides), then
// schedules the next tick. The page position lives in the job, so a crash resumes the same tick.
func (e *Engine) fireCron(ctx context.Context, j store.Job) error {
	started := 0
	err := e.write(ctx, func(ctx context.Context, tx *store.Tx) error {
		name, _ := j.Payload["workflow"].(string)
		d, err := tx.Definition(ctx, "workflow", name)
		if err != nil || d.State != store.StateActive {
			_, ferr := tx.FinishJob(ctx, j) // gone or paused: syncCron schedules it again when it is back
			return ferr
		}
		p, err := e.program(ctx, tx, d.Name, d.Version)
		if err != nil || p.Trigger["on"] != "schedule" {
			_, ferr := tx.FinishJob(ctx, j)
			return errors.Join(err, ferr)
		}
		o, err := e.crm.Object(ctx, tx, p.Object)
		if err != nil {
			return err
		}
		after, _ := j.Payload["after"].(string)
		q := store.ListQuery{Limit: cronBatch, Sort: "id"}
		if after != "" {
			q.After = &store.Position{Value: after, ID: after}
		}
		list, _, err := tx.List(ctx, o, q)
		if err != nil {
			return err
		}
		tick := j.DueAt
		for _, rec := range list {
			ok, err := e.enroll(ctx, tx, p, triggered{recordType: p.Object, recordID: rec.ID(), event: map[string]any{"type": "schedule", "at": tick}})
			if err != nil {
				return err
			}
			if ok {
				started++
			}
		}
		payload := map[string]any{"workflow": name, "tick": tick}
		due := tick
		if len(list) == cronBatch {
			payload["after"] = list[len(list)-1].ID()
		} else if due, err = nextTick(p, tick); err != nil {
			return err
		}
		return tx.UpsertJob(ctx, store.Job{Key: j.Key, Kind: "cron", DueAt: due, Payload: payload}, e.now())
	})
	if started > 0 && err == nil {
		e.m.started.Add(float64(started))
		e.Wake()
	}
	return err
}
