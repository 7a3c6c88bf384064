package demo

import (
	"fmt"
	"time"

	"github.com/salesflow/salesflow/internal/records"
)

type taskSpec struct {
	typ, title, why, priority string
	owner                     *user
	recordType, recordID      string
	earliest                  time.Time // the task cannot be due before its record existed
	due                       time.Time // set for first touches, whose due time is the lead's SLA
}

// seedTasks fills the reps' inboxes: first touches on new leads, follow-ups on worked ones, nurture
// check-ins, handoff reviews for AEs, and the next step of every open deal.
func (s *seeder) seedTasks() error {
	for _, l := range s.leads {
		err := s.isolated(func() error {
			if spec, ok := s.leadTask(l); ok {
				return s.task(spec)
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	for _, d := range s.deals {
		if d.stage.lost || (d.stage.won && d.pipeline == s.renewals) {
			continue // nothing left to do
		}
		if err := s.isolated(func() error { return s.task(s.dealTask(d)) }); err != nil {
			return err
		}
	}
	return nil
}

// firstTouchSLA is how soon after it arrives a new lead of each source must be contacted.
var firstTouchSLA = map[string]time.Duration{"demo_request": 15 * time.Minute, "chat": 30 * time.Minute,
	"web_form": time.Hour, "referral": 4 * time.Hour, "webinar": 24 * time.Hour, "list_import": 48 * time.Hour,
	"outbound": 72 * time.Hour}

var firstTouchWhy = map[string]string{
	"demo_request": "Demo request scored %d; first touch within 15 minutes.",
	"web_form":     "Website form, score %d; call within one business hour.",
	"chat":         "Chat handed off by the bot after a pricing question (score %d); reply within 30 minutes.",
	"webinar":      "Attended the webinar \"Fixing lead routing\" (score %d); follow up within 24 hours.",
	"referral":     "Referred by an existing customer (score %d); reply the same day.",
	"list_import":  "New from the trade-show list; fit score %d.",
	"outbound":     "On the target account list; fit score %d. Step 1 of the outbound sequence.",
}

func (s *seeder) leadTask(l *lead) (taskSpec, bool) {
	t := taskSpec{owner: l.owner, recordType: "lead", recordID: l.id, earliest: l.at.Add(10 * time.Minute),
		priority: priorityFor(l)}
	score := int(l.score)
	switch {
	case l.owner == nil:
		return t, false
	case l.status == "new":
		t.typ, t.title = "call", "Call "+l.where()
		if s.chance(0.25) {
			t.typ, t.title = "email", "Email "+l.where()
		}
		t.why = fmt.Sprintf(firstTouchWhy[l.source], score)
		t.due = l.at.Add(firstTouchSLA[l.source])
	case l.status == "working":
		attempt := s.between(2, 5)
		t.typ, t.title = "call", fmt.Sprintf("Follow up with %s (attempt %d)", l.where(), attempt)
		t.why = fmt.Sprintf("No connect yet: attempt %d of 6 in the inbound sequence; last try went to voicemail.", attempt)
	case l.status == "nurturing" && s.chance(0.5):
		t.typ, t.title, t.priority = "email", "Check in with "+l.where(), "low"
		t.why = "Nurture: they asked to be contacted again after their planning cycle."
	case l.status == "qualified" && s.chance(0.5):
		t.typ, t.title = "todo", "Review handoff notes for "+l.where()
		t.why = fmt.Sprintf("Handed off by an SDR: BANT confirmed, score %d. Accept within 4 business hours.", score)
	case l.status == "qualified":
		t.typ, t.title = "meeting_prep", "Prep discovery call with "+l.where()
		t.why = fmt.Sprintf("Qualified (score %d) with a discovery call booked; read the SDR's notes and the account history first.", score)
	default:
		return t, false
	}
	return t, true
}

func priorityFor(l *lead) string {
	switch {
	case l.source == "demo_request" || l.score >= 85:
		return "urgent"
	case l.score >= 65 || l.source == "referral":
		return "high"
	case l.source == "list_import":
		return "low"
	}
	return "normal"
}

func (s *seeder) dealTask(d *deal) taskSpec {
	c := d.contact.first + " " + d.contact.last
	t := taskSpec{owner: d.owner, recordType: "deal", recordID: d.id, priority: "normal", earliest: s.now.Add(-20 * 24 * time.Hour)}
	days := int(d.close.Sub(s.now).Hours() / 24)
	switch d.stage.name {
	case "Discovery":
		t.typ, t.title = "call", fmt.Sprintf("Call %s at %s to book a demo", c, d.account.name)
		t.why = "Discovery done; book the demo while the pain is fresh."
	case "Demo":
		t.typ, t.title, t.priority = "meeting_prep", "Prep demo for "+d.account.name, "high"
		t.why = "Demo booked: review the discovery notes and tailor the agenda to their routing pain."
	case "Proposal":
		t.typ, t.title = "email", fmt.Sprintf("Send proposal to %s", c)
		t.why = fmt.Sprintf("Deal in Proposal, closing in %d days; the proposal is the next step.", days)
	case "Negotiation":
		t.typ, t.title, t.priority = "approval", fmt.Sprintf("Approve %d%% discount on %s", s.between(16, 25), d.name), "high"
		t.why = fmt.Sprintf("Discounts above 15%% need manager approval; close date in %d days.", days)
		if m := s.manager(d.owner); m != nil {
			t.owner = m
		}
	case "Closed won":
		t.typ, t.title = "todo", fmt.Sprintf("Hand off %s to Customer Success", d.account.name)
		t.why = fmt.Sprintf("Closed won on %s; book the kickoff and introduce the CSM within 2 business days.", day(d.close))
		t.earliest = d.close
	default: // renewals
		t.typ, t.title = "call", fmt.Sprintf("Renewal check-in with %s at %s", c, d.account.name)
		t.why = fmt.Sprintf("Renewal in %d days (%s %.0f); confirm seats and terms.", days, currencies[d.account.country], d.amount)
		if days < 45 {
			t.priority = "high"
		}
	}
	return t
}

// manager returns the manager of u's team.
func (s *seeder) manager(u *user) *user {
	for _, m := range s.users {
		if m.team == u.team && m.role == "manager" {
			return m
		}
	}
	return nil
}

// task writes one task with a due date and status drawn from a realistic inbox: mostly open and
// spread over overdue, today and the coming weeks, some done, a few skipped, snoozed or declined.
func (s *seeder) task(t taskSpec) error {
	in := map[string]any{"type": t.typ, "title": t.title, "why": t.why, "owner_id": t.owner.id,
		"priority": t.priority, "record_type": t.recordType, "record_id": t.recordID}
	if t.typ == "call" { // the outcomes a rep picks from, as a workflow's call task offers them
		in["outcomes"] = []any{"connected", "voicemail", "no_answer", "wrong_person", "not_interested"}
	}
	due, bucket := t.due, ""
	switch {
	case !due.IsZero() && due.After(s.now):
		bucket = "open"
	case !due.IsZero(): // a first touch whose SLA has passed: done, or a breach waiting in the inbox
		bucket = pickW(s.rng, []weighted[string]{{"open", 4}, {"done", 6}, {"skipped", 1}})
	default:
		bucket = pickW(s.rng, []weighted[string]{{"overdue", 18}, {"today", 20}, {"week", 22}, {"next_week", 14},
			{"done", 16}, {"skipped", 3}, {"snoozed", 4}, {"declined", 4}})
		if t.earliest.After(s.now.Add(-3*time.Hour)) && (bucket == "overdue" || bucket == "done" || bucket == "skipped") {
			bucket = "today" // a record that arrived an hour ago has no history of missed tasks yet
		}
		due = s.dueIn(bucket, t)
	}
	status := "open"
	sys := records.Values{}
	switch bucket {
	case "done":
		status = "done"
		in["outcome"] = doneOutcome(s, t.typ)
		in["completed_at"] = stamp(earlier(due.Add(time.Duration(s.between(-10, 240))*time.Minute), s.now.Add(-time.Minute)))
	case "skipped":
		status, sys["status_reason"] = "skipped", skipReasons[t.typ]
	case "snoozed":
		status, sys["snoozed_until"] = "snoozed", due.Add(-2*time.Hour) // back on the list shortly before it is due
	case "declined":
		status, sys["status_reason"] = "declined", pick(s.rng, declineReasons[t.recordType])
	}
	in["due_at"], in["status"] = stamp(due), status
	if _, err := s.svc.CreateSystemTx(s.ctx, s.tx, s.actor, "task", in, sys); err != nil {
		return fmt.Errorf("create task %s: %w", t.title, err)
	}
	s.sum.Tasks++
	return nil
}

var skipReasons = map[string]string{
	"call":         "Already in a conversation with the account's AE.",
	"email":        "Already in a conversation with the account's AE.",
	"meeting_prep": "Meeting cancelled by the prospect.",
	"approval":     "Discount withdrawn: the customer accepted list price.",
	"todo":         "Done elsewhere.",
}

var declineReasons = map[string][]string{
	"lead": {"Not my territory: the lead is in EMEA.", "Duplicate of a task on the same lead.",
		"Asked not to be called; email only."},
	"deal": {"Wrong owner: this account moved to another AE.", "Duplicate of a task on the same deal."},
}

func doneOutcome(s *seeder, typ string) string {
	switch typ {
	case "call":
		return pickW(s.rng, []weighted[string]{{"connected", 4}, {"voicemail", 4}, {"no_answer", 2}})
	case "approval":
		return "approved"
	case "email":
		return "sent"
	}
	return "done"
}

// dueIn returns a due time for the bucket during the owner's working day; past ones never fall
// before the task's record existed.
func (s *seeder) dueIn(bucket string, t taskSpec) time.Time {
	tz := t.owner.timezone
	switch bucket {
	case "today":
		return s.localDay(tz, 0)
	case "week", "snoozed":
		return s.localDay(tz, s.between(1, 5))
	case "next_week":
		return s.localDay(tz, s.between(7, 11))
	}
	due := s.localDay(tz, -s.between(1, 5))
	if due.Before(t.earliest) {
		due = t.earliest.Add(time.Duration(s.between(15, 120)) * time.Minute)
	}
	return due
}
