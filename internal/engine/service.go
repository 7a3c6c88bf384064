package engine

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/salesflow/salesflow/internal/auth"
	"github.com/salesflow/salesflow/internal/crm"
	"github.com/salesflow/salesflow/internal/expr"
	"github.com/salesflow/salesflow/internal/records"
	"github.com/salesflow/salesflow/internal/store"
)

// RunDetail is a run with its history and the decision that started it (T3).
type RunDetail struct {
	store.Run
	Steps      []store.StepRecord     `json:"steps"`
	Enrollment *store.EnrollmentCheck `json:"enrollment,omitempty"`
}

// Runs lists runs, newest first.
func (e *Engine) Runs(ctx context.Context, f store.RunFilter) ([]store.Run, error) {
	var out []store.Run
	err := e.st.Read(ctx, func(tx *store.Tx) error {
		var err error
		out, err = tx.ListRuns(ctx, f)
		return err
	})
	return out, err
}

// RunStats counts runs per workflow (one, or all when workflow is "") started since a time, with
// their failures.
func (e *Engine) RunStats(ctx context.Context, since time.Time, workflow string) (map[string]store.RunStat, error) {
	var out map[string]store.RunStat
	err := e.st.Read(ctx, func(tx *store.Tx) (err error) { out, err = tx.RunStats(ctx, since, workflow); return err })
	return out, err
}

// Detail returns one run with its history; records.ErrNotFound when there is none.
func (e *Engine) Detail(ctx context.Context, id string) (RunDetail, error) {
	var d RunDetail
	err := e.st.Read(ctx, func(tx *store.Tx) error {
		r, err := tx.ReadRun(ctx, id)
		if err != nil {
			return err
		}
		d.Run = r
		if d.Steps, err = tx.Steps(ctx, id); err != nil {
			return err
		}
		log, err := tx.EnrollmentLog(ctx, r.RecordID, r.Workflow, 50)
		for i := range log {
			if log[i].RunID == id {
				d.Enrollment = &log[i]
			}
		}
		return err
	})
	if d.Steps == nil {
		d.Steps = []store.StepRecord{}
	}
	return d, err
}

// Retry on the run's own version, or moved to the workflow's current version (matched by step id).
const (
	OnOriginal = "original"
	OnCurrent  = "current"
)

// Retry starts a failed run again at the step that failed (T4).
func (e *Engine) Retry(ctx context.Context, a auth.Actor, id, on string) (store.Run, error) {
	if a.Role != auth.Admin && a.Role != auth.Manager {
		return store.Run{}, fmt.Errorf("%w: only admins and managers retry runs", crm.ErrForbidden)
	}
	var out store.Run
	err := e.write(ctx, func(ctx context.Context, tx *store.Tx) error {
		r, err := tx.Run(ctx, id)
		if err != nil {
			return err
		}
		out, err = e.retry(ctx, tx, a, r, on)
		return err
	})
	return out, err
}

// RetryMany retries every failed run of a workflow; it reports how many it restarted and why the
// others could not be.
func (e *Engine) RetryMany(ctx context.Context, a auth.Actor, workflow, on string) (int, []string, error) {
	if a.Role != auth.Admin && a.Role != auth.Manager {
		return 0, nil, fmt.Errorf("%w: only admins and managers retry runs", crm.ErrForbidden)
	}
	n := 0
	var problems []string
	err := e.write(ctx, func(ctx context.Context, tx *store.Tx) error {
		runs, err := tx.ListRuns(ctx, store.RunFilter{Workflow: workflow, Status: store.RunFailed, Limit: 10_000})
		if err != nil {
			return err
		}
		for _, r := range runs {
			if _, err := e.retry(ctx, tx, a, r, on); err != nil {
				var ce *crm.ConflictError
				if errors.As(err, &ce) {
					problems = append(problems, err.Error())
					continue
				}
				return err
			}
			n++
		}
		return nil
	})
	if err != nil {
		return 0, nil, err
	}
	return n, problems, nil
}

func (e *Engine) retry(ctx context.Context, tx *store.Tx, a auth.Actor, r store.Run, on string) (store.Run, error) {
	if r.Status != store.RunFailed {
		return r, &crm.ConflictError{Message: fmt.Sprintf("run %s is %s; only failed runs are retried", r.ID, r.Status)}
	}
	addr, _ := r.State["failed_at"].(string)
	if on == OnCurrent {
		d, err := tx.Definition(ctx, "workflow", r.Workflow)
		if err != nil {
			return r, err
		}
		old, err := e.program(ctx, tx, r.Workflow, r.Version)
		if err != nil {
			return r, err
		}
		cur, err := e.program(ctx, tx, r.Workflow, d.Version)
		if err != nil {
			return r, err
		}
		st := old.Steps[addr]
		if st == nil {
			return r, &crm.ConflictError{Message: fmt.Sprintf("run %s failed before its first step; retry it on its own version", r.ID)}
		}
		upgradeState(r.State, old) // keys of an older build name old's addresses
		id := st.ID
		moved, ok := cur.ByID[id]
		if !ok {
			return r, &crm.ConflictError{Message: fmt.Sprintf("step %s, where run %s failed, is not in version %d of %s; retry it on its own version", id, r.ID, d.Version, r.Workflow)}
		}
		addr, r.Version = moved, d.Version
	} else if on != "" && on != OnOriginal {
		return r, records.Invalid("on", "must be original or current")
	}
	if addr == "" {
		return r, &crm.ConflictError{Message: fmt.Sprintf("run %s has no step to retry from", r.ID)}
	}
	now := e.now()
	r.Status, r.Cursor, r.Error, r.EndReason, r.EndedAt, r.UpdatedAt = store.RunRunning, addr, "", "", nil, now
	delete(r.State, "failed_at")
	delete(r.State, "tries") // a retry by hand gets its attempts afresh
	if err := tx.UpdateRun(ctx, &r); err != nil {
		if errors.Is(err, store.ErrActiveRun) {
			return r, &crm.ConflictError{Message: fmt.Sprintf("the record has another active run of %s; run %s cannot restart while it runs", r.Workflow, r.ID)}
		}
		return r, err
	}
	if err := e.noteOnRun(ctx, tx, r, "retry", fmt.Sprintf("retried by %s on version %d", a.Scope(), r.Version)); err != nil {
		return r, err
	}
	return r, tx.UpsertJob(ctx, store.Job{Key: runJobKey(r.ID), Kind: "run", DueAt: now, Payload: map[string]any{"rev": r.Rev}}, now)
}

// Enroll enrolls a record in a workflow by request (manual enrollment, W1).
func (e *Engine) Enroll(ctx context.Context, a auth.Actor, workflow, recordID string) (map[string]any, error) {
	if a.Role != auth.Admin && a.Role != auth.Manager {
		return nil, fmt.Errorf("%w: only admins and managers enroll records by hand", crm.ErrForbidden)
	}
	var out map[string]any
	err := e.write(ctx, func(ctx context.Context, tx *store.Tx) error {
		var err error
		out, err = e.enrollManual(ctx, tx, workflow, recordID, a.Scope(), "")
		return err
	})
	var pe permanentError
	if errors.As(err, &pe) {
		return nil, fmt.Errorf("%w: %v", records.ErrNotFound, pe.err)
	}
	return out, err
}

// Explanation answers "why did (or didn't) this record enroll?" for one workflow.
type Explanation struct {
	Workflow  string                  `json:"workflow"`
	Version   int                     `json:"version"`
	State     string                  `json:"state"`
	Trigger   map[string]any          `json:"trigger"`
	Reenroll  string                  `json:"reenroll"`
	Summary   string                  `json:"summary"`
	FilterNow map[string]any          `json:"filter_now,omitempty"`
	Decisions []store.EnrollmentCheck `json:"decisions"`
	Runs      []store.Run             `json:"runs"`
}

// Explain returns the trigger, the decisions taken about the record (newest first, each with the filter
// values and the re-enrollment rule), its runs, and the filter's value on the record as it is now.
func (e *Engine) Explain(ctx context.Context, recordType, recordID, workflow string) (Explanation, error) {
	x := Explanation{Workflow: workflow}
	err := e.st.Read(ctx, func(tx *store.Tx) error {
		d, err := tx.Definition(ctx, "workflow", workflow)
		if err != nil {
			return err
		}
		p, err := e.program(ctx, tx, d.Name, d.Version)
		if err != nil {
			return err
		}
		x.Version, x.State, x.Reenroll = d.Version, d.State, "never"
		if s, _ := p.Plan["reenroll"].(string); s != "" {
			x.Reenroll = s
		}
		x.Trigger = map[string]any{}
		for k, v := range p.Trigger {
			x.Trigger[k] = exprSource(v)
		}
		if x.Decisions, err = tx.EnrollmentLog(ctx, recordID, workflow, 20); err != nil {
			return err
		}
		if x.Runs, err = tx.ListRuns(ctx, store.RunFilter{Workflow: workflow, RecordID: recordID, Limit: 20}); err != nil {
			return err
		}
		x.FilterNow = e.filterNow(withTx(ctx, tx), tx, p, recordType, recordID)
		x.Summary = summary(p, d, recordType, x)
		return nil
	})
	if x.Decisions == nil {
		x.Decisions = []store.EnrollmentCheck{}
	}
	if x.Runs == nil {
		x.Runs = []store.Run{}
	}
	return x, err
}

func (e *Engine) filterNow(ctx context.Context, tx *store.Tx, p *Program, recordType, recordID string) map[string]any {
	when, _ := p.Trigger["when"].(map[string]any)
	if when == nil || recordType != p.Object {
		return nil
	}
	rec, err := e.loadFor(ctx, tx, p, recordType, recordID)
	if err != nil {
		return map[string]any{"when": when["expr"], "error": err.Error()}
	}
	on, _ := p.Trigger["on"].(string)
	v, err := e.evalBool(ctx, p, when, expr.Vars{p.Object: rec, "event": withRecord(map[string]any{"type": on}, p.Object, rec)})
	if err != nil {
		return map[string]any{"when": when["expr"], "error": err.Error()}
	}
	return map[string]any{"when": when["expr"], "value": v}
}

func summary(p *Program, d store.Definition, recordType string, x Explanation) string {
	on, _ := p.Trigger["on"].(string)
	switch {
	case recordType != p.Object:
		return fmt.Sprintf("%s runs on %s records; this is a %s", p.Name, p.Object, recordType)
	case len(x.Decisions) > 0 && x.Decisions[0].Enrolled:
		return fmt.Sprintf("enrolled by %s at %s (run %s)", x.Decisions[0].Trigger, x.Decisions[0].At.Format("2006-01-02 15:04:05Z07:00"), x.Decisions[0].RunID)
	case len(x.Decisions) > 0:
		return "not enrolled on its last trigger (" + x.Decisions[0].Trigger + "): " + x.Decisions[0].Reason
	case d.State != store.StateActive:
		return fmt.Sprintf("the workflow is %s, so it enrolls nothing", d.State)
	}
	return fmt.Sprintf("no %s trigger has fired for this record since the workflow became active (%s)", on, d.UpdatedAt.Format("2006-01-02 15:04:05Z07:00"))
}
