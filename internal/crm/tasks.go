package crm

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/salesflow/salesflow/internal/auth"
	"github.com/salesflow/salesflow/internal/records"
	"github.com/salesflow/salesflow/internal/store"
)

// TaskChange is a rep's move on a task (H1): complete with an outcome, skip, snooze until a time,
// decline with a reason, or reassign to someone else.
type TaskChange struct {
	Action  string // complete | skip | snooze | decline | reassign
	Outcome string
	Reason  string
	Until   time.Time
	OwnerID string
}

// CompleteTask marks an open task done with an outcome (ChangeTask with action complete).
func (s *Service) CompleteTask(ctx context.Context, a auth.Actor, id, outcome string) (records.Values, error) {
	return s.ChangeTask(ctx, a, id, TaskChange{Action: "complete", Outcome: outcome})
}

// ChangeTask applies a move to an open (or snoozed) task. A rep changes only their own tasks, a
// manager their team's. A settled task (done, skipped, declined) is a conflict, so two racing moves
// settle it once and resume the waiting run once. A reassigned task keeps its run waiting; done,
// skipped and declined resume it on their paths.
func (s *Service) ChangeTask(ctx context.Context, a auth.Actor, id string, c TaskChange) (records.Values, error) {
	var rec records.Values
	err := s.st.Write(ctx, func(tx *store.Tx) error {
		o, err := s.Object(ctx, tx, "task")
		if err != nil {
			return err
		}
		task, err := tx.GetForUpdate(ctx, o, "id", id)
		if err != nil {
			return err
		}
		pooled := task.String("owner_id") == "" && task.String("pool") != ""
		if err := authorizeTask(ctx, tx, a, o, task, pooled, c); err != nil {
			return err
		}
		if st := task.String("status"); st != "open" && st != "snoozed" {
			return &ConflictError{Message: fmt.Sprintf("task %s is %s already: it cannot be changed again", id, st)}
		}
		patch, sys, err := s.taskPatch(ctx, tx, a, task, c)
		if err != nil {
			return err
		}
		if pooled && c.Action == "complete" && a.UserID != "" {
			patch["owner_id"] = a.UserID // whoever takes a task from the pool owns it
		}
		vals, err := o.Prepare(patch, false)
		if err != nil {
			return allProblems(o, task, vals, err, false)
		}
		for k, v := range sys {
			vals[k] = v
		}
		rec, err = s.apply(ctx, tx, a, o, task, vals)
		return err
	})
	return rec, err
}

// taskPatch works out a move's changes, refusing bad input by field.
func (s *Service) taskPatch(ctx context.Context, tx *store.Tx, a auth.Actor, task records.Values, c TaskChange) (map[string]any, records.Values, error) {
	now := s.clock()
	switch c.Action {
	case "complete":
		if allowed := outcomes(task["outcomes"]); len(allowed) > 0 && !slices.Contains(allowed, c.Outcome) {
			return nil, nil, records.Invalid("outcome", "must be one of %v for this task", allowed)
		}
		patch := map[string]any{"status": "done", "completed_at": now.Format(records.TimeLayout)}
		if c.Outcome != "" {
			patch["outcome"] = c.Outcome
		}
		return patch, records.Values{"snoozed_until": nil}, nil
	case "skip":
		return map[string]any{"status": "skipped", "completed_at": now.Format(records.TimeLayout)}, records.Values{"status_reason": nilIfEmpty(c.Reason), "snoozed_until": nil}, nil
	case "decline":
		if strings.TrimSpace(c.Reason) == "" {
			return nil, nil, records.Invalid("reason", "is required: say why the task is declined")
		}
		return map[string]any{"status": "declined", "completed_at": now.Format(records.TimeLayout)}, records.Values{"status_reason": c.Reason, "snoozed_until": nil}, nil
	case "snooze":
		if !c.Until.After(now) {
			return nil, nil, records.Invalid("until", "must be a time in the future")
		}
		return map[string]any{"status": "snoozed"}, records.Values{"snoozed_until": c.Until.UTC()}, nil
	case "reassign":
		if c.OwnerID == "" {
			return nil, nil, records.Invalid("owner_id", "is required: the user who takes the task")
		}
		uo, _ := s.cat.Get("user")
		u, err := tx.Get(ctx, uo, c.OwnerID)
		if errors.Is(err, records.ErrNotFound) {
			return nil, nil, records.Invalid("owner_id", "no user %s", c.OwnerID)
		}
		if err != nil {
			return nil, nil, err
		}
		if u["active"] == false {
			return nil, nil, records.Invalid("owner_id", "%s is inactive", u.String("email"))
		}
		if task.String("owner_id") == c.OwnerID {
			return nil, nil, records.Invalid("owner_id", "the task is %s's already", u.String("email"))
		}
		if err := mayHandTo(ctx, tx, a, c.OwnerID); err != nil {
			return nil, nil, err
		}
		return map[string]any{"owner_id": c.OwnerID}, records.Values{"pool": nil}, nil
	}
	return nil, nil, records.Invalid("action", "must be complete, skip, snooze, decline or reassign")
}

// authorizeTask lets a task's owner (or their manager, or an admin) change it; a task in a team's pool
// may be taken by anyone on that team.
func authorizeTask(ctx context.Context, tx *store.Tx, a auth.Actor, o *records.Object, task records.Values, pooled bool, c TaskChange) error {
	if !pooled || a.IsAdmin() {
		return authorize(ctx, tx, a, o, task.String("owner_id"))
	}
	pool := task.String("pool")
	member, err := tx.InTeamNamed(ctx, a.UserID, pool)
	if err != nil {
		return err
	}
	taking := c.Action == "complete" || (c.Action == "reassign" && c.OwnerID == a.UserID)
	switch {
	case !member || a.UserID == "":
		return fmt.Errorf("%w: this task is in the %s pool; only that team takes it", ErrForbidden, pool)
	case !taking && a.Role != auth.Manager:
		return fmt.Errorf("%w: a task in the %s pool is taken (completed, or reassigned to yourself) before anything else", ErrForbidden, pool)
	}
	return nil
}

// mayHandTo checks who may receive a task from a: anyone from an admin; from a manager, their team
// or themselves; from a rep, a teammate.
func mayHandTo(ctx context.Context, tx *store.Tx, a auth.Actor, to string) error {
	if a.IsAdmin() || a.UserID == to {
		return nil
	}
	if ok, err := tx.Manages(ctx, a.UserID, to); err != nil || ok {
		return err
	}
	if ok, err := tx.SameTeam(ctx, a.UserID, to); err != nil || ok {
		return err
	}
	return fmt.Errorf("%w: a task goes to someone on your team", ErrForbidden)
}

func nilIfEmpty(s string) any {
	if strings.TrimSpace(s) == "" {
		return nil
	}
	return s
}

// outcomes reads a task's outcome list (a JSON array of strings).
func outcomes(v any) []string {
	var out []string
	switch x := v.(type) {
	case []any:
		for _, o := range x {
			if s, ok := o.(string); ok {
				out = append(out, s)
			}
		}
	case string:
		_ = json.Unmarshal([]byte(x), &out)
	}
	return out
}

var eventName = regexp.MustCompile(`^[a-z][a-z0-9_.-]{0,99}$`)

// PostEvent records a custom event about a record (POST /api/v1/events); workflows with
// `trigger: { on: event, event: NAME }` and waits for it react to it.
func (s *Service) PostEvent(ctx context.Context, a auth.Actor, recordType, recordID, name string, payload map[string]any) (store.Event, error) {
	var errs []records.FieldError
	if !eventName.MatchString(name) {
		errs = append(errs, records.FieldError{Field: "name", Message: "must be lower case letters, digits, _ . or -, starting with a letter (1–100)"})
	}
	o, ok := s.cat.Get(recordType)
	if !ok || !slices.Contains([]string{"lead", "contact", "account", "deal", "task", "activity"}, recordType) {
		errs = append(errs, records.FieldError{Field: "record_type", Message: "must be lead, contact, account, deal, task or activity"})
	}
	if recordID == "" {
		errs = append(errs, records.FieldError{Field: "record_id", Message: "is required"})
	}
	if len(errs) > 0 {
		return store.Event{}, &records.ValidationError{Errors: errs}
	}
	ev := store.Event{ID: newID(), RecordType: recordType, RecordID: recordID, Kind: "event", Name: name, Payload: payload,
		Changes: map[string]records.Change{}, ActorType: a.Kind, ActorID: a.ID, ActorUserID: a.UserID, OccurredAt: s.clock()}
	if ev.Payload == nil {
		ev.Payload = map[string]any{}
	}
	err := s.st.Write(ctx, func(tx *store.Tx) error {
		if _, err := tx.Get(ctx, o, recordID); err != nil {
			return err
		}
		return tx.AppendEvent(ctx, ev)
	})
	return ev, err
}

// TeamUserIDs lists the ids of a team's members.
func (s *Service) TeamUserIDs(ctx context.Context, teamID string) ([]string, error) {
	var ids []string
	err := s.st.Read(ctx, func(tx *store.Tx) error {
		var err error
		ids, err = tx.TeamUserIDs(ctx, teamID)
		return err
	})
	return ids, err
}
