package web

import (
	"cmp"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/salesflow/salesflow/internal/auth"
	"github.com/salesflow/salesflow/internal/crm"
	"github.com/salesflow/salesflow/internal/records"
	"github.com/salesflow/salesflow/internal/store"
)

// inboxRow is a task as the inbox shows it.
type inboxRow struct {
	ID, Title, Why, Type, Priority, Urgency, UrgencyText, When string
	Record, RecordHref, RecordFacts, Owner                     string
	Outcomes                                                   []string
	Done, DoneUntil, Problem                                   string
}

var urgencyText = map[string]string{"breached": "SLA breached", "due_soon": "due soon", "open": "open", "snoozed_over": "snooze over"}

type teamLink struct{ ID, Name string }

type ownerCount struct {
	Name string
	N    int
}

// inbox is a person's tasks by urgency; ?team=ID is a team's queue (its manager's, or an admin's).
func (u *UI) inbox(w http.ResponseWriter, r *http.Request, a auth.Actor) {
	ctx := r.Context()
	team, owner := r.URL.Query().Get("team"), r.URL.Query().Get("owner")
	teams, err := u.queues(r, a)
	if err != nil {
		u.fail(w, r, a, err)
		return
	}
	if team == "" && owner == "" && a.UserID == "" {
		u.render(w, r, http.StatusOK, "Inbox", u.who(ctx, a), inboxPage("Inbox", nil, nil, teams, team,
			"The admin token belongs to no person, so it has no inbox of its own: open a team's queue above, or sign in with your own token.", ""))
		return
	}
	in, err := u.svc.Inbox(ctx, a, owner, team)
	if err != nil {
		u.fail(w, r, a, err)
		return
	}
	now := u.svc.Now()
	rows := make([]inboxRow, 0, len(in.Items))
	for _, it := range in.Items {
		rows = append(rows, row(it, now))
	}
	title := "My inbox"
	var breaches []ownerCount
	if team != "" {
		title = "Team queue"
		n := &names{u: u, ctx: ctx, cache: map[string]string{}}
		for i, it := range in.Items {
			rows[i].Owner = "the team's pool"
			if id := it.Task.String("owner_id"); id != "" {
				rows[i].Owner = n.of("user", id)
			}
		}
		for id, c := range in.Breaches {
			name := "the team's pool"
			if id != "" {
				name = n.of("user", id)
			}
			breaches = append(breaches, ownerCount{Name: name, N: c})
		}
		slices.SortFunc(breaches, func(x, y ownerCount) int { return cmp.Or(y.N-x.N, strings.Compare(x.Name, y.Name)) })
		for _, t := range teams {
			if t.ID == team {
				title = "Team queue: " + t.Name
			}
		}
	}
	u.render(w, r, http.StatusOK, title, u.who(ctx, a), inboxPage(title, rows, breaches, teams, team, "", omittedNote(in.Omitted)))
}

// omittedNote says how many open tasks an inbox left out, or "" when none: a list cut short must say so.
func omittedNote(n int) string {
	if n <= 0 {
		return ""
	}
	return fmt.Sprintf("%s more open tasks are not shown: this list has the %s soonest due of each queue. Work these down, or spread the queue.",
		number(float64(n)), number(crm.InboxLimit))
}

// queues are the team queues the viewer may open: an admin's every team, a manager's the teams they
// manage or belong to; a rep has none.
func (u *UI) queues(r *http.Request, a auth.Actor) ([]teamLink, error) {
	if !a.IsAdmin() && a.Role != auth.Manager {
		return nil, nil
	}
	teams, _, err := u.svc.List(r.Context(), "team", store.ListQuery{Sort: "name", Limit: 200})
	if err != nil {
		return nil, err
	}
	mine := ""
	if a.UserID != "" {
		if me, err := u.svc.Get(r.Context(), "user", a.UserID); err == nil {
			mine = me.String("team_id")
		}
	}
	var out []teamLink
	for _, t := range teams {
		if a.IsAdmin() || t.String("manager_id") == a.UserID || t.ID() == mine {
			out = append(out, teamLink{ID: t.ID(), Name: t.String("name")})
		}
	}
	return out, nil
}

func row(it crm.InboxItem, now time.Time) inboxRow {
	t := it.Task
	rr := inboxRow{ID: t.ID(), Title: strings.Join(strings.Fields(t.String("title")), " "), Why: t.String("why"), Type: human(t.String("type")),
		Priority: t.String("priority"), Urgency: it.Urgency, UrgencyText: urgencyText[it.Urgency], When: when(t, now)}
	rr.Outcomes = outcomeList(t["outcomes"])
	if rec := it.Record; rec != nil {
		rr.Record, rr.RecordHref, rr.RecordFacts = facts(rec)
	}
	return rr
}

// when says when a task is due, relative to now.
func when(t records.Values, now time.Time) string {
	due, ok := t["due_at"].(time.Time)
	if !ok {
		return "no due time"
	}
	if d := int64(due.Sub(now) / time.Second); d < 0 {
		return "overdue by " + span(-d)
	} else {
		return "due in " + span(d)
	}
}

// facts names the record a task is about, links to it, and lists its key facts.
func facts(rec map[string]any) (name, href, rest string) {
	v := records.Values(rec)
	typ, id := v.String("type"), v.String("id")
	if v["missing"] == true {
		return typ + " " + id + " (deleted)", "", ""
	}
	var parts []string
	for _, k := range []string{"company", "title", "email", "phone", "status", "stage", "score_grade"} {
		if s := strings.TrimSpace(fmt.Sprint(v[k])); v[k] != nil && s != "" {
			parts = append(parts, s)
		}
	}
	return label(v), "/" + typ + "s/" + id, strings.Join(parts, " · ")
}

func outcomeList(v any) []string {
	var out []string
	if l, ok := v.([]any); ok {
		for _, o := range l {
			out = append(out, fmt.Sprint(o))
		}
	}
	return out
}

// human shows a code (wrong_person, meeting_prep) as words.
func human(code string) string { return strings.ReplaceAll(code, "_", " ") }

func span(secs int64) string {
	d := time.Duration(secs) * time.Second
	switch {
	case d < time.Hour:
		return fmt.Sprintf("%d min", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh %02dmin", int(d.Hours()), int(d.Minutes())%60)
	}
	return fmt.Sprintf("%d days", int(d.Hours()/24))
}

// moveTask completes, skips, snoozes or declines a task in place: the answer is the task's card,
// saying what happened (htmx swaps it in), or the inbox again for a plain form post.
func (u *UI) moveTask(w http.ResponseWriter, r *http.Request, a auth.Actor) {
	id, move := r.PathValue("id"), r.PathValue("move")
	switch move {
	case "complete", "skip", "snooze", "decline":
	default:
		http.NotFound(w, r)
		return
	}
	c := crm.TaskChange{Action: move, Outcome: r.PostFormValue("outcome"), Reason: r.PostFormValue("reason")}
	if move == "snooze" {
		loc := time.UTC // the page sends the browser's zone; without script, UTC, as the form says
		if tz, err := time.LoadLocation(r.PostFormValue("tz")); err == nil {
			loc = tz
		}
		t, err := time.ParseInLocation("2006-01-02T15:04", r.PostFormValue("until"), loc)
		if err != nil {
			u.card(w, r, a, id, "", "", "Give a date and time to snooze until.")
			return
		}
		c.Until = t
	}
	task, err := u.svc.ChangeTask(r.Context(), a, id, c)
	if err != nil {
		u.card(w, r, a, id, "", "", u.moveProblem(r, err))
		return
	}
	done := map[string]string{"complete": "Done", "skip": "Skipped", "snooze": "Snoozed until", "decline": "Declined"}[move]
	if o := task.String("outcome"); o != "" && move == "complete" {
		done += " — " + human(o)
	}
	if task.String("run_id") != "" && move != "snooze" {
		done += "; the workflow waiting on it resumes."
	}
	until := ""
	if t, ok := task["snoozed_until"].(time.Time); ok && move == "snooze" {
		until = t.UTC().Format(time.RFC3339)
	}
	if r.Header.Get("HX-Request") == "" {
		http.Redirect(w, r, "/inbox", http.StatusSeeOther)
		return
	}
	u.card(w, r, a, id, done, until, "")
}

// moveProblem says why a move was refused, in a rep's words.
func (u *UI) moveProblem(r *http.Request, err error) string {
	var invalid *records.ValidationError
	var conflict *crm.ConflictError
	switch {
	case errors.Is(err, crm.ErrForbidden):
		return "This task is not yours to change; ask its owner or your manager."
	case errors.Is(err, records.ErrNotFound):
		return "This task no longer exists."
	case errors.As(err, &invalid):
		var msgs []string
		for _, fe := range invalid.Errors {
			msgs = append(msgs, human(fe.Field)+": "+fe.Message)
		}
		return strings.Join(msgs, "; ")
	case errors.As(err, &conflict):
		return conflict.Message
	}
	u.log.ErrorContext(r.Context(), "task move failed", "path", r.URL.Path, "err", err)
	return "Something went wrong; the server log has the details."
}

// card renders one task's card (for htmx), with what happened or what went wrong. A task the viewer
// may not read shows only the problem.
func (u *UI) card(w http.ResponseWriter, r *http.Request, a auth.Actor, id, done, until, problem string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8") // htmx swaps 2xx only: the card shows the problem
	t, err := u.svc.Get(r.Context(), "task", id)
	if err != nil || !u.mayRead(r, a, t) {
		_ = taskCard(inboxRow{ID: id, Title: "Task", Urgency: "open", Problem: problem}).Render(r.Context(), w)
		return
	}
	it, _ := crm.PlaceTask(t, u.svc.Now()) // the inbox's own urgency rule, snoozed or not
	if typ, rid := t.String("record_type"), t.String("record_id"); typ != "" && rid != "" {
		if rec, err := u.svc.Get(r.Context(), typ, rid); err == nil {
			it.Record = map[string]any(rec)
			it.Record["type"] = typ
		}
	}
	rr := row(it, u.svc.Now())
	rr.Done, rr.DoneUntil, rr.Problem = done, until, problem
	if done != "" {
		rr.Urgency, rr.UrgencyText, rr.When = "done", t.String("status"), human(t.String("status"))
	}
	_ = taskCard(rr).Render(r.Context(), w)
}

// mayRead: a rep reads their own tasks and their team's pool; managers and admins read all.
func (u *UI) mayRead(r *http.Request, a auth.Actor, t records.Values) bool {
	if a.IsAdmin() || a.Role == auth.Manager {
		return true
	}
	return t.String("owner_id") == a.UserID || t.String("owner_id") == ""
}
