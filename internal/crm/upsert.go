package crm

import (
	"context"
	"errors"
	"fmt"

	"github.com/salesflow/salesflow/internal/auth"
	"github.com/salesflow/salesflow/internal/records"
	"github.com/salesflow/salesflow/internal/store"
)

// Upsert outcomes.
const (
	Created   = "created"
	Updated   = "updated"
	Unchanged = "unchanged"
)

// NaturalKey names the field by which Upsert finds an existing record of an object, so that importing
// the same file twice creates nothing the second time. Objects without one cannot be upserted.
func NaturalKey(object string) (string, bool) {
	switch object {
	case "lead", "contact", "user":
		return "email", true
	case "account":
		return "domain", true
	case "team", "pipeline":
		return "name", true
	}
	return "", false
}

// Upsert creates the record, or updates the one with the same natural key (email; an account's
// domain, derived from its website when not given, else its name).
func (s *Service) Upsert(ctx context.Context, a auth.Actor, object string, input map[string]any) (records.Values, string, error) {
	var rec records.Values
	var outcome string
	err := s.st.Write(ctx, func(tx *store.Tx) error {
		o, err := s.Object(ctx, tx, object)
		if err != nil {
			return err
		}
		key, ok := NaturalKey(o.Name)
		if !ok {
			return records.Invalid("object", "%s records have no natural key to import by", o.Name)
		}
		vals, err := o.Prepare(input, false)
		if err != nil {
			return allProblems(o, records.Values{}, vals, err, true)
		}
		field, value := key, vals[key]
		if o.Name == "account" {
			if d := records.AccountDomain(vals.String("domain"), vals.String("website")); d != "" {
				value = d
			} else {
				field, value = "name", vals["name"]
			}
		}
		if value == nil {
			return records.Invalid(key, "is required to import %s: it is how a re-import finds the record", o.Plural)
		}
		if err := tx.LockKey(ctx, fmt.Sprintf("%s/%s/%v", o.Name, field, value)); err != nil {
			return err
		}
		existing, err := tx.GetForUpdate(ctx, o, field, value)
		if errors.Is(err, records.ErrNotFound) {
			r, err := s.create(ctx, tx, a, o, input, nil)
			rec, outcome = r.Record, Created
			return err
		}
		if err != nil {
			return fmt.Errorf("find %s by %s: %w", o.Name, field, err)
		}
		if err := authorize(ctx, tx, a, o, existing.String("owner_id")); err != nil {
			return err
		}
		if rec, err = s.apply(ctx, tx, a, o, existing, vals); err != nil {
			return err
		}
		outcome = Updated
		if records.Equal(rec["updated_at"], existing["updated_at"]) {
			outcome = Unchanged
		}
		return nil
	})
	return rec, outcome, err
}
