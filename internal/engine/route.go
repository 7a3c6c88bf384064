package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/salesflow/salesflow/internal/auth"
	"github.com/salesflow/salesflow/internal/bizcal"
	"github.com/salesflow/salesflow/internal/expr"
	"github.com/salesflow/salesflow/internal/records"
	"github.com/salesflow/salesflow/internal/routing"
	"github.com/salesflow/salesflow/internal/store"
)

// people serves routing the people its rules and pools name, from the store, in the routing
// transaction.
type people struct {
	e    *Engine
	tx   *store.Tx
	rs   *routing.Ruleset
	now  time.Time
	seen map[string]routing.Person
}

func (p *people) User(ctx context.Context, id string) (routing.Person, error) {
	if got, ok := p.seen[id]; ok {
		return got, nil
	}
	u, err := (loader{e: p.e, tx: p.tx}).record(ctx, "user", id, nil)
	if err != nil {
		return routing.Person{}, err
	}
	loc, err := time.LoadLocation(u.String("timezone"))
	if err != nil {
		loc = time.UTC
	}
	person := routing.Person{ID: id, Email: u.String("email"), Name: u.String("name"), Active: u["active"] != false, Zone: loc}
	if t, ok := u["out_of_office_until"].(time.Time); ok {
		person.AwayUntil = t
	}
	if person.Hours, person.HoursText, err = p.hours(ctx, u, loc); err != nil {
		return routing.Person{}, err
	}
	y, m, d := p.now.In(loc).Date()
	if person.AssignedToday, err = p.tx.CountAssignments(ctx, id, time.Date(y, m, d, 0, 0, 0, 0, loc)); err != nil {
		return routing.Person{}, err
	}
	p.seen[id] = person
	return person, nil
}

// hours is a person's working time: the pool's calendar in their zone, else their own working hours.
func (p *people) hours(ctx context.Context, u records.Values, loc *time.Location) (*bizcal.Calendar, string, error) {
	if name := p.rs.Pool.Calendar; name != "" {
		cd, err := p.e.cals.load(ctx, p.tx, name)
		if err != nil {
			return nil, "", err
		}
		if cd.perPerson {
			return cd.cal.In(loc), name + " in " + loc.String(), nil
		}
		return cd.cal, name, nil
	}
	text := u.String("working_hours")
	if text == "" {
		text = "mon-fri 09:00-17:00"
	}
	week, err := bizcal.ParseWorkingHours(text)
	if err != nil {
		return nil, "", fmt.Errorf("%s's working hours %q: %w", u.String("email"), text, err)
	}
	c, err := bizcal.New(loc, week, nil)
	return c, text + " " + loc.String(), err
}

func (p *people) Team(ctx context.Context, team, load string) ([]routing.Person, error) {
	ids, err := p.tx.TeamMembers(ctx, team)
	if err != nil {
		return nil, err
	}
	out := make([]routing.Person, 0, len(ids))
	for _, id := range ids {
		person, err := p.User(ctx, id)
		if err != nil {
			return nil, err
		}
		if person.Load, err = p.tx.OpenLoad(ctx, id, load); err != nil {
			return nil, err
		}
		out = append(out, person)
	}
	return out, nil
}

// ruleset loads the current version of a routing ruleset.
func (e *Engine) ruleset(ctx context.Context, tx *store.Tx, name string) (*routing.Ruleset, map[string]bool, error) {
	sd, err := tx.Definition(ctx, "routing", name)
	if errors.Is(err, records.ErrNotFound) {
		return nil, nil, permanent(&UnknownDefinitionError{Kind: "routing", Name: name})
	}
	if err != nil {
		return nil, nil, err
	}
	d, err := e.definition(ctx, tx, "routing", name, sd.Version)
	if err != nil {
		return nil, nil, err
	}
	rs, err := routing.Compile(d, sd.Version)
	if err != nil {
		return nil, nil, permanent(err)
	}
	return rs, needs(definitionReads(d))[rs.Object], nil
}

// Routed is a routing decision as applied (or, in a dry run, as it would be).
type Routed struct {
	routing.Decision
	Assignment store.Assignment
}

// route decides who gets a record under a ruleset, in tx. Unless dry, it gives the record its owner (or
// its fallback queue), records the assignment with its trace and moves the rotation on; the rotation
// state stays locked until tx ends, so concurrent routings take turns.
func (e *Engine) route(ctx context.Context, tx *store.Tx, actor auth.Actor, name, object, id, runID string, dry bool, exclude ...string) (Routed, error) {
	rs, need, err := e.ruleset(ctx, tx, name)
	if err != nil {
		return Routed{}, err
	}
	if rs.Object != object {
		return Routed{}, permanent(&WrongObjectError{Ruleset: name, Routes: rs.Object, Got: object})
	}
	rec, err := (loader{e: e, tx: tx}).record(ctx, object, id, need)
	if err != nil {
		return Routed{}, err
	}
	raw := "{}"
	if dry {
		raw, err = tx.RoutingState(ctx, name)
	} else {
		raw, err = tx.LockRoutingState(ctx, name)
	}
	if err != nil {
		return Routed{}, err
	}
	st := routing.State{}
	if err := json.Unmarshal([]byte(raw), &st); err != nil {
		return Routed{}, fmt.Errorf("routing state of %s: %w", name, err)
	}
	now := e.now()
	ppl := &people{e: e, tx: tx, rs: rs, now: now, seen: map[string]routing.Person{}}
	skip := map[string]string{}
	for _, uid := range exclude {
		if uid != "" {
			skip[uid] = "had it already and gave it back"
		}
	}
	d, err := rs.DecideExcluding(ctx, expr.Vars{object: map[string]any(rec)}, ppl, st, now, skip)
	if err != nil {
		return Routed{}, err
	}
	d.Trace.DryRun = dry
	var trace map[string]any
	b, _ := json.Marshal(d.Trace)
	_ = json.Unmarshal(b, &trace)
	a := store.Assignment{ID: uuid.Must(uuid.NewV7()).String(), RecordType: object, RecordID: id, Ruleset: name, Rule: d.Rule,
		UserID: d.UserID, Queue: d.Queue, RunID: runID, Trace: trace, At: now}
	if dry {
		return Routed{Decision: d, Assignment: a}, nil
	}
	if err := e.applyRoute(ctx, tx, actor, object, id, d); err != nil {
		return Routed{}, err
	}
	state, _ := json.Marshal(st)
	if err := tx.SetRoutingState(ctx, name, string(state)); err != nil {
		return Routed{}, err
	}
	return Routed{Decision: d, Assignment: a}, tx.InsertAssignment(ctx, a)
}

// applyRoute gives the record its new owner and clears its queue, or puts it in the fallback queue.
func (e *Engine) applyRoute(ctx context.Context, tx *store.Tx, actor auth.Actor, object, id string, d routing.Decision) error {
	patch := map[string]any{}
	sys := records.Values{"routing_queue": nil}
	if d.UserID != "" {
		patch["owner_id"] = d.UserID
	} else {
		sys["routing_queue"] = d.Queue
	}
	_, err := e.crm.UpdateSystemTx(ctx, tx, actor, object, id, patch, sys)
	if errors.Is(err, records.ErrNotFound) {
		return permanent(err)
	}
	return err
}
