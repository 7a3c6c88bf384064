package crm

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/salesflow/salesflow/internal/auth"
	"github.com/salesflow/salesflow/internal/records"
	"github.com/salesflow/salesflow/internal/store"
)

// dueSoon is how close a due time makes a task "due soon" in the inbox.
const dueSoon = 2 * time.Hour

// InboxItem is one task in an inbox, with why it sits where it does and the facts of its record.
type InboxItem struct {
	Task    records.Values `json:"task"`
	Urgency string         `json:"urgency"` // breached | due_soon | open | snoozed_over
	// OverdueBy and DueIn are in seconds, for people and sorting; one of them is set when due_at is.
	OverdueBy *int64         `json:"overdue_by,omitempty"`
	DueIn     *int64         `json:"due_in,omitempty"`
	Record    map[string]any `json:"record,omitempty"` // key facts: name, company, email, phone, status, score, grade
}

// Inbox is a person's or a team's open tasks, most urgent first, with the team's breaches counted.
type Inbox struct {
	Items    []InboxItem    `json:"items"`
	Breaches map[string]int `json:"breaches"` // owner id → breached tasks ("" for the pool)
	// Omitted counts the open tasks left out: an inbox reads the InboxLimit soonest due of the owners'
	// and of the pool's. Breaches are counted among those read.
	Omitted int `json:"omitted"`
}

// InboxLimit is how many open tasks an inbox reads, of the owners' and of the pool's each, soonest due
// first (so the overdue ones are never the ones left out).
const InboxLimit = 1000

var priorityRank = map[string]int{"urgent": 0, "high": 1, "normal": 2, "low": 3}
var urgencyRank = map[string]int{"breached": 0, "due_soon": 1, "snoozed_over": 2, "open": 3}

// Inbox lists open tasks (H5): for owner (a user id) their own and their team's pool; for team (a team
// id) every member's and the team's pool. Snoozed tasks stay out until their snooze is over. Order: breached (longest
// overdue first), due soon (soonest first), then by priority and due time. A rep reads only their
// own inbox; a manager their team's and their people's; an admin any.
func (s *Service) Inbox(ctx context.Context, a auth.Actor, owner, team string) (Inbox, error) {
	var in Inbox
	err := s.st.Read(ctx, func(tx *store.Tx) error {
		owners, pool, err := s.inboxScope(ctx, tx, a, owner, team)
		if err != nil {
			return err
		}
		tasks, omitted, err := s.openTasks(ctx, tx, owners, pool)
		if err != nil {
			return err
		}
		in.Omitted = omitted
		now := s.clock()
		in.Breaches = map[string]int{}
		facts := map[string]map[string]any{}
		for _, t := range tasks {
			it, ok := PlaceTask(t, now)
			if !ok {
				continue
			}
			key := t.String("record_type") + "/" + t.String("record_id")
			if _, seen := facts[key]; !seen {
				facts[key] = s.keyFacts(ctx, tx, t.String("record_type"), t.String("record_id"))
			}
			it.Record = facts[key]
			if it.Urgency == "breached" {
				in.Breaches[t.String("owner_id")]++
			}
			in.Items = append(in.Items, it)
		}
		slices.SortStableFunc(in.Items, compareUrgency)
		return nil
	})
	if in.Items == nil {
		in.Items = []InboxItem{}
	}
	return in, err
}

// inboxScope works out whose tasks an inbox shows, and checks the actor may see them.
func (s *Service) inboxScope(ctx context.Context, tx *store.Tx, a auth.Actor, owner, team string) ([]any, string, error) {
	if team != "" {
		to, _ := s.cat.Get("team")
		t, err := tx.Get(ctx, to, team)
		if err != nil {
			return nil, "", fmt.Errorf("team: %w", err)
		}
		if !a.IsAdmin() && t.String("manager_id") != a.UserID {
			return nil, "", fmt.Errorf("%w: only the team's manager (or an admin) reads its queue", ErrForbidden)
		}
		ids, err := tx.TeamUserIDs(ctx, team)
		owners := make([]any, len(ids))
		for i, id := range ids {
			owners[i] = id
		}
		return owners, t.String("name"), err
	}
	if owner == "" || owner == "me" {
		if a.UserID == "" {
			return nil, "", fmt.Errorf("%w: this token is bound to no user; ask for owner=ID or team=ID", ErrForbidden)
		}
		owner = a.UserID
	}
	uo, _ := s.cat.Get("user")
	if err := authorize(ctx, tx, a, &records.Object{Name: "inbox", Plural: "inboxes"}, owner); err != nil {
		return nil, "", err
	}
	u, err := tx.Get(ctx, uo, owner)
	if err != nil {
		return nil, "", fmt.Errorf("owner: %w", err)
	}
	pool := "" // the person's team's pool: tasks anyone on the team may take
	if team := u.String("team_id"); team != "" {
		to, _ := s.cat.Get("team")
		if t, err := tx.Get(ctx, to, team); err == nil {
			pool = t.String("name")
		}
	}
	return []any{owner}, pool, nil
}

// openTasks reads the open and snoozed tasks of some owners, and of a team's pool, InboxLimit of each at
// most, and counts those it left out.
func (s *Service) openTasks(ctx context.Context, tx *store.Tx, owners []any, pool string) ([]records.Values, int, error) {
	o, err := s.Object(ctx, tx, "task")
	if err != nil {
		return nil, 0, err
	}
	open := store.Filter{Field: "status", Op: store.In, Value: []any{"open", "snoozed"}}
	queries := []store.ListQuery{{Sort: "due_at", Limit: InboxLimit, Filters: []store.Filter{open, {Field: "owner_id", Op: store.In, Value: owners}}}}
	if pool != "" {
		queries = append(queries, store.ListQuery{Sort: "due_at", Limit: InboxLimit,
			Filters: []store.Filter{open, {Field: "pool", Op: store.Eq, Value: pool}, {Field: "owner_id", Op: store.Eq, Value: nil}}})
	}
	var out []records.Values
	omitted := 0
	for _, q := range queries {
		got, _, err := tx.List(ctx, o, q)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, got...)
		if len(got) == InboxLimit {
			all, err := tx.CountMatching(ctx, o, q)
			if err != nil {
				return nil, 0, err
			}
			omitted += all - len(got)
		}
	}
	return out, omitted, nil
}

// PlaceTask places a task as the inbox does — its urgency, how overdue or how soon due; ok is false
// for a task snoozed into the future, which the inbox does not show.
func PlaceTask(t records.Values, now time.Time) (InboxItem, bool) {
	it := InboxItem{Task: t, Urgency: "open"}
	if t.String("status") == "snoozed" {
		until, _ := t["snoozed_until"].(time.Time)
		if until.After(now) {
			return it, false
		}
		it.Urgency = "snoozed_over"
	}
	if due, ok := t["due_at"].(time.Time); ok {
		d := int64(due.Sub(now) / time.Second)
		switch {
		case d < 0:
			over := -d
			it.Urgency, it.OverdueBy = "breached", &over
		default:
			it.DueIn = &d
			if time.Duration(d)*time.Second <= dueSoon && it.Urgency == "open" {
				it.Urgency = "due_soon"
			}
		}
	}
	return it, true
}

func compareUrgency(x, y InboxItem) int {
	if c := urgencyRank[x.Urgency] - urgencyRank[y.Urgency]; c != 0 {
		return c
	}
	if x.OverdueBy != nil && y.OverdueBy != nil && *x.OverdueBy != *y.OverdueBy {
		return int(*y.OverdueBy - *x.OverdueBy)
	}
	if c := priorityRank[x.Task.String("priority")] - priorityRank[y.Task.String("priority")]; c != 0 {
		return c
	}
	if x.DueIn != nil && y.DueIn != nil && *x.DueIn != *y.DueIn {
		return int(*x.DueIn - *y.DueIn)
	}
	return 0
}

// keyFacts are what a rep needs at a glance about the task's record.
func (s *Service) keyFacts(ctx context.Context, tx *store.Tx, object, id string) map[string]any {
	o, ok := s.cat.Get(object)
	if !ok || id == "" {
		return nil
	}
	rec, err := tx.Get(ctx, o, id)
	if err != nil {
		return map[string]any{"type": object, "id": id, "missing": true}
	}
	out := map[string]any{"type": object, "id": id}
	for _, f := range []string{"name", "first_name", "last_name", "company", "email", "phone", "title", "status", "score", "score_grade", "stage", "amount", "timezone"} {
		if v, ok := rec[f]; ok && v != nil {
			out[f] = v
		}
	}
	return out
}
