package crm

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"

	"github.com/salesflow/salesflow/internal/auth"
	"github.com/salesflow/salesflow/internal/records"
	"github.com/salesflow/salesflow/internal/store"
)

// CompleteTask marks an open task done with an outcome. A task with a list of outcomes takes one of
// them; the rep completes only their own tasks, a manager their team's. Completing a task twice is a
// conflict, so two racing completions resume the waiting run once.
func (s *Service) CompleteTask(ctx context.Context, a auth.Actor, id, outcome string) (records.Values, error) {
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
		if err := authorize(ctx, tx, a, o, task.String("owner_id")); err != nil {
			return err
		}
		if st := task.String("status"); st != "open" && st != "snoozed" {
			return &ConflictError{Message: fmt.Sprintf("task %s is %s, not open: it cannot be completed again", id, st)}
		}
		if allowed := outcomes(task["outcomes"]); len(allowed) > 0 && !slices.Contains(allowed, outcome) {
			return records.Invalid("outcome", "must be one of %v for this task", allowed)
		}
		patch := map[string]any{"status": "done", "completed_at": s.clock().Format(records.TimeLayout)}
		if outcome != "" {
			patch["outcome"] = outcome
		}
		rec, err = s.UpdateTx(ctx, tx, a, "task", id, patch)
		return err
	})
	return rec, err
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
