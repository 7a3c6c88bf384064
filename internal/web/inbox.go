package web

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/salesflow/salesflow/internal/auth"
	"github.com/salesflow/salesflow/internal/crm"
)

// inboxRow is a task as the inbox shows it.
type inboxRow struct {
	ID, Title, Why, Type, Priority, Urgency, UrgencyText, When, Record string
	Outcomes                                                           []string
	Done, Problem                                                      string
}

var urgencyText = map[string]string{"breached": "SLA breached", "due_soon": "due soon", "open": "open", "snoozed_over": "snooze over"}

// inbox is a rep's tasks by urgency; a manager sees their team's queue with ?team=ID.
func (u *UI) inbox(w http.ResponseWriter, r *http.Request, a auth.Actor) {
	team := r.URL.Query().Get("team")
	owner := r.URL.Query().Get("owner")
	if team == "" && owner == "" && a.UserID == "" {
		u.render(w, r, http.StatusOK, "Inbox", u.who(r.Context(), a), notFound("The admin token belongs to no person, so it has no inbox. Open a team's queue with ?team=ID, or sign in with your own token."))
		return
	}
	in, err := u.svc.Inbox(r.Context(), a, owner, team)
	if err != nil {
		u.fail(w, r, a, err)
		return
	}
	rows := make([]inboxRow, 0, len(in.Items))
	for _, it := range in.Items {
		rows = append(rows, row(it))
	}
	title := "My inbox"
	if team != "" {
		title = "Team queue"
	}
	u.render(w, r, http.StatusOK, title, u.who(r.Context(), a), inboxPage(title, rows, in.Breaches, team != ""))
}

func row(it crm.InboxItem) inboxRow {
	t := it.Task
	rr := inboxRow{ID: t.ID(), Title: t.String("title"), Why: t.String("why"), Type: t.String("type"), Priority: t.String("priority"),
		Urgency: it.Urgency, UrgencyText: urgencyText[it.Urgency]}
	switch {
	case it.OverdueBy != nil:
		rr.When = "overdue by " + span(*it.OverdueBy)
	case it.DueIn != nil:
		rr.When = "due in " + span(*it.DueIn)
	default:
		rr.When = "no due time"
	}
	for _, o := range outcomeList(t["outcomes"]) {
		rr.Outcomes = append(rr.Outcomes, o)
	}
	if rec := it.Record; rec != nil {
		var parts []string
		for _, k := range []string{"first_name", "last_name", "name", "company", "email", "phone", "status", "score_grade"} {
			if v, ok := rec[k]; ok && v != nil && fmt.Sprint(v) != "" {
				parts = append(parts, fmt.Sprint(v))
			}
		}
		rr.Record = fmt.Sprint(rec["type"]) + ": " + strings.Join(parts, " · ")
	}
	return rr
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
	c := crm.TaskChange{Action: move, Outcome: r.PostFormValue("outcome"), Reason: r.PostFormValue("reason")}
	if move == "complete" {
		c.Action = "complete"
	}
	if move == "snooze" {
		loc := time.UTC
		if tz, err := time.LoadLocation(r.PostFormValue("tz")); err == nil {
			loc = tz
		}
		t, err := time.ParseInLocation("2006-01-02T15:04", r.PostFormValue("until"), loc)
		if err != nil {
			u.card(w, r, a, id, "", "Give a date and time to snooze until.")
			return
		}
		c.Until = t
	}
	switch move {
	case "complete", "skip", "snooze", "decline":
	default:
		http.NotFound(w, r)
		return
	}
	task, err := u.svc.ChangeTask(r.Context(), a, id, c)
	if err != nil {
		u.card(w, r, a, id, "", err.Error())
		return
	}
	done := map[string]string{"complete": "Done", "skip": "Skipped", "snooze": "Snoozed", "decline": "Declined"}[move]
	if o := task.String("outcome"); o != "" && move == "complete" {
		done += " — " + o
	}
	if task.String("run_id") != "" && move != "snooze" {
		done += "; the workflow goes on."
	}
	if r.Header.Get("HX-Request") == "" {
		http.Redirect(w, r, "/inbox", http.StatusSeeOther)
		return
	}
	u.card(w, r, a, id, done, "")
}

// card renders one task's card (for htmx), with what happened or what went wrong.
func (u *UI) card(w http.ResponseWriter, r *http.Request, a auth.Actor, id, done, problem string) {
	t, err := u.svc.Get(r.Context(), "task", id)
	if err != nil {
		http.Error(w, "no such task", http.StatusNotFound)
		return
	}
	rr := row(crm.InboxItem{Task: t, Urgency: "open"})
	rr.Done, rr.Problem = done, problem
	if done != "" {
		rr.Urgency, rr.UrgencyText = "done", t.String("status")
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if problem != "" {
		w.WriteHeader(http.StatusOK) // htmx swaps 2xx only: the card shows the problem
	}
	_ = taskCard(rr).Render(r.Context(), w)
}
