package demo

import (
	"fmt"
	"strings"
	"time"
)

// dealStep is an activity a deal has behind it once it reached stage index from (closed stages
// count as past every open one).
type dealStep struct {
	from int
	touch
	subject, body string
}

var newBusinessSteps = []dealStep{
	{0, touch{typ: "meeting_held"}, "Discovery call with {contact}", "Evaluating three vendors. Main pain: leads sit unassigned overnight; no audit trail of routing decisions."},
	{0, touch{typ: "email_sent", onContact: true}, "Recap and next steps", "Hi {first},\n\nThanks for walking us through your process. As discussed, I'll set up a demo for your team.\n\n{owner}"},
	{1, touch{typ: "meeting_booked"}, "Demo booked with {account}", ""},
	{1, touch{typ: "meeting_held"}, "Product demo for {account}", "Showed routing with out-of-office skipping and the task inbox. RevOps asked about the dry-run mode."},
	{2, touch{typ: "email_sent", onContact: true}, "Proposal: {deal}", "Hi {first},\n\nAttached is our proposal. Happy to walk your CFO through it.\n\n{owner}"},
	{2, touch{typ: "email_received", onContact: true}, "Re: Proposal: {deal}", "Thanks. Procurement will need your security questionnaire and a DPA."},
	{3, touch{typ: "call_logged", variant: "connected"}, "Pricing call with procurement", "They asked for a multi-year discount; told them anything above 15% needs approval."},
	{3, touch{typ: "note"}, "Legal redlines received", "Liability cap and a 60-day termination clause; legal reviewing."},
}

var renewalSteps = []dealStep{
	{0, touch{typ: "note"}, "Renewal health check", "Usage is healthy: most seats active weekly; two open support tickets."},
	{0, touch{typ: "email_sent", onContact: true}, "Your renewal is coming up", "Hi {first},\n\nYour subscription renews soon. Shall we book 30 minutes to review how it's going?\n\n{owner}"},
	{1, touch{typ: "meeting_held"}, "Renewal review with {contact}", "Happy with routing; want more seats for the new EMEA team. Asked about annual prepay terms."},
	{1, touch{typ: "email_received", onContact: true}, "Re: Your renewal is coming up", "Can we add 10 seats at the same per-seat price?"},
}

var outcomes = map[string][2]string{
	"Closed won":  {"Closed won", "Order form signed; kickoff booked with Customer Success."},
	"Closed lost": {"Closed lost", "Chose a competitor on price; revisit at their next contract end."},
	"Renewed":     {"Renewed", "Renewed for 12 months with 10 extra seats."},
	"Churned":     {"Churned", "Budget cut after a reorganisation; the team moved to the parent company's CRM."},
}

// seedDealHistory logs what happened on each deal up to its stage, from its start until its close
// date (closed deals) or now.
func (s *seeder) seedDealHistory() error {
	for _, d := range s.deals {
		if err := s.isolated(func() error { return s.dealHistory(d) }); err != nil {
			return err
		}
	}
	return nil
}

func (s *seeder) dealHistory(d *deal) error {
	steps, reached := newBusinessSteps, stageIndex(d)
	if d.pipeline == s.renewals {
		steps = renewalSteps
	}
	var due []dealStep
	for _, st := range steps {
		if st.from <= reached {
			due = append(due, st)
		}
	}
	if o, ok := outcomes[d.stage.name]; ok {
		due = append(due, dealStep{touch: touch{typ: "note"}, subject: o[0], body: o[1]})
	}
	end := s.now.Add(-time.Hour)
	if d.stage.closed() {
		end = d.close
	}
	start := end.Add(-time.Duration(s.between(15, 45)) * 24 * time.Hour)
	if oldest := s.now.Add(-58 * 24 * time.Hour); start.Before(oldest) {
		start = oldest // the demo's history spans the last 60 days
	}
	gap := end.Sub(start) / time.Duration(len(due)+1)
	t := start
	for _, st := range due {
		t = s.workTime(t.Add(gap/2+time.Duration(s.rng.Int64N(int64(gap)))), d.owner.timezone)
		if err := s.dealActivity(d, st, earlier(t, end)); err != nil {
			return err
		}
	}
	return nil
}

func earlier(a, b time.Time) time.Time {
	if a.After(b) {
		return b
	}
	return a
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// stageIndex is how far the deal got: its stage's position, or past every open stage when closed.
func stageIndex(d *deal) int {
	if d.stage.closed() {
		return len(d.pipeline.stages)
	}
	for i, st := range d.pipeline.stages {
		if st.name == d.stage.name {
			return i
		}
	}
	return 0
}

func (s *seeder) dealActivity(d *deal, st dealStep, at time.Time) error {
	r := strings.NewReplacer("{contact}", d.contact.first+" "+d.contact.last, "{first}", d.contact.first,
		"{account}", d.account.name, "{deal}", d.name, "{owner}", firstName(d.owner)).Replace
	recordType, recordID := "deal", d.id
	if st.onContact {
		recordType, recordID = "contact", d.contact.id
	}
	var data map[string]any
	if st.typ == "call_logged" || st.typ == "meeting_booked" {
		data = s.touchData(st.touch, s.workTime(at.Add(50*time.Hour), d.owner.timezone).Truncate(30*time.Minute))
	}
	if err := s.activity(st.typ, recordType, recordID, d.owner, at, r(st.subject), r(st.body), data); err != nil {
		return fmt.Errorf("deal %s: %w", d.name, err)
	}
	return nil
}
