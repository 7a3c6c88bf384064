package crm

import (
	"context"
	"fmt"
	"maps"
	"slices"

	"github.com/salesflow/salesflow/internal/auth"
	"github.com/salesflow/salesflow/internal/records"
	"github.com/salesflow/salesflow/internal/store"
)

// MergeLeads merges the lead from into the lead into (S4): into keeps its values and takes from's
// where its own are empty; from's activities and tasks move to into; from stays, marked merged_into_id,
// so that its change history is kept and shows on into's timeline. Both records' events record the
// merge. It refuses a lead merged already, and merging a lead into itself.
func (s *Service) MergeLeads(ctx context.Context, a auth.Actor, into, from string) (records.Values, error) {
	if into == from {
		return nil, &records.ValidationError{Errors: []records.FieldError{{Field: "from", Message: "is the lead itself"}}}
	}
	var out records.Values
	err := s.st.Write(ctx, func(tx *store.Tx) error {
		o, err := s.Object(ctx, tx, "lead")
		if err != nil {
			return err
		}
		keep, err := tx.GetForUpdate(ctx, o, "id", into)
		if err != nil {
			return err
		}
		gone, err := tx.GetForUpdate(ctx, o, "id", from)
		if err != nil {
			return fmt.Errorf("from: %w", err)
		}
		for _, l := range []records.Values{keep, gone} {
			if err := authorize(ctx, tx, a, o, l.String("owner_id")); err != nil {
				return err
			}
			if l.String("merged_into_id") != "" {
				return &records.ValidationError{Errors: []records.FieldError{{Field: "from", Message: fmt.Sprintf("lead %s was already merged into %s", l.ID(), l.String("merged_into_id"))}}}
			}
		}
		patch := map[string]any{}
		for _, f := range o.Fields {
			if f.ReadOnly || f.Name == "owner_id" && keep["owner_id"] != nil {
				continue
			}
			if empty(keep[f.Name]) && !empty(gone[f.Name]) {
				patch[f.Name] = gone[f.Name]
			}
		}
		// The email is unique: it moves, so it leaves the merged lead first.
		goneSys := records.Values{"merged_into_id": into}
		if _, moves := patch["email"]; moves {
			goneSys["email"] = nil
		}
		if _, err := s.apply(ctx, tx, a, o, gone, goneSys); err != nil {
			return err
		}
		if out, err = s.apply(ctx, tx, a, o, keep, patch); err != nil {
			return err
		}
		if err := s.moveChildren(ctx, tx, a, from, into); err != nil {
			return err
		}
		return tx.AppendEvent(ctx, store.Event{ID: newID(), RecordType: "lead", RecordID: into, Kind: "event", Name: "lead.merged",
			Payload: map[string]any{"merged": from, "fields": keys(patch)}, Changes: map[string]records.Change{},
			ActorType: a.Kind, ActorID: a.ID, ActorUserID: a.UserID, OccurredAt: s.clock()})
	})
	return out, err
}

// moveChildren re-points the merged lead's activities and tasks, each with its own change event.
func (s *Service) moveChildren(ctx context.Context, tx *store.Tx, a auth.Actor, from, into string) error {
	for _, object := range []string{"activity", "task"} {
		o, err := s.Object(ctx, tx, object)
		if err != nil {
			return err
		}
		for {
			recs, _, err := tx.List(ctx, o, store.ListQuery{Sort: "id", Limit: 500,
				Filters: []store.Filter{{Field: "record_type", Op: store.Eq, Value: "lead"}, {Field: "record_id", Op: store.Eq, Value: from}}})
			if err != nil {
				return err
			}
			for _, r := range recs {
				if _, err := s.apply(ctx, tx, a, o, r, records.Values{"record_id": into}); err != nil {
					return err
				}
			}
			if len(recs) < 500 {
				break
			}
		}
	}
	return nil
}

func empty(v any) bool { return v == nil || v == "" }

func keys(m map[string]any) []any {
	names := slices.Sorted(maps.Keys(m))
	out := make([]any, len(names))
	for i, k := range names {
		out[i] = k
	}
	return out
}

// ImportCompanies stores company directory entries in one transaction and clears the directory's
// cached answers, so enrichment sees the new entries at once. It returns how many were new.
func (s *Service) ImportCompanies(ctx context.Context, cs []store.Company) (int, error) {
	created := 0
	err := s.st.Write(ctx, func(tx *store.Tx) error {
		created = 0
		for _, c := range cs {
			isNew, err := tx.UpsertCompany(ctx, c, s.clock())
			if err != nil {
				return err
			}
			if isNew {
				created++
			}
		}
		return tx.ClearEnrichCache(ctx, "directory")
	})
	return created, err
}
