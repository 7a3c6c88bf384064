// Package analytics answers how fast leads are really worked (T5): for each lead, created → assigned
// → first attempt → first connect, kept apart, as medians and 95th percentiles overall and by source,
// rep and team, in wall-clock time and in the rep's working time, with SLA bands; and how the tasks
// workflows hand to people end (done, skipped, declined) per workflow and per rep.
package analytics

import (
	"context"
	"math"
	"sort"
	"time"

	"github.com/salesflow/salesflow/internal/bizcal"
	"github.com/salesflow/salesflow/internal/records"
	"github.com/salesflow/salesflow/internal/store"
)

// Report is the speed-to-lead answer.
type Report struct {
	From    time.Time        `json:"from"`
	To      time.Time        `json:"to"`
	Overall Group            `json:"overall"`
	Source  map[string]Group `json:"by_source"`
	Rep     map[string]Group `json:"by_rep"`  // by the rep who made the first attempt (else the owner), by email
	Team    map[string]Group `json:"by_team"` // that rep's team, by name
	Tasks   TaskReport       `json:"tasks"`
}

// Group is one slice of leads.
type Group struct {
	Leads        int            `json:"leads"`
	Assigned     Timing         `json:"created_to_assigned"`
	FirstAttempt Timing         `json:"created_to_first_attempt"`
	FirstConnect Timing         `json:"created_to_first_connect"`
	Bands        map[string]int `json:"first_attempt_bands"` // wall-clock: under_5m, 5m_15m, 15m_60m, over_60m, none_yet
	durs         map[string][2][]float64
}

// Timing is how long a step took: seconds, wall-clock and in working time.
type Timing struct {
	N                int      `json:"n"`
	Median           *float64 `json:"median_seconds"`
	P95              *float64 `json:"p95_seconds"`
	BusinessMedian   *float64 `json:"business_median_seconds"`
	BusinessP95      *float64 `json:"business_p95_seconds"`
	BusinessCalendar string   `json:"business_time"`
}

// Rates is how a group's tasks ended.
type Rates struct {
	Tasks     int     `json:"tasks"`
	Done      float64 `json:"done_rate"`
	Skipped   float64 `json:"skip_rate"`
	Declined  float64 `json:"decline_rate"`
	StillOpen float64 `json:"open_rate"`
}

// TaskReport holds task outcome rates per workflow (name; "" for tasks made by hand) and per rep.
type TaskReport struct {
	Workflow map[string]Rates `json:"by_workflow"`
	Rep      map[string]Rates `json:"by_rep"`
}

// person is a rep as the report needs them: who, on which team, on what working hours.
type person struct {
	email, team string
	cal         *bizcal.Calendar
}

// SpeedToLead measures the leads created in [from, to).
func SpeedToLead(ctx context.Context, st *store.Store, cat *records.Catalog, from, to time.Time) (Report, error) {
	r := Report{From: from, To: to, Source: map[string]Group{}, Rep: map[string]Group{}, Team: map[string]Group{}}
	err := st.Read(ctx, func(tx *store.Tx) error {
		leads, err := tx.LeadTimings(ctx, from, to)
		if err != nil {
			return err
		}
		people, err := loadPeople(ctx, tx, cat)
		if err != nil {
			return err
		}
		groups := map[string]*Group{"": newGroup()}
		add := func(key string, l store.LeadTiming, cal *bizcal.Calendar) {
			g := groups[key]
			if g == nil {
				g = newGroup()
				groups[key] = g
			}
			g.add(l, cal)
		}
		for _, l := range leads {
			rep := l.AttemptBy
			if rep == "" {
				rep = l.OwnerID
			}
			p := people[rep]
			add("", l, p.cal)
			add("source:"+orNone(l.Source), l, p.cal)
			add("rep:"+orNone(p.email), l, p.cal)
			add("team:"+orNone(p.team), l, p.cal)
		}
		for key, g := range groups {
			g.finish()
			switch {
			case key == "":
				r.Overall = *g
			case len(key) > 7 && key[:7] == "source:":
				r.Source[key[7:]] = *g
			case key[:4] == "rep:":
				r.Rep[key[4:]] = *g
			default:
				r.Team[key[5:]] = *g
			}
		}
		tallies, err := tx.TaskTallies(ctx, from, to)
		if err != nil {
			return err
		}
		r.Tasks = taskRates(tallies, people)
		return nil
	})
	return r, err
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

func newGroup() *Group {
	return &Group{Bands: map[string]int{"under_5m": 0, "5m_15m": 0, "15m_60m": 0, "over_60m": 0, "none_yet": 0}, durs: map[string][2][]float64{}}
}

// add counts one lead; cal is the working time its rep's durations are measured in (nil: UTC office hours).
func (g *Group) add(l store.LeadTiming, cal *bizcal.Calendar) {
	g.Leads++
	if cal == nil {
		cal = officeHours
	}
	for name, at := range map[string]*time.Time{"assigned": l.AssignedAt, "attempt": l.AttemptAt, "connect": l.ConnectAt} {
		if at == nil {
			continue
		}
		d := g.durs[name]
		d[0] = append(d[0], at.Sub(l.CreatedAt).Seconds())
		d[1] = append(d[1], cal.BusinessDuration(l.CreatedAt, *at).Seconds())
		g.durs[name] = d
	}
	switch {
	case l.AttemptAt == nil:
		g.Bands["none_yet"]++
	case l.AttemptAt.Sub(l.CreatedAt) < 5*time.Minute:
		g.Bands["under_5m"]++
	case l.AttemptAt.Sub(l.CreatedAt) < 15*time.Minute:
		g.Bands["5m_15m"]++
	case l.AttemptAt.Sub(l.CreatedAt) < time.Hour:
		g.Bands["15m_60m"]++
	default:
		g.Bands["over_60m"]++
	}
}

func (g *Group) finish() {
	g.Assigned, g.FirstAttempt, g.FirstConnect = timing(g.durs["assigned"]), timing(g.durs["attempt"]), timing(g.durs["connect"])
}

func timing(d [2][]float64) Timing {
	t := Timing{N: len(d[0]), BusinessCalendar: "the rep's working hours and time zone (Mon–Fri 09:00–17:00 UTC when unknown)"}
	if t.N == 0 {
		return t
	}
	t.Median, t.P95 = quantile(d[0], 0.5), quantile(d[0], 0.95)
	t.BusinessMedian, t.BusinessP95 = quantile(d[1], 0.5), quantile(d[1], 0.95)
	return t
}

// quantile is the nearest-rank quantile: a value that occurred, not an interpolation.
func quantile(xs []float64, q float64) *float64 {
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	i := int(math.Ceil(q*float64(len(s)))) - 1
	v := math.Round(s[max(i, 0)])
	return &v
}

var officeHours = func() *bizcal.Calendar {
	week, _ := bizcal.ParseWorkingHours("mon-fri 09:00-17:00")
	c, _ := bizcal.New(time.UTC, week, nil)
	return c
}()

func loadPeople(ctx context.Context, tx *store.Tx, cat *records.Catalog) (map[string]person, error) {
	uo, _ := cat.Get("user")
	to, _ := cat.Get("team")
	teams := map[string]string{}
	ts, _, err := tx.List(ctx, to, store.ListQuery{Sort: "id", Limit: 10000})
	if err != nil {
		return nil, err
	}
	for _, t := range ts {
		teams[t.ID()] = t.String("name")
	}
	us, _, err := tx.List(ctx, uo, store.ListQuery{Sort: "id", Limit: 10000})
	if err != nil {
		return nil, err
	}
	out := map[string]person{}
	for _, u := range us {
		p := person{email: u.String("email"), team: teams[u.String("team_id")]}
		loc, err := time.LoadLocation(u.String("timezone"))
		if err != nil {
			loc = time.UTC
		}
		if week, err := bizcal.ParseWorkingHours(u.String("working_hours")); err == nil {
			p.cal, _ = bizcal.New(loc, week, nil)
		}
		out[u.ID()] = p
	}
	return out, nil
}

func taskRates(tallies []store.TaskTally, people map[string]person) TaskReport {
	type counts map[string]int
	wf, rep := map[string]counts{}, map[string]counts{}
	for _, t := range tallies {
		for _, m := range []struct {
			m   map[string]counts
			key string
		}{{wf, t.Workflow}, {rep, orNone(people[t.Owner].email)}} {
			if m.m[m.key] == nil {
				m.m[m.key] = counts{}
			}
			m.m[m.key][t.Status] += t.N
		}
	}
	rates := func(c counts) Rates {
		n := 0
		for _, v := range c {
			n += v
		}
		f := func(s ...string) float64 {
			k := 0
			for _, x := range s {
				k += c[x]
			}
			return math.Round(float64(k)/float64(n)*1000) / 1000
		}
		return Rates{Tasks: n, Done: f("done"), Skipped: f("skipped"), Declined: f("declined"), StillOpen: f("open", "snoozed")}
	}
	out := TaskReport{Workflow: map[string]Rates{}, Rep: map[string]Rates{}}
	for k, c := range wf {
		out.Workflow[k] = rates(c)
	}
	for k, c := range rep {
		out.Rep[k] = rates(c)
	}
	return out
}
