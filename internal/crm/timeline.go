package crm

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/salesflow/salesflow/internal/records"
	"github.com/salesflow/salesflow/internal/store"
)

// Item is one entry of a record's timeline (R5): a change event, an activity, a task or a workflow step.
type Item struct {
	At      time.Time      `json:"at"`
	Kind    string         `json:"kind"` // created | updated | deleted | activity | task | event | score_crossed | step
	ID      string         `json:"id"`
	Summary string         `json:"summary"`
	Actor   string         `json:"actor,omitempty"`
	Data    map[string]any `json:"data"`
}

// timelineCursor marks the last item of a page.
type timelineCursor struct {
	At time.Time `json:"at"`
	ID string    `json:"id"`
}

// ErrBadCursor means a cursor was not one this server issued.
var ErrBadCursor = fmt.Errorf("cursor is not valid: use the next_cursor of a previous page")

// Timeline returns a record's history, newest first: its change events, and the activities and tasks
// about it. cursor is the previous page's next cursor, or "".
func (s *Service) Timeline(ctx context.Context, object, id string, limit int, cursor string) ([]Item, string, error) {
	var after *timelineCursor
	if cursor != "" {
		after = &timelineCursor{}
		b, err := base64.RawURLEncoding.DecodeString(cursor)
		if err != nil || json.Unmarshal(b, after) != nil || after.ID == "" {
			return nil, "", ErrBadCursor
		}
	}
	var items []Item
	err := s.st.Read(ctx, func(tx *store.Tx) error {
		o, err := s.Object(ctx, tx, object)
		if err != nil {
			return err
		}
		if ok, err := tx.Exists(ctx, o, id); err != nil || !ok {
			if err == nil {
				err = fmt.Errorf("%s %s: %w", o.Name, id, records.ErrNotFound)
			}
			return err
		}
		items, err = s.collect(ctx, tx, o, id, after, limit)
		return err
	})
	if err != nil {
		return nil, "", err
	}
	slices.SortStableFunc(items, func(a, b Item) int {
		if c := b.At.Compare(a.At); c != 0 {
			return c
		}
		return strings.Compare(b.ID, a.ID)
	})
	if len(items) <= limit {
		return items, "", nil
	}
	items = items[:limit]
	last := items[len(items)-1]
	b, _ := json.Marshal(timelineCursor{At: last.At, ID: last.ID})
	return items, base64.RawURLEncoding.EncodeToString(b), nil
}

// collect reads, from each source, the limit+1 items that follow the cursor in timeline order — newest
// first by (time, id) — so that the merged page is exact even when many items share a timestamp.
func (s *Service) collect(ctx context.Context, tx *store.Tx, o *records.Object, id string, after *timelineCursor, limit int) ([]Item, error) {
	var pos *store.Position
	if after != nil {
		pos = &store.Position{Value: after.At, ID: after.ID}
	}
	ids, err := s.withMerged(ctx, tx, o, id)
	if err != nil {
		return nil, err
	}
	var items []Item
	for _, rid := range ids {
		evs, err := tx.EventsBefore(ctx, o.Name, rid, pos, limit+1)
		if err != nil {
			return nil, err
		}
		for _, e := range evs {
			it := eventItem(e)
			if rid != id {
				it.Summary = "merged lead " + rid + ": " + it.Summary
			}
			items = append(items, it)
		}
	}
	for _, sub := range []struct{ object, at string }{{"activity", "occurred_at"}, {"task", "created_at"}} {
		so, err := s.Object(ctx, tx, sub.object)
		if err != nil {
			return nil, err
		}
		recs, _, err := tx.List(ctx, so, store.ListQuery{Sort: sub.at, Desc: true, Limit: limit + 1, After: pos,
			Filters: []store.Filter{{Field: "record_type", Op: store.Eq, Value: o.Name}, {Field: "record_id", Op: store.Eq, Value: id},
				{Field: sub.at, Op: store.Ne, Value: nil}}})
		if err != nil {
			return nil, err
		}
		for _, r := range recs {
			items = append(items, recordItem(sub.object, sub.at, r))
		}
	}
	for _, rid := range ids {
		steps, err := tx.RecordSteps(ctx, rid, pos, limit+1)
		if err != nil {
			return nil, err
		}
		prefix := ""
		if rid != id {
			prefix = "merged lead " + rid + ": "
		}
		for _, st := range steps {
			items = append(items, Item{At: st.StartedAt, Kind: "step", ID: st.Key, Actor: "workflow_run:" + st.RunID,
				Summary: fmt.Sprintf("%s%s: step %s (%s) %s", prefix, st.Workflow, st.StepID, st.Type, st.Status),
				Data:    map[string]any{"run_id": st.RunID, "workflow": st.Workflow, "step_id": st.StepID, "status": st.Status, "decision": st.Decision, "output": st.Output, "error": st.Error}})
		}
	}
	return items, nil
}

// withMerged is the record's id and, for a lead, the ids of the leads merged into it (and into those),
// whose history is part of its own.
func (s *Service) withMerged(ctx context.Context, tx *store.Tx, o *records.Object, id string) ([]string, error) {
	ids := []string{id}
	if o.Name != "lead" {
		return ids, nil
	}
	for i := 0; i < len(ids) && i < 100; i++ {
		recs, _, err := tx.List(ctx, o, store.ListQuery{Sort: "id", Limit: 100, Filters: []store.Filter{{Field: "merged_into_id", Op: store.Eq, Value: ids[i]}}})
		if err != nil {
			return nil, err
		}
		for _, r := range recs {
			ids = append(ids, r.ID())
		}
	}
	return ids, nil
}

func eventItem(e store.Event) Item {
	keys := make([]string, 0, len(e.Changes))
	for k := range e.Changes {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		c := e.Changes[k]
		if e.Kind == "updated" {
			parts = append(parts, fmt.Sprintf("%s: %v → %v", k, show(c.Old), show(c.New)))
		}
	}
	summary := e.RecordType + " " + e.Kind
	switch {
	case len(parts) > 0:
		summary = strings.Join(parts, "; ")
	case e.Kind == "event":
		summary = "event " + e.Name
	case e.Kind == "score_crossed":
		summary = fmt.Sprintf("score crossed %v of %v (%v)", e.Payload["threshold"], e.Payload["model"], e.Payload["score"])
	}
	actor := e.ActorType
	if e.ActorID != "" {
		actor += ":" + e.ActorID
	}
	return Item{At: e.OccurredAt, Kind: e.Kind, ID: e.ID, Summary: summary, Actor: actor,
		Data: map[string]any{"changes": e.Changes, "actor_user_id": e.ActorUserID, "name": e.Name, "payload": e.Payload}}
}

func show(v any) string {
	if v == nil {
		return "∅"
	}
	return fmt.Sprint(v)
}

func recordItem(kind, atField string, r records.Values) Item {
	at, _ := r[atField].(time.Time)
	summary := r.String("subject")
	if kind == "task" {
		summary = fmt.Sprintf("%s task %q (%s)", r.String("type"), r.String("title"), r.String("status"))
	} else if summary == "" {
		summary = r.String("type")
	}
	return Item{At: at, Kind: kind, ID: r.ID(), Summary: summary, Data: r.JSON()}
}
