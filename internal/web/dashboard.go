package web

import (
	"cmp"
	"context"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/salesflow/salesflow/internal/analytics"
	"github.com/salesflow/salesflow/internal/auth"
	"github.com/salesflow/salesflow/internal/store"
)

// dashboard is the day at a glance; every number links to its detail.
type dashboard struct {
	LeadsToday, TasksDue, Breaches int
	Day                            string // the viewer's day: its zone's name
	Failing                        []failing
	Speed                          *speedView
	Manager, Mine                  bool
	BreachLink, BreachTeam         string   // the inbox, or a manager's team queue
	Problems                       []string // parts that could not be read, said rather than shown as 0
}

type failing struct {
	Name string
	Runs int
}

type speedView struct {
	Median, P95, BusinessMedian, BusinessP95 string
	Leads                                    int
	Bands                                    []int
}

// dashboard counts in the viewer's own day (their user's time zone; UTC for the admin token). A rep
// sees their own tasks and breaches; a manager or admin everyone's, and speed to lead.
func (u *UI) dashboard(w http.ResponseWriter, r *http.Request, a auth.Actor) {
	ctx := r.Context()
	now := u.svc.Now().UTC()
	loc := u.zone(ctx, a)
	y, m, dd := now.In(loc).Date()
	day := time.Date(y, m, dd, 0, 0, 0, 0, loc)
	d := dashboard{Manager: a.IsAdmin() || a.Role == auth.Manager, Day: loc.String(), BreachLink: "/inbox"}
	count := func(what, object string, filters ...store.Filter) int {
		n, err := u.svc.Count(ctx, object, store.ListQuery{Filters: filters})
		if err != nil {
			u.log.ErrorContext(ctx, "dashboard count", "what", what, "err", err)
			d.Problems = append(d.Problems, what)
		}
		return n
	}
	d.LeadsToday = count("leads in today", "lead", store.Filter{Field: "created_at", Op: store.Gte, Value: day},
		store.Filter{Field: "merged_into_id", Op: store.Eq, Value: nil})
	var mine []store.Filter // the admin token has no tasks of its own: it sees everyone's
	if d.Mine = a.UserID != ""; d.Mine {
		mine = append(mine, store.Filter{Field: "owner_id", Op: store.Eq, Value: a.UserID})
	}
	d.TasksDue = count("tasks still due today", "task", append(mine, store.Filter{Field: "status", Op: store.Eq, Value: "open"},
		store.Filter{Field: "due_at", Op: store.Gte, Value: now}, store.Filter{Field: "due_at", Op: store.Lt, Value: day.AddDate(0, 0, 1)})...)
	// A breach is an open task past due, or a snoozed one past due whose snooze is over (as the inbox
	// shows them): a rep's own, a manager's team's (the queue the card opens), an admin's everyone's.
	scope, err := u.breachScope(r, a, &d)
	if err != nil {
		u.fail(w, r, a, err)
		return
	}
	if scope == nil && !a.IsAdmin() {
		scope = mine
	}
	past := store.Filter{Field: "due_at", Op: store.Lt, Value: now}
	d.Breaches = count("breaches", "task", append(scope, past, store.Filter{Field: "status", Op: store.Eq, Value: "open"})...) +
		count("breaches", "task", append(scope, past, store.Filter{Field: "status", Op: store.Eq, Value: "snoozed"},
			store.Filter{Field: "snoozed_until", Op: store.Lte, Value: now})...)
	if d.Manager {
		rep, err := analytics.SpeedToLead(ctx, u.svc.Store(), u.svc.Catalog(), now.AddDate(0, 0, -30), now)
		if err != nil {
			u.log.ErrorContext(ctx, "dashboard speed to lead", "err", err)
			d.Problems = append(d.Problems, "speed to lead")
		} else {
			fa := rep.Overall.FirstAttempt
			d.Speed = &speedView{Median: dur(fa.Median), P95: dur(fa.P95), BusinessMedian: dur(fa.BusinessMedian), BusinessP95: dur(fa.BusinessP95), Leads: rep.Overall.Leads}
			for _, b := range []string{"under_5m", "5m_15m", "15m_60m", "over_60m", "none_yet"} {
				d.Speed.Bands = append(d.Speed.Bands, rep.Overall.Bands[b])
			}
		}
	}
	stats, err := u.eng.RunStats(ctx, now.AddDate(0, 0, -7), "")
	if err != nil {
		u.log.ErrorContext(ctx, "dashboard run stats", "err", err)
		d.Problems = append(d.Problems, "failing workflows")
	}
	for name, s := range stats {
		if s.Failed > 0 {
			d.Failing = append(d.Failing, failing{Name: name, Runs: s.Failed})
		}
	}
	slices.SortFunc(d.Failing, func(x, y failing) int { return cmp.Or(y.Runs-x.Runs, strings.Compare(x.Name, y.Name)) })
	u.render(w, r, http.StatusOK, "Today", u.who(ctx, a), dashboardPage(d))
}

// breachScope is whose breaches a manager's card counts: the members of the first team queue they
// may open, which the card links to. Reps and admins get nil (their own; everyone's).
func (u *UI) breachScope(r *http.Request, a auth.Actor, d *dashboard) ([]store.Filter, error) {
	if a.IsAdmin() || a.Role != auth.Manager {
		return nil, nil
	}
	qs, err := u.queues(r, a)
	if err != nil || len(qs) == 0 {
		return nil, err
	}
	ids, err := u.svc.TeamUserIDs(r.Context(), qs[0].ID)
	if err != nil {
		return nil, err
	}
	members := make([]any, len(ids))
	for i, id := range ids {
		members[i] = id
	}
	d.BreachLink, d.BreachTeam = "/inbox?team="+qs[0].ID, qs[0].Name
	return []store.Filter{{Field: "owner_id", Op: store.In, Value: members}}, nil
}

// zone is the viewer's time zone: their user's, else UTC.
func (u *UI) zone(ctx context.Context, a auth.Actor) *time.Location {
	if a.UserID == "" {
		return time.UTC
	}
	rec, err := u.svc.Get(ctx, "user", a.UserID)
	if err != nil {
		return time.UTC
	}
	loc, err := time.LoadLocation(rec.String("timezone"))
	if err != nil {
		return time.UTC
	}
	return loc
}

func dur(secs *float64) string {
	if secs == nil {
		return "—"
	}
	return span(int64(*secs))
}
