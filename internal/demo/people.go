package demo

import (
	"strings"
	"time"

	"github.com/salesflow/salesflow/internal/crm"
)

type pipeline struct {
	id, name string
	stages   []stage
}

type stage struct {
	name        string
	probability float64
	won, lost   bool
}

func (st stage) closed() bool { return st.won || st.lost }

var pipelineSpecs = []pipeline{
	{name: "New business", stages: []stage{{name: "Discovery", probability: 10}, {name: "Demo", probability: 25},
		{name: "Proposal", probability: 50}, {name: "Negotiation", probability: 75},
		{name: "Closed won", probability: 100, won: true}, {name: "Closed lost", probability: 0, lost: true}}},
	{name: "Renewals", stages: []stage{{name: "Upcoming", probability: 70}, {name: "In negotiation", probability: 85},
		{name: "Renewed", probability: 100, won: true}, {name: "Churned", probability: 0, lost: true}}},
}

// seedPipelines creates both pipelines and makes New business the default.
func (s *seeder) seedPipelines() error {
	var made []*pipeline
	for _, spec := range pipelineSpecs {
		p := spec
		stages := make([]any, len(p.stages))
		for i, st := range p.stages {
			m := map[string]any{"name": st.name, "probability": st.probability}
			if st.won {
				m["won"] = true
			}
			if st.lost {
				m["lost"] = true
			}
			stages[i] = m
		}
		rec, err := s.create("pipeline", p.name, map[string]any{"name": p.name, "stages": stages})
		if err != nil {
			return err
		}
		p.id = rec.ID()
		made = append(made, &p)
	}
	s.newBusiness, s.renewals = made[0], made[1]
	return s.tx.SetSetting(s.ctx, crm.SettingDefaultPipeline, s.newBusiness.id, s.now)
}

type user struct {
	id, name, email, team string
	role, kind            string // kind: the team's kind (sdr, ae, csm), "" for the admin
	timezone              string
	active, away          bool
}

type userSpec struct {
	name, timezone, hours string
	capacity              float64
}

type teamSpec struct {
	name, kind string
	manager    userSpec
	members    []userSpec
}

// The SDRs' working hours come in pairs with the same hours in UTC all year (two in Berlin; New York
// and Chicago an hour apart in clock time), so inbound routing that respects working hours always has
// a choice whenever anyone is working, and sets hours aside when nobody is.
var teamSpecs = []teamSpec{
	{name: "SDR", kind: "sdr",
		manager: userSpec{"Marcus Bell", "America/New_York", "mon-fri 08:30-17:00", 20},
		members: []userSpec{
			{"Jenna Ortiz", "America/New_York", "mon-fri 08:30-17:00", 55},
			{"Tyler Brooks", "America/Chicago", "mon-fri 07:30-16:00", 50},
			{"Aisha Khan", "Europe/London", "mon-fri 09:00-17:30", 45},
			{"Liam O'Connor", "America/Los_Angeles", "mon-fri 08:00-16:30", 60},
			{"Sofia Rossi", "Europe/Berlin", "mon-fri 08:30-17:00", 40},
			{"Jonas Becker", "Europe/Berlin", "mon-fri 08:30-17:00", 45},
		}},
	{name: "Account Executives", kind: "ae",
		manager: userSpec{"Rachel Kim", "America/Los_Angeles", "mon-fri 08:30-17:30", 10},
		members: []userSpec{
			{"Daniel Weber", "Europe/Berlin", "mon-fri 08:00-17:00", 25},
			{"Olivia Grant", "Europe/London", "mon-fri 09:00-17:30", 20},
			{"Ethan Park", "America/Los_Angeles", "mon-fri 09:00-18:00", 30},
			{"Hannah Cole", "America/Chicago", "mon-fri 08:00-17:00", 25},
		}},
	{name: "Customer Success", kind: "csm",
		manager: userSpec{"Grace Turner", "America/New_York", "mon-fri 09:00-17:00", 15},
		members: []userSpec{
			{"Noah Fischer", "Europe/Berlin", "mon-fri 08:00-16:30", 30},
			{"Maya Patel", "America/Chicago", "mon-fri 08:30-17:00", 30},
			{"Lucas Meyer", "America/New_York", "mon-fri 09:00-17:30", 30},
		}},
}

// The SDRs who show the routing edge cases: one on holiday, one who has left.
const (
	awaySDR     = "Aisha Khan"
	inactiveSDR = "Liam O'Connor"
)

// seedPeople creates the RevOps admin, then each team, its manager and members, and finally points
// the team at its manager (the team must exist before a user can join it).
func (s *seeder) seedPeople() error {
	admin := userSpec{"Priya Raman", "America/Chicago", "mon-fri 08:00-16:30", 0}
	if _, err := s.addUser(admin, "admin", "", "", "revops@"+Domain); err != nil {
		return err
	}
	for _, ts := range teamSpecs {
		rec, err := s.create("team", ts.name, map[string]any{"name": ts.name, "kind": ts.kind})
		if err != nil {
			return err
		}
		s.sum.Teams++
		teamID := rec.ID()
		mgr, err := s.addUser(ts.manager, "manager", teamID, ts.kind, "")
		if err != nil {
			return err
		}
		for _, m := range ts.members {
			if _, err := s.addUser(m, "rep", teamID, ts.kind, ""); err != nil {
				return err
			}
		}
		if err := s.update("team", teamID, map[string]any{"manager_id": mgr.id}); err != nil {
			return err
		}
	}
	return nil
}

func (s *seeder) addUser(spec userSpec, role, teamID, kind, email string) (*user, error) {
	if email == "" {
		first, last, _ := cutName(spec.name)
		email = s.email(first, last, Domain)
	}
	in := map[string]any{"name": spec.name, "email": email, "role": role, "timezone": spec.timezone,
		"working_hours": spec.hours}
	if teamID != "" {
		in["team_id"] = teamID
	}
	if spec.capacity > 0 {
		in["capacity"] = spec.capacity
	}
	u := &user{name: spec.name, email: email, team: teamID, role: role, kind: kind, timezone: spec.timezone, active: true}
	switch spec.name {
	case awaySDR:
		back := s.now.Add(4 * 24 * time.Hour).Truncate(24 * time.Hour).Add(8 * time.Hour)
		in["out_of_office_until"] = stamp(back)
		u.away = true
	case inactiveSDR:
		u.active = false // deactivated by seedDepartures, after the leads they worked exist
	}
	rec, err := s.create("user", email, in)
	if err != nil {
		return nil, err
	}
	u.id = rec.ID()
	s.users = append(s.users, u)
	s.sum.Users++
	return u, nil
}

// seedDepartures deactivates the people who have left, last: records are never given to a deactivated
// user, so their history is written while they are still active, as it was in life.
func (s *seeder) seedDepartures() error {
	for _, u := range s.users {
		if !u.active && u.role != "admin" {
			if err := s.update("user", u.id, map[string]any{"active": false}); err != nil {
				return err
			}
		}
	}
	return nil
}

func cutName(name string) (first, last string, ok bool) {
	i := strings.LastIndexByte(name, ' ')
	if i < 0 {
		return name, "", false
	}
	return name[:i], name[i+1:], true
}

// reps returns the active reps (not managers) of a team kind; withAway includes those out of office.
func (s *seeder) reps(kind string, withAway bool) []*user {
	var out []*user
	for _, u := range s.users {
		if u.kind == kind && u.role == "rep" && u.active && (withAway || !u.away) {
			out = append(out, u)
		}
	}
	return out
}

func (s *seeder) userNamed(name string) *user {
	for _, u := range s.users {
		if u.name == name {
			return u
		}
	}
	return nil
}
