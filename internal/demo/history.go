package demo

import (
	"fmt"
	"strings"
	"time"
)

// touch is one activity in a scripted history: its type, a variant choosing the text, and for deals
// whether it is logged on the contact (emails) rather than the deal.
type touch struct {
	typ, variant string
	onContact    bool
}

// leadScripts are the histories a lead of each status has behind it, after any form it submitted.
var leadScripts = map[string][][]touch{
	"new": {nil, nil, {{typ: "email_sent", variant: "intro"}}},
	"working": {
		{{typ: "email_sent", variant: "intro"}, {typ: "call_logged", variant: "voicemail"}},
		{{typ: "call_logged", variant: "no_answer"}, {typ: "email_sent", variant: "intro"}, {typ: "call_logged", variant: "voicemail"}},
		{{typ: "email_sent", variant: "intro"}, {typ: "email_received", variant: "later"}, {typ: "call_logged", variant: "no_answer"}, {typ: "email_sent", variant: "bump"}},
	},
	"nurturing": {
		{{typ: "email_sent", variant: "intro"}, {typ: "call_logged", variant: "connected"}, {typ: "note", variant: "nurture"}},
		{{typ: "email_sent", variant: "intro"}, {typ: "email_received", variant: "later"}, {typ: "note", variant: "nurture"}, {typ: "email_sent", variant: "content"}},
	},
	"qualified": {
		{{typ: "email_sent", variant: "intro"}, {typ: "call_logged", variant: "connected"}, {typ: "meeting_booked"}, {typ: "meeting_held"}, {typ: "note", variant: "handoff"}},
		{{typ: "email_sent", variant: "intro"}, {typ: "email_received", variant: "yes"}, {typ: "meeting_booked"}, {typ: "meeting_no_show"}, {typ: "meeting_booked"}, {typ: "meeting_held"}, {typ: "note", variant: "handoff"}},
	},
	"disqualified": {
		{{typ: "email_sent", variant: "intro"}, {typ: "note", variant: "disqualified"}},
		{{typ: "call_logged", variant: "connected"}, {typ: "email_sent", variant: "bump"}, {typ: "note", variant: "disqualified"}},
	},
	"converted": {
		{{typ: "email_sent", variant: "intro"}, {typ: "call_logged", variant: "connected"}, {typ: "meeting_booked"}, {typ: "meeting_held"}, {typ: "note", variant: "handoff"}, {typ: "note", variant: "converted"}},
		{{typ: "email_received", variant: "yes"}, {typ: "meeting_booked"}, {typ: "meeting_held"}, {typ: "email_sent", variant: "recap"}, {typ: "note", variant: "handoff"}, {typ: "note", variant: "converted"}},
	},
}

// forms are what each inbound source submitted.
var forms = map[string][]map[string]any{
	"web_form":     {{"form": "website-demo", "page": "/pricing"}, {"form": "contact-us", "page": "/contact"}, {"form": "ebook-download", "page": "/resources/routing-playbook"}},
	"demo_request": {{"form": "website-demo", "page": "/pricing"}, {"form": "website-demo", "page": "/product/routing"}},
	"webinar":      {{"form": "webinar-registration", "page": "/webinars/fixing-lead-routing"}},
	"chat":         {{"form": "chat-handoff", "page": "/pricing"}},
}

var utmSources = []string{"google", "linkedin", "newsletter", "g2", "direct"}

// seedLeadHistory logs each lead's form submission and the touches its status implies, spread from
// when it arrived until now. Leads an AE owns were worked by an SDR first.
func (s *seeder) seedLeadHistory() error {
	sdrs := s.reps("sdr", true)
	for _, l := range s.leads {
		if err := s.isolated(func() error { return s.leadHistory(l, sdrs) }); err != nil {
			return err
		}
	}
	return nil
}

// leadHistory logs one lead's form submission and the touches of one of its status's scripts.
func (s *seeder) leadHistory(l *lead, sdrs []*user) error {
	t := l.at
	if fs, ok := forms[l.source]; ok {
		data := map[string]any{"utm_source": pick(s.rng, utmSources)}
		for k, v := range pick(s.rng, fs) {
			data[k] = v
		}
		subject := fmt.Sprintf("Submitted %s on %s", data["form"], data["page"])
		if err := s.activity("form_submitted", "lead", l.id, nil, t, subject, "", data); err != nil {
			return err
		}
	}
	worker := l.owner
	if worker == nil || worker.kind == "ae" {
		worker = pick(s.rng, sdrs)
	}
	var meeting time.Time // when the last booked meeting starts
	for _, tc := range pick(s.rng, leadScripts[l.status]) {
		who := worker
		if tc.variant == "converted" || (tc.typ == "meeting_held" && l.owner != nil) {
			who = l.owner
		}
		prev := t
		t = s.after(t, 1, 60, who.timezone)
		switch tc.typ {
		case "meeting_booked":
			meeting = s.workTime(t.Add(time.Duration(s.between(20, 72))*time.Hour), who.timezone).Truncate(30 * time.Minute)
		case "meeting_held", "meeting_no_show":
			if meeting.After(s.now.Add(-time.Hour)) {
				continue // booked for later: it has not happened yet
			}
			t = later(prev.Add(time.Minute), meeting.Add(35*time.Minute)) // logged as the meeting ends
		}
		subject, body := s.leadText(l, tc, who, meeting)
		if err := s.activity(tc.typ, "lead", l.id, who, t, subject, body, s.touchData(tc, meeting)); err != nil {
			return err
		}
	}
	return nil
}

// touchData is the structured part of a call (outcome, duration) or a booking (start, length).
func (s *seeder) touchData(tc touch, meeting time.Time) map[string]any {
	switch tc.typ {
	case "call_logged":
		d := map[string]any{"outcome": tc.variant, "duration_seconds": 0}
		if tc.variant == "connected" {
			d["duration_seconds"] = 60 * s.between(4, 25)
		}
		return d
	case "meeting_booked":
		return map[string]any{"starts_at": stamp(meeting), "duration_minutes": pick(s.rng, []int{30, 30, 45, 60})}
	}
	return nil
}

func (s *seeder) activity(typ, recordType, recordID string, owner *user, at time.Time, subject, body string, data map[string]any) error {
	in := map[string]any{"type": typ, "record_type": recordType, "record_id": recordID,
		"occurred_at": stamp(at), "subject": subject}
	if body != "" {
		in["body"] = body
	}
	if owner != nil {
		in["owner_id"] = owner.id
	}
	if data != nil {
		in["data"] = data
	}
	if _, err := s.create("activity", typ+" on "+recordType+" "+recordID, in); err != nil {
		return err
	}
	s.sum.Activities++
	return nil
}

func firstName(u *user) string {
	if u == nil {
		return "Salesflow"
	}
	f, _, _ := strings.Cut(u.name, " ")
	return f
}

// leadText writes an activity's subject and body; meeting is when the last booked meeting starts.
func (s *seeder) leadText(l *lead, tc touch, who *user, meeting time.Time) (subject, body string) {
	co := l.company
	if co == "" {
		co = "your team"
	}
	sign := "\n\n" + firstName(who)
	switch tc.typ + ":" + tc.variant {
	case "email_sent:intro":
		return fmt.Sprintf("Routing inbound leads faster at %s", co),
			fmt.Sprintf("Hi %s,\n\nThanks for your interest. Most teams we talk to lose a day between a form fill and the first call. Would 20 minutes next week be useful to see how %s could cut that to minutes?%s", l.first, co, sign)
	case "email_sent:bump":
		return "Re: Routing inbound leads faster", fmt.Sprintf("Hi %s, bumping this up in case it got buried. Happy to send a short recording instead.%s", l.first, sign)
	case "email_sent:content":
		return "The lead routing playbook", fmt.Sprintf("Hi %s, as promised, here is the playbook we mentioned. No reply needed.%s", l.first, sign)
	case "email_sent:recap":
		return "Recap and next steps", fmt.Sprintf("Hi %s,\n\nThanks for the time today. Next step: a technical deep-dive with your RevOps team.%s", l.first, sign)
	case "email_received:later":
		return "Re: Routing inbound leads faster", "Thanks, not the right time for us; we are mid-way through a CRM migration. Try me next quarter."
	case "email_received:yes":
		return "Re: Routing inbound leads faster", "Sure. Tuesday or Wednesday afternoon works; can you include our RevOps lead?"
	case "call_logged:connected":
		return "Call: connected", fmt.Sprintf("Spoke with %s. Current process: round robin in spreadsheets; leads wait overnight.", l.first)
	case "call_logged:voicemail":
		return "Call: left voicemail", "Left a voicemail referencing their form submission."
	case "call_logged:no_answer":
		return "Call: no answer", ""
	case "meeting_booked:":
		return fmt.Sprintf("Discovery call booked for %s", meeting.In(s.location(who.timezone)).Format("Mon 2 Jan 15:04 MST")), ""
	case "meeting_held:":
		return fmt.Sprintf("Discovery call with %s", l.first), fmt.Sprintf("Pain: slow speed-to-lead and no visibility into why leads were routed where. Team of %d reps. Budget owner is the CFO.", s.between(5, 45))
	case "meeting_no_show:":
		return "No-show: discovery call", "Did not join; sent a reschedule link."
	case "note:nurture":
		return "Nurture: revisit next quarter", "Interested but no budget until their planning cycle. Added to the nurture track."
	case "note:disqualified":
		return "Disqualified", pick(s.rng, []string{"No budget and no project this year.", "Student project, not a buyer.",
			"Works at a competitor.", "Too small: two-person team using a shared inbox.", "Duplicate of an existing conversation."})
	case "note:handoff":
		return "Handoff to Account Executive", fmt.Sprintf("BANT confirmed: budget approved for this year, %s's VP is the decision maker, timeline this quarter. Demo requested.", co)
	case "note:converted":
		return "Converted", "Converted to a contact and a new-business deal."
	}
	return tc.typ, ""
}
