package engine

import (
	"context"
	"fmt"
	"sort"

	"github.com/salesflow/salesflow/internal/store"
)

// MigrateWaiting applies an apply's policy to the active runs on versions before to (W5): finish
// leaves them; cancel ends them; move puts each at the step with the same id in version to, when it
// is there and of the same kind (others finish on their version).
func (e *Engine) MigrateWaiting(ctx context.Context, tx *store.Tx, name string, to int, policy string) (map[string]any, error) {
	runs, err := e.activeRuns(ctx, tx, name)
	if err != nil {
		return nil, err
	}
	report := map[string]any{"policy": policy}
	counts := map[string]int{}
	var target *Program
	for _, r := range runs {
		if r.Version >= to {
			continue
		}
		old, err := e.program(ctx, tx, r.Workflow, r.Version)
		if err != nil {
			return nil, err
		}
		st := old.Steps[r.Cursor]
		where := fmt.Sprintf("v%d %s", r.Version, stepName(st, r.Cursor))
		switch policy {
		case "cancel":
			if err := e.cancelRun(ctx, tx, r, store.RunCancelled, fmt.Sprintf("cancelled when version %d was applied", to)); err != nil {
				return nil, err
			}
			counts["cancelled"]++
		case "move":
			if target == nil {
				if target, err = e.program(ctx, tx, name, to); err != nil {
					return nil, err
				}
			}
			at := target.counterpart(st)
			if at == nil {
				counts["stayed"]++
				report["stayed_at"] = appendStr(report["stayed_at"], where)
				continue
			}
			upgradeState(r.State, old) // keys of an older build name old's addresses
			if err := e.moveRun(ctx, tx, r, to, at.Addr); err != nil {
				return nil, err
			}
			counts["moved"]++
		default:
			counts["stayed"]++
		}
	}
	if len(counts) == 0 {
		return nil, nil // no run waited on an older version: nothing to report
	}
	for k, v := range counts {
		report[k] = v
	}
	return report, nil
}

// counterpart is where `move` puts a run at st (a step of another version of p's workflow): p's step
// with the same id and kind, and for an action the same action (a webhook in flight must not have its
// answer recorded by an email step); nil when p has none.
func (p *Program) counterpart(st *Step) *Step {
	if st == nil {
		return nil
	}
	if c := p.byID(st.ID); c != nil && stepLabel(c) == stepLabel(st) {
		return c
	}
	return nil
}

func stepName(st *Step, addr string) string {
	if st == nil || st.ID == st.Addr {
		return "step " + addr
	}
	return "step " + st.ID
}

func appendStr(v any, s string) []string {
	l, _ := v.([]string)
	return append(l, s)
}

// moveRun puts an active run on version to at addr, keeping its wait and its timer.
func (e *Engine) moveRun(ctx context.Context, tx *store.Tx, r store.Run, to int, addr string) error {
	if res, ok := r.State["resume"].(map[string]any); ok {
		res["addr"] = addr
	}
	r.Version, r.Cursor, r.UpdatedAt = to, addr, e.now()
	if err := tx.UpdateRun(ctx, &r); err != nil {
		return err
	}
	if err := e.noteOnRun(ctx, tx, r, "migrated", fmt.Sprintf("moved to version %d at step %s", to, addr)); err != nil {
		return err
	}
	return tx.SetJobPayload(ctx, runJobKey(r.ID), map[string]any{"rev": r.Rev})
}

// activeRuns lists a workflow's running and waiting runs.
func (e *Engine) activeRuns(ctx context.Context, tx *store.Tx, name string) ([]store.Run, error) {
	var out []store.Run
	for _, status := range []string{store.RunWaiting, store.RunRunning} {
		runs, err := tx.ListRuns(ctx, store.RunFilter{Workflow: name, Status: status, Limit: 1_000_000})
		if err != nil {
			return nil, err
		}
		out = append(out, runs...)
	}
	return out, nil
}

// WaitingStep is how many active runs of a version sit at one step: the preview before choosing
// what an apply does with them.
type WaitingStep struct {
	Version int    `json:"version"`
	StepID  string `json:"step_id"`
	Addr    string `json:"addr"`
	Type    string `json:"type"` // the step's kind; for an action, which ("action:webhook"), as in run history
	Runs    int    `json:"runs"`
	// InCurrent says whether the current version has a step with this id and kind, where `move` would
	// put these runs.
	InCurrent bool `json:"in_current"`
}

// Waiting previews the active runs of a workflow by version and step.
func (e *Engine) Waiting(ctx context.Context, name string) ([]WaitingStep, error) {
	var out []WaitingStep
	err := e.st.Read(ctx, func(tx *store.Tx) error {
		d, err := tx.Definition(ctx, "workflow", name)
		if err != nil {
			return err
		}
		cur, err := e.program(ctx, tx, name, d.Version)
		if err != nil {
			return err
		}
		counts, err := tx.WaitingAt(ctx, name)
		if err != nil {
			return err
		}
		for v, byAddr := range counts {
			p, err := e.program(ctx, tx, name, v)
			if err != nil {
				return err
			}
			for addr, n := range byAddr {
				w := WaitingStep{Version: v, Addr: addr, Runs: n}
				if st := p.Steps[addr]; st != nil {
					w.StepID, w.Type = st.ID, stepLabel(st)
					w.InCurrent = cur.counterpart(st) != nil
				}
				out = append(out, w)
			}
		}
		return nil
	})
	sort.Slice(out, func(i, j int) bool {
		if out[i].Version != out[j].Version {
			return out[i].Version < out[j].Version
		}
		return out[i].Addr < out[j].Addr
	})
	return out, err
}
