package demo

import (
	"fmt"
	"time"
)

const leadCount = 240

type lead struct {
	id, first, last, company, status, source string
	owner                                    *user
	score                                    float64
	at                                       time.Time // when the lead first showed up
	account                                  *account  // the existing account whose domain it shares
}

func (l *lead) name() string { return l.first + " " + l.last }

var leadStatuses = []weighted[string]{{"new", 34}, {"working", 20}, {"nurturing", 14}, {"qualified", 12},
	{"disqualified", 11}, {"converted", 9}}

var leadSources = []weighted[string]{{"web_form", 24}, {"demo_request", 14}, {"chat", 9}, {"webinar", 15},
	{"referral", 8}, {"list_import", 17}, {"outbound", 13}}

// scoreRange is where each status's scores lie: qualified leads scored high, disqualified ones low.
var scoreRange = map[string][2]int{"new": {5, 80}, "working": {30, 85}, "nurturing": {15, 55},
	"qualified": {65, 95}, "disqualified": {0, 30}, "converted": {70, 95}}

// seedLeads creates leads in every status: most at companies not yet in the CRM, some at existing
// accounts' domains (account-based routing has something to match), and some with personal addresses.
func (s *seeder) seedLeads() error {
	var companies []company
	for range leadCount {
		l := &lead{status: pickW(s.rng, leadStatuses), source: pickW(s.rng, leadSources)}
		l.at = s.ago(3, 60)
		if l.status == "new" {
			l.at = s.ago(0, 4)
		}
		r := scoreRange[l.status]
		l.score = float64(s.between(r[0], r[1]))
		if l.source == "demo_request" && l.status == "new" {
			l.score = float64(s.between(55, 95))
		}
		var in map[string]any
		inbound := l.source != "list_import" && l.source != "outbound" && l.source != "referral"
		switch {
		case inbound && s.chance(0.2):
			in = s.personalLead(l)
		case s.chance(0.18):
			in = s.accountLead(l)
		default:
			var c company
			if len(companies) > 0 && s.chance(0.1) {
				c = pick(s.rng, companies)
			} else {
				c = s.newCompany("")
				companies = append(companies, c)
			}
			in = s.companyLead(l, c)
		}
		l.owner = s.leadOwner(l)
		in["first_name"], in["last_name"], in["status"], in["source"] = l.first, l.last, l.status, l.source
		in["score"], in["title"] = l.score, pick(s.rng, leadTitles)
		if l.status == "disqualified" && s.chance(0.4) {
			in["title"] = pick(s.rng, poorFitTitles)
		}
		if l.owner != nil {
			in["owner_id"] = l.owner.id
		}
		if s.chance(0.5) {
			in["phone"] = s.phone(in["country"].(string))
		}
		rec, err := s.create("lead", l.name(), in)
		if err != nil {
			return err
		}
		l.id = rec.ID()
		if err := s.tx.Backdate(s.ctx, s.object("lead"), l.id, l.at); err != nil { // it arrived then
			return err
		}
		s.leads = append(s.leads, l)
		s.sum.Leads++
	}
	return nil
}

// personalLead has a gmail.com or outlook.com address, so no company domain can be derived.
func (s *seeder) personalLead(l *lead) map[string]any {
	country := pickW(s.rng, countries)
	l.first, l.last = s.person(country)
	domain := pick(s.rng, []string{"gmail.com", "gmail.com", "outlook.com"})
	in := map[string]any{"email": s.email(l.first, l.last, domain), "country": country,
		"timezone": pick(s.rng, timezones[country])}
	if s.chance(0.6) {
		c := s.newCompany(country)
		l.company = c.name
		in["company"] = c.name
	}
	return in
}

// accountLead works at an existing account: same domain, so it can be matched and routed to the owner.
func (s *seeder) accountLead(l *lead) map[string]any {
	a := pick(s.rng, s.accounts)
	l.account, l.company = a, a.name
	l.first, l.last = s.person(a.country)
	return map[string]any{"email": s.email(l.first, l.last, a.domain), "company": a.name, "country": a.country,
		"industry": a.industry, "employees": a.employees, "timezone": pick(s.rng, timezones[a.country])}
}

func (s *seeder) companyLead(l *lead, c company) map[string]any {
	l.first, l.last = s.person(c.country)
	l.company = c.name
	in := map[string]any{"email": s.email(l.first, l.last, c.domain), "company": c.name, "country": c.country,
		"timezone": pick(s.rng, timezones[c.country])}
	if s.chance(0.4) {
		in["website"] = "https://" + c.domain
	}
	if s.chance(0.7) { // enriched
		in["industry"], in["employees"] = c.industry, c.employees
	}
	return in
}

// leadOwner follows the handoffs: new leads are partly unassigned, SDRs work and nurture, AEs own what
// qualified (the account's owner when the lead works at an AE's account).
func (s *seeder) leadOwner(l *lead) *user {
	switch l.status {
	case "new":
		if s.chance(0.4) {
			return nil
		}
	case "qualified", "converted":
		if l.account != nil && l.account.owner.kind == "ae" {
			return l.account.owner
		}
		return pick(s.rng, s.reps("ae", true))
	case "nurturing", "disqualified":
		if l.at.Before(s.now.Add(-30*24*time.Hour)) && s.chance(0.2) {
			return s.userNamed(inactiveSDR) // left the company; their leads were never reassigned
		}
	}
	return pick(s.rng, s.reps("sdr", true))
}

// where names the lead and where they work, for titles like "Call Dana Whitfield at Bluepeak Analytics".
func (l *lead) where() string {
	if l.company == "" {
		return l.name()
	}
	return fmt.Sprintf("%s at %s", l.name(), l.company)
}
