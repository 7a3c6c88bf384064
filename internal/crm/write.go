package crm

import (
	"context"
	"errors"
	"fmt"
	"maps"

	"github.com/salesflow/salesflow/internal/auth"
	"github.com/salesflow/salesflow/internal/records"
	"github.com/salesflow/salesflow/internal/store"
)

// Result is the outcome of a create: the record, and whether it was new or merged into an existing
// lead with the same email.
type Result struct {
	Record  records.Values
	Created bool
}

// Dedupe settings for leads (R4), stored under SettingLeadDedupe.
const (
	SettingLeadDedupe = "lead_dedupe"
	DedupeReject      = "reject"
	DedupeMerge       = "merge"
)

// Create validates input and writes a new record with its event.
func (s *Service) Create(ctx context.Context, a auth.Actor, object string, input map[string]any) (Result, error) {
	var r Result
	err := s.st.Write(ctx, func(tx *store.Tx) error {
		var err error
		r, err = s.CreateTx(ctx, tx, a, object, input)
		return err
	})
	return r, err
}

// CreateTx is Create inside the caller's transaction.
func (s *Service) CreateTx(ctx context.Context, tx *store.Tx, a auth.Actor, object string, input map[string]any) (Result, error) {
	o, err := s.Object(ctx, tx, object)
	if err != nil {
		return Result{}, err
	}
	return s.create(ctx, tx, a, o, input, nil)
}

// CreateSystemTx is CreateTx for the engine: sys sets read-only fields only the system writes (a
// task's run_id and step_id), after the input is validated.
func (s *Service) CreateSystemTx(ctx context.Context, tx *store.Tx, a auth.Actor, object string, input map[string]any, sys records.Values) (Result, error) {
	o, err := s.Object(ctx, tx, object)
	if err != nil {
		return Result{}, err
	}
	return s.create(ctx, tx, a, o, input, sys)
}

// create writes a new record of o (already holding its custom fields).
func (s *Service) create(ctx context.Context, tx *store.Tx, a auth.Actor, o *records.Object, input map[string]any, sys records.Values) (Result, error) {
	if o.AdminOnly {
		if err := authorize(ctx, tx, a, o, ""); err != nil {
			return Result{}, err // before validation: a forbidden caller learns nothing about the input
		}
	}
	vals, err := o.Prepare(input, true)
	if err != nil {
		return Result{}, allProblems(o, records.Values{}, vals, err, true)
	}
	for k, v := range sys {
		vals[k] = v
	}
	if o.Owned() && vals["owner_id"] == nil && a.UserID != "" && !a.IsAdmin() {
		vals["owner_id"] = a.UserID // a rep's or manager's new record is theirs
	}
	if o.Name == "lead" && vals["email"] != nil {
		if r, done, err := s.dedupeLead(ctx, tx, a, o, input, vals.String("email")); done || err != nil {
			return r, err
		}
	}
	if err := authorize(ctx, tx, a, o, vals.String("owner_id")); err != nil {
		return Result{}, err
	}
	now := s.clock()
	rec := records.Values{}
	for _, f := range o.Fields {
		rec[f.Name] = vals[f.Name] // every field, so the answer has the same shape as a read
	}
	rec["id"], rec["created_at"], rec["updated_at"] = newID(), now, now
	if o.Name == "activity" && rec["occurred_at"] == nil {
		rec["occurred_at"] = now
	}
	if err := o.Finish(rec, vals, true); err != nil {
		return Result{}, err
	}
	if err := s.check(ctx, tx, o, rec, vals, true); err != nil {
		return Result{}, err
	}
	if err := tx.Insert(ctx, o, rec); err != nil {
		return Result{}, s.conflict(tx, o, err)
	}
	diff := records.Diff(nil, rec)
	delete(diff, "id")
	if err := s.event(ctx, tx, a, o, rec.ID(), "created", diff); err != nil {
		return Result{}, err
	}
	return Result{Record: rec, Created: true}, nil
}

// dedupeLead handles a new lead whose email is already taken: merge the input into the existing lead or
// reject with a conflict naming it, per the lead_dedupe setting (reject by default).
func (s *Service) dedupeLead(ctx context.Context, tx *store.Tx, a auth.Actor, o *records.Object, input map[string]any, email string) (Result, bool, error) {
	if err := tx.LockKey(ctx, "lead/email/"+email); err != nil {
		return Result{}, false, err
	}
	existing, err := tx.GetForUpdate(ctx, o, "email", email)
	if errors.Is(err, records.ErrNotFound) {
		return Result{}, false, nil
	}
	if err != nil {
		return Result{}, false, err
	}
	mode, err := tx.Setting(ctx, SettingLeadDedupe)
	if err != nil {
		return Result{}, false, err
	}
	reject := &ConflictError{Field: "email", ExistingID: existing.ID(),
		Message: fmt.Sprintf("a lead with email %s already exists: %s", email, existing.ID())}
	if mode != DedupeMerge {
		return Result{}, true, reject
	}
	if err := authorize(ctx, tx, a, o, existing.String("owner_id")); err != nil {
		reject.Message += " (merging is on, but " + err.Error() + ")"
		return Result{}, true, reject
	}
	patch, err := o.Prepare(input, false)
	if err != nil {
		return Result{}, true, err
	}
	rec, err := s.apply(ctx, tx, a, o, existing, patch)
	return Result{Record: rec}, true, err
}

// allProblems adds what Finish finds in the valid part of an input to Prepare's errors, so a request
// hears about every bad field at once.
func allProblems(o *records.Object, base, vals records.Values, prepErr error, create bool) error {
	rec := maps.Clone(base)
	maps.Copy(rec, vals)
	return records.JoinErrors(prepErr, o.Finish(rec, vals, create))
}

// Update applies a patch (only the given fields change; null clears) and writes an event with the diff.
func (s *Service) Update(ctx context.Context, a auth.Actor, object, id string, patch map[string]any) (records.Values, error) {
	var rec records.Values
	err := s.st.Write(ctx, func(tx *store.Tx) error {
		var err error
		rec, err = s.UpdateTx(ctx, tx, a, object, id, patch)
		return err
	})
	return rec, err
}

// UpdateTx is Update inside the caller's transaction.
func (s *Service) UpdateTx(ctx context.Context, tx *store.Tx, a auth.Actor, object, id string, patch map[string]any) (records.Values, error) {
	o, err := s.Object(ctx, tx, object)
	if err != nil {
		return nil, err
	}
	old, err := tx.GetForUpdate(ctx, o, "id", id)
	if err != nil {
		return nil, err
	}
	return s.update(ctx, tx, a, o, old, patch)
}

// UpdateReadTx is UpdateTx for a caller that already holds the record's current row: read in this
// transaction — locked with GetForUpdate where the database locks rows (Tx.LocksRows) — and kept up to
// date with every write to it since (the engine's segment). It spares the write a second read.
func (s *Service) UpdateReadTx(ctx context.Context, tx *store.Tx, a auth.Actor, object string, old records.Values, patch map[string]any) (records.Values, error) {
	o, err := s.Object(ctx, tx, object)
	if err != nil {
		return nil, err
	}
	return s.update(ctx, tx, a, o, old, patch)
}

func (s *Service) update(ctx context.Context, tx *store.Tx, a auth.Actor, o *records.Object, old records.Values, patch map[string]any) (records.Values, error) {
	if err := authorize(ctx, tx, a, o, old.String("owner_id")); err != nil {
		return nil, err
	}
	if err := taskMovesOnly(o, patch); err != nil {
		return nil, err
	}
	vals, err := o.Prepare(patch, false)
	if err != nil {
		return nil, allProblems(o, old, vals, err, false)
	}
	return s.apply(ctx, tx, a, o, old, vals)
}

// taskMovesOnly keeps a task's status, outcome and completion time to its moves (complete, skip,
// snooze, decline), which check the outcome list and settle a task once: a plain update must not
// finish a task, or reopen a settled one behind its waiting run's back.
func taskMovesOnly(o *records.Object, patch map[string]any) error {
	if o.Name != "task" {
		return nil
	}
	for _, k := range []string{"status", "outcome", "completed_at"} {
		if _, ok := patch[k]; ok {
			return records.Invalid(k, "changes only through the task's moves: POST /api/v1/tasks/{id}/complete, skip, snooze or decline")
		}
	}
	return nil
}

// UpdateSystemTx is UpdateTx for the engine: sys sets read-only fields only the system writes (a
// lead's score breakdown, its routing queue, its enrichment sources), after the patch is validated.
func (s *Service) UpdateSystemTx(ctx context.Context, tx *store.Tx, a auth.Actor, object, id string, patch map[string]any, sys records.Values) (records.Values, error) {
	o, err := s.Object(ctx, tx, object)
	if err != nil {
		return nil, err
	}
	old, err := tx.GetForUpdate(ctx, o, "id", id)
	if err != nil {
		return nil, err
	}
	if err := authorize(ctx, tx, a, o, old.String("owner_id")); err != nil {
		return nil, err
	}
	vals, err := o.Prepare(patch, false)
	if err != nil {
		return nil, allProblems(o, old, vals, err, false)
	}
	for k, v := range sys {
		vals[k] = v
	}
	return s.apply(ctx, tx, a, o, old, vals)
}

func (s *Service) apply(ctx context.Context, tx *store.Tx, a auth.Actor, o *records.Object, old, vals records.Values) (records.Values, error) {
	forgetEnrichment(o, old, vals)
	rec := maps.Clone(old)
	maps.Copy(rec, vals)
	if err := o.Finish(rec, vals, false); err != nil {
		return nil, err
	}
	if err := s.check(ctx, tx, o, rec, vals, false); err != nil {
		return nil, err
	}
	diff := records.Diff(old, rec)
	if len(diff) == 0 {
		return old, nil
	}
	rec["updated_at"] = s.clock()
	if err := tx.UpdateChanged(ctx, o, rec, diff); err != nil {
		return nil, s.conflict(tx, o, err)
	}
	return rec, s.event(ctx, tx, a, o, rec.ID(), "updated", diff)
}

// Delete removes a record; a record others still point at is refused with a conflict.
func (s *Service) Delete(ctx context.Context, a auth.Actor, object, id string) error {
	return s.st.Write(ctx, func(tx *store.Tx) error {
		o, err := s.Object(ctx, tx, object)
		if err != nil {
			return err
		}
		old, err := tx.GetForUpdate(ctx, o, "id", id)
		if err != nil {
			return err
		}
		if err := authorize(ctx, tx, a, o, old.String("owner_id")); err != nil {
			return err
		}
		if err := tx.Delete(ctx, o, id); err != nil {
			return s.conflict(tx, o, err)
		}
		return s.event(ctx, tx, a, o, id, "deleted", records.Diff(old, nil))
	})
}

func (s *Service) event(ctx context.Context, tx *store.Tx, a auth.Actor, o *records.Object, id, kind string, diff map[string]records.Change) error {
	return tx.AppendEvent(ctx, store.Event{
		ID: newID(), RecordType: o.Name, RecordID: id, Kind: kind, Changes: diff,
		ActorType: a.Kind, ActorID: a.ID, ActorUserID: a.UserID, OccurredAt: s.clock(),
	})
}

// conflict turns constraint violations into errors that name the field.
func (s *Service) conflict(tx *store.Tx, o *records.Object, err error) error {
	switch kind, field := tx.Violation(err); kind {
	case store.UniqueViolation:
		if field == "" {
			field = "id"
		}
		return &ConflictError{Field: field, Message: fmt.Sprintf("another %s already has this %s", o.Name, field)}
	case store.ForeignKeyViolation:
		return &ConflictError{Field: "id", Message: fmt.Sprintf("this %s is still referenced by other records; reassign or delete them first", o.Name)}
	}
	return err
}

// forgetEnrichment drops the enrichment source of each field this write sets (S1): the value is now
// someone's choice, which a later enrichment must not overwrite. The enrichment's own write, which
// sets the sources itself, is left alone.
func forgetEnrichment(o *records.Object, old, vals records.Values) {
	src, ok := old["enrichment"].(map[string]any)
	if o.Name != "lead" || !ok {
		return
	}
	if _, own := vals["enrichment"]; own {
		return
	}
	kept := map[string]any{}
	for k, v := range src {
		if _, set := vals[k]; !set {
			kept[k] = v
		}
	}
	if len(kept) != len(src) {
		vals["enrichment"] = kept
	}
}
