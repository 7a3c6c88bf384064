package routing

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/salesflow/salesflow/internal/bizcal"
	"github.com/salesflow/salesflow/internal/expr"
)

// Person is someone a rule or pool may pick, as the engine loaded them.
type Person struct {
	ID, Email, Name string
	Active          bool
	AwayUntil       time.Time        // out of office until; zero = not away
	Zone            *time.Location   // their time zone, for the times a trace gives; nil = their hours' zone, else UTC
	Hours           *bizcal.Calendar // working hours in their zone; nil = always working
	HoursText       string           // the hours as the trace shows them
	AssignedToday   int              // assignments in their local day so far (for the daily cap)
	Load            float64          // open leads or open tasks (least_loaded)
}

// People loads the people rules and pools name. The engine implements it over the store.
type People interface {
	// Team returns the active and inactive members of a team, with the load named (open_leads or
	// open_tasks) and today's assignment counts filled in.
	Team(ctx context.Context, team, load string) ([]Person, error)
	// User returns one person by id.
	User(ctx context.Context, id string) (Person, error)
}

// State is a ruleset's rotation, per rule: who had the last turn, and the smooth weighted round
// robin's current weights. It is stored as JSON between decisions.
type State map[string]*RuleState

// RuleState is one pool rule's rotation.
type RuleState struct {
	Last    string         `json:"last,omitempty"`    // email of the member who had the last turn
	Current map[string]int `json:"current,omitempty"` // weighted: member email → current weight
}

// Decision is the outcome: a person, or the fallback queue; with the trace.
type Decision struct {
	UserID string
	Queue  string
	Rule   string
	Trace  Trace
}

// Decide routes one record. vars are the expression variables for it (`lead` …).
func (rs *Ruleset) Decide(ctx context.Context, vars expr.Vars, people People, st State, now time.Time) (Decision, error) {
	return rs.DecideExcluding(ctx, vars, people, st, now, nil)
}

// DecideExcluding is Decide with people who may not get this record, each with the reason (someone who
// just declined it): they are skipped wherever a rule or pool would pick them.
func (rs *Ruleset) DecideExcluding(ctx context.Context, vars expr.Vars, people People, st State, now time.Time, exclude map[string]string) (Decision, error) {
	if len(exclude) > 0 {
		cp := *rs
		cp.exclude = exclude
		rs = &cp
	}
	tr := Trace{Ruleset: rs.Name, Version: rs.Version, At: now}
	for _, r := range rs.Rules {
		check := RuleCheck{Name: r.Name, When: r.When, Held: true}
		if r.when != nil {
			v, err := r.when.Eval(ctx, vars)
			if err != nil {
				check.Held, check.Note = false, "could not be evaluated: "+err.Error()
			} else {
				check.Held, _ = v.(bool)
			}
		}
		if !check.Held {
			tr.Rules = append(tr.Rules, check)
			continue
		}
		// What an earlier rule's pool found (nobody) is in that rule's note; this rule starts clean.
		tr.Method, tr.Team, tr.Candidates, tr.Note = "", "", nil, ""
		var d *Decision
		var err error
		if r.Pool != nil {
			d, err = rs.fromPool(ctx, r, people, st, now, &tr)
		} else {
			d, err = rs.person(ctx, r, vars, people, now, &tr, &check)
		}
		if err != nil {
			return Decision{}, fmt.Errorf("rule %s: %w", r.Name, err)
		}
		if d == nil && check.Note == "" {
			check.Note = tr.Note
		}
		if d == nil {
			tr.Note = ""
		}
		tr.Rules = append(tr.Rules, check)
		if d != nil {
			tr.Rule = r.Name
			d.Rule, d.Trace = r.Name, tr
			d.Trace.Summary = summary(d.Trace)
			return *d, nil
		}
	}
	tr.Queue, tr.Notified = rs.Fallback.Queue, rs.Fallback.Notify
	tr.Summary = summary(tr)
	return Decision{Queue: rs.Fallback.Queue, Trace: tr}, nil
}

// person handles a rule that names someone: they take it unless inactive or (with skip_out_of_office)
// away, in which case the next rule is tried.
func (rs *Ruleset) person(ctx context.Context, r Rule, vars expr.Vars, people People, now time.Time, tr *Trace, check *RuleCheck) (*Decision, error) {
	v, err := r.assign.Eval(ctx, vars)
	if err != nil {
		check.Note = "the person could not be worked out: " + err.Error()
		return nil, nil
	}
	id := idOf(v)
	if id == "" {
		check.Note = r.Assign + " is empty"
		return nil, nil
	}
	p, err := people.User(ctx, id)
	if err != nil {
		return nil, err
	}
	c := Candidate{UserID: p.ID, Email: p.Email, Name: p.Name, Eligible: true}
	if reason := rs.unavailable(p, now, false, false); reason != "" {
		c.Eligible, c.Skipped = false, reason
		check.Note = fmt.Sprintf("%s (%s) %s; trying the next rule", r.Assign, p.Name, reason)
		tr.Candidates = append(tr.Candidates, c)
		return nil, nil
	}
	tr.Method, tr.Candidates = "named", append(tr.Candidates, c)
	tr.Chosen = &Chosen{UserID: p.ID, Email: p.Email, Name: p.Name, Why: fmt.Sprintf("the rule names %s", r.Assign)}
	return &Decision{UserID: p.ID}, nil
}

// Unavailable says why p, a member of one of the ruleset's pools, could not be picked now, or "": the
// same reasons a decision gives, for pages that show a pool as routing sees it.
func (rs *Ruleset) Unavailable(p Person, now time.Time) string {
	return rs.unavailable(p, now, true, true)
}

// unavailable says why p cannot take a record now, or "". Pools also apply hours and the cap.
func (rs *Ruleset) unavailable(p Person, now time.Time, pool, hours bool) string {
	if why, ok := rs.exclude[p.ID]; ok {
		return why
	}
	switch {
	case !p.Active:
		return "is inactive"
	case rs.Pool.SkipAway && now.Before(p.AwayUntil):
		return "is out of office until " + localTime(p.AwayUntil, p.zone())
	case !pool:
		return ""
	case hours && rs.Pool.WorkingHours && p.Hours != nil && !p.Hours.IsOpen(now):
		return fmt.Sprintf("is outside working hours (%s; next %s)", p.HoursText, localTime(p.Hours.NextOpen(now), p.Hours.Location()))
	case rs.Pool.DailyCap > 0 && p.AssignedToday >= rs.Pool.DailyCap:
		return fmt.Sprintf("reached the daily cap (%d of %d today)", p.AssignedToday, rs.Pool.DailyCap)
	}
	return ""
}

// zone is where the person's times are told: their own zone, else their working hours', else UTC.
func (p Person) zone() *time.Location {
	switch {
	case p.Zone != nil:
		return p.Zone
	case p.Hours != nil:
		return p.Hours.Location()
	}
	return time.UTC
}

// localTime writes a time for a trace in a zone, naming it: a trace is read by people in other zones,
// long after, so the text must stand alone.
func localTime(t time.Time, loc *time.Location) string {
	return t.In(loc).Format("Mon 2 Jan 2006 15:04") + " " + loc.String()
}

func idOf(v any) string {
	switch x := v.(type) {
	case map[string]any:
		s, _ := x["id"].(string)
		return s
	case string:
		return x
	}
	return ""
}

// members sorts a team by email: the rotation's order, stable and readable in the trace.
func members(ps []Person) []Person {
	out := append([]Person(nil), ps...)
	sort.Slice(out, func(i, j int) bool { return strings.ToLower(out[i].Email) < strings.ToLower(out[j].Email) })
	return out
}
