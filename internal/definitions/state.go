package definitions

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/salesflow/salesflow/internal/auth"
	"github.com/salesflow/salesflow/internal/crm"
	"github.com/salesflow/salesflow/internal/records"
	"github.com/salesflow/salesflow/internal/store"
	"github.com/salesflow/salesflow/internal/workflow"
)

// Rollback makes a new version whose text is version n's, linted again against today's database
// first: history is never rewritten, and what goes live must still be valid. Rolling back to the
// text the current version already has changes nothing.
func (s *Service) Rollback(ctx context.Context, a auth.Actor, kind, name string, n int) (Applied, []workflow.Diagnostic, error) {
	if err := adminOnly(a); err != nil {
		return Applied{}, nil, err
	}
	old, err := s.Version(ctx, kind, name, n)
	if errors.Is(err, records.ErrNotFound) {
		if _, gerr := s.Get(ctx, kind, name); gerr != nil {
			return Applied{}, nil, gerr
		}
		return Applied{}, nil, records.Invalid("version", "%s/%s has no version %d", kind, name, n)
	}
	if err != nil {
		return Applied{}, nil, err
	}
	file := fmt.Sprintf("%s/%s v%d", kind, name, n)
	defs, diags, err := s.lint(ctx, []workflow.Source{{File: file, Content: []byte(old.Source)}})
	if err != nil {
		return Applied{}, nil, err
	}
	if workflow.HasErrors(diags) {
		return Applied{}, diags, &LintError{Diagnostics: diags}
	}
	if len(defs) != 1 || defs[0].Kind != kind || defs[0].Name != name {
		return Applied{}, diags, fmt.Errorf("version %d of %s/%s no longer reads as that one definition", n, kind, name)
	}
	var ap Applied
	err = s.write(ctx, func(tx *store.Tx) (err error) {
		ap, err = s.applyOne(ctx, tx, a, defs[0], n, false)
		return err
	})
	return ap, diags, err
}

// Pause stops a definition from starting new runs. Pausing what the kill switch paused makes it a
// person's pause, which resume-all leaves alone.
func (s *Service) Pause(ctx context.Context, a auth.Actor, kind, name string) (store.Definition, error) {
	return s.transition(ctx, a, kind, name, "paused", func(d store.Definition) (store.Definition, error) {
		switch d.State {
		case store.StateArchived, store.StateDraft:
			return d, conflict("%s/%s is %s; only an active definition can be paused", kind, name, d.State)
		}
		d.State, d.PausedBy = store.StatePaused, store.PausedByUser
		return d, nil
	})
}

// Resume makes a paused (or draft) definition active. An archived one is restored by applying it.
func (s *Service) Resume(ctx context.Context, a auth.Actor, kind, name string) (store.Definition, error) {
	return s.transition(ctx, a, kind, name, "resumed", func(d store.Definition) (store.Definition, error) {
		if d.State == store.StateArchived {
			return d, conflict("%s/%s is archived; apply its file again to restore it", kind, name)
		}
		d.State, d.PausedBy = store.StateActive, ""
		return d, nil
	})
}

// Archive retires a definition: it no longer runs and no longer satisfies references in other
// definitions being applied.
func (s *Service) Archive(ctx context.Context, a auth.Actor, kind, name string) (store.Definition, error) {
	if err := adminOnly(a); err != nil {
		return store.Definition{}, err
	}
	users, err := s.dependants(ctx, kind, name)
	if err != nil {
		return store.Definition{}, err
	}
	if len(users) > 0 {
		return store.Definition{}, conflict("%s/%s is still used by %s: change or archive them first", kind, name, strings.Join(users, ", "))
	}
	return s.transition(ctx, a, kind, name, "archived", func(d store.Definition) (store.Definition, error) {
		d.State, d.PausedBy = store.StateArchived, ""
		return d, nil
	})
}

// dependants lists the stored definitions, not archived, that refer to kind/name.
func (s *Service) dependants(ctx context.Context, kind, name string) ([]string, error) {
	var out []string
	err := s.st.Read(ctx, func(tx *store.Tx) error {
		rows, err := tx.Definitions(ctx)
		if err != nil {
			return err
		}
		var sources []workflow.Source
		for _, r := range rows {
			if r.State == store.StateArchived || (r.Kind == kind && r.Name == name) {
				continue
			}
			v, err := tx.DefinitionVersion(ctx, r.Kind, r.Name, r.Version)
			if err != nil {
				return err
			}
			sources = append(sources, workflow.Source{File: r.Kind + "/" + r.Name, Content: []byte(v.Source)})
		}
		custom, err := customFields(ctx, tx)
		if err != nil {
			return err
		}
		l, err := s.newLinter(s.cat, custom, &resolver{tx: tx, cat: s.cat})
		if err != nil {
			return err
		}
		defs, _ := l.Lint(ctx, sources)
		for _, d := range defs {
			if d.Refers(kind, name) {
				out = append(out, d.Kind+"/"+d.Name)
			}
		}
		return nil
	})
	return out, err
}

func conflict(format string, args ...any) error {
	return &crm.ConflictError{Field: "state", Message: fmt.Sprintf(format, args...)}
}

// transition changes one definition's state with change; no change (already in that state) writes
// nothing.
func (s *Service) transition(ctx context.Context, a auth.Actor, kind, name, eventKind string, change func(store.Definition) (store.Definition, error)) (store.Definition, error) {
	if err := adminOnly(a); err != nil {
		return store.Definition{}, err
	}
	if CheckKind("kind", kind) != nil {
		return store.Definition{}, notFound(kind, name)
	}
	var out store.Definition
	err := s.write(ctx, func(tx *store.Tx) error {
		cur, err := tx.LockDefinition(ctx, kind, name)
		if err != nil {
			return err
		}
		next, err := change(cur)
		if err != nil {
			return err
		}
		out = cur
		if next.State == cur.State && next.PausedBy == cur.PausedBy {
			return nil
		}
		next.UpdatedAt = s.clock()
		if err := tx.UpdateDefinition(ctx, cur, next); err != nil {
			return err
		}
		out = next
		changes := map[string]records.Change{"state": {Old: cur.State, New: next.State}}
		if cur.PausedBy != next.PausedBy {
			changes["paused_by"] = records.Change{Old: cur.PausedBy, New: next.PausedBy}
		}
		return s.event(ctx, tx, a, next, eventKind, changes)
	})
	return out, err
}

// settingKillSwitch is "on" while the kill switch is.
const settingKillSwitch = "kill_switch"

// startState is the state of a workflow being created or restored: paused while the kill switch is on.
func startState(ctx context.Context, tx *store.Tx, kind string) (state, pausedBy string, err error) {
	if kind != "workflow" {
		return store.StateActive, "", nil
	}
	on, err := tx.Setting(ctx, settingKillSwitch)
	if err != nil || on != "on" {
		return store.StateActive, "", err
	}
	return store.StatePaused, store.PausedByKillSwitch, nil
}

// PauseAll is the kill switch: every active workflow is paused at once. It returns how many.
func (s *Service) PauseAll(ctx context.Context, a auth.Actor) (int, error) {
	return s.switchAll(ctx, a, store.StateActive, "", store.StatePaused, store.PausedByKillSwitch, "paused")
}

// ResumeAll resumes the workflows the kill switch paused, and only those. It returns how many.
func (s *Service) ResumeAll(ctx context.Context, a auth.Actor) (int, error) {
	return s.switchAll(ctx, a, store.StatePaused, store.PausedByKillSwitch, store.StateActive, "", "resumed")
}

func (s *Service) switchAll(ctx context.Context, a auth.Actor, from, fromBy, to, toBy, eventKind string) (int, error) {
	if err := adminOnly(a); err != nil {
		return 0, err
	}
	var n int
	err := s.write(ctx, func(tx *store.Tx) error {
		// The switch stays on until resumed, so workflows applied meanwhile start paused too.
		if err := tx.SetSetting(ctx, settingKillSwitch, map[bool]string{true: "on", false: ""}[to == store.StatePaused], s.clock()); err != nil {
			return err
		}
		changed, err := tx.SetDefinitionStates(ctx, "workflow", from, fromBy, to, toBy, s.clock())
		if err != nil {
			return err
		}
		for _, d := range changed {
			if err := s.event(ctx, tx, a, d, eventKind, map[string]records.Change{
				"state": {Old: from, New: to}, "paused_by": {Old: fromBy, New: toBy}}); err != nil {
				return err
			}
		}
		n = len(changed)
		return nil
	})
	return n, err
}
