package routing

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/salesflow/salesflow/internal/bizcal"
	"github.com/salesflow/salesflow/internal/expr"
	"github.com/salesflow/salesflow/internal/records"
	"github.com/salesflow/salesflow/internal/workflow"
)

// team is an in-memory People: the pure decision logic under test needs people, not a database.
type team struct {
	members []Person
	byID    map[string]Person
}

func newTeam(ps ...Person) *team {
	t := &team{members: ps, byID: map[string]Person{}}
	for _, p := range ps {
		t.byID[p.ID] = p
	}
	return t
}

func (t *team) Team(context.Context, string, string) ([]Person, error) { return t.members, nil }
func (t *team) User(_ context.Context, id string) (Person, error) {
	p, ok := t.byID[id]
	if !ok {
		return Person{}, fmt.Errorf("no user %s", id)
	}
	return p, nil
}

func rep(name string) Person {
	return Person{ID: "u-" + name, Email: name + "@x.com", Name: name, Active: true}
}

func compile(t *testing.T, src string) *Ruleset {
	t.Helper()
	l, err := workflow.NewLinter(records.NewCatalog(), nil, nil)
	require.NoError(t, err)
	defs, diags := l.Lint(context.Background(), []workflow.Source{{File: "r.yaml", Content: []byte(src)}})
	require.False(t, workflow.HasErrors(diags), "%v", diags)
	rs, err := Compile(defs[0], 1)
	require.NoError(t, err)
	return rs
}

func pool(method, extra, poolRules string) string {
	return "kind: routing\nname: t\nrules:\n  - name: all\n    pool: { team: SDR, method: " + method + extra + " }\n" + poolRules + "fallback: { queue: inbound, notify: ops@x.com }\n"
}

var monday10 = time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)

func lead() expr.Vars {
	return expr.Vars{"lead": map[string]any{"country": "US", "employees": 50.0, "matched_account": nil}}
}

// route routes n records in turn, carrying the state and today's counts, and returns who got each.
func route(t *testing.T, rs *Ruleset, tm *team, st State, now time.Time, n int) []string {
	t.Helper()
	var got []string
	for range n {
		d, err := rs.Decide(context.Background(), lead(), tm, st, now)
		require.NoError(t, err)
		if d.UserID == "" {
			got = append(got, "queue:"+d.Queue)
			continue
		}
		got = append(got, tm.byID[d.UserID].Name)
		for i := range tm.members {
			if tm.members[i].ID == d.UserID {
				tm.members[i].AssignedToday++
				tm.members[i].Load++
			}
		}
	}
	return got
}

func TestRoundRobinTakesTurnsInEmailOrder(t *testing.T) {
	rs := compile(t, pool("round_robin", "", ""))
	got := route(t, rs, newTeam(rep("cy"), rep("al"), rep("bo")), State{}, monday10, 7)
	require.Equal(t, []string{"al", "bo", "cy", "al", "bo", "cy", "al"}, got)
}

func TestRoundRobinSkipsTheAwayAndResumesWithoutCatchUp(t *testing.T) {
	rs := compile(t, pool("round_robin", "", "pool_rules: { skip_out_of_office: true }\n"))
	bo := rep("bo")
	bo.AwayUntil = monday10.Add(time.Hour)
	tm := newTeam(rep("al"), bo, rep("cy"))
	st := State{}
	require.Equal(t, []string{"al", "cy", "al", "cy"}, route(t, rs, tm, st, monday10, 4))
	// bo is back: the rotation goes on from cy → al → bo → cy; bo gets one turn per round, no flood.
	back := monday10.Add(2 * time.Hour)
	require.Equal(t, []string{"al", "bo", "cy", "al", "bo", "cy"}, route(t, rs, tm, st, back, 6))

	d, err := rs.Decide(context.Background(), lead(), tm, State{}, monday10)
	require.NoError(t, err)
	require.Contains(t, d.Trace.Summary, "bo is out of office until Mon 23 Nov 2026 11:00 UTC")
	week, err := bizcal.ParseWorkingHours("mon-fri 09:00-17:00")
	require.NoError(t, err)
	bo.Hours, err = bizcal.New(mustZone(t, "Europe/Berlin"), week, nil)
	require.NoError(t, err)
	d, err = rs.Decide(context.Background(), lead(), newTeam(rep("al"), bo, rep("cy")), State{}, monday10)
	require.NoError(t, err)
	require.Contains(t, d.Trace.Summary, "bo is out of office until Mon 23 Nov 2026 12:00 Europe/Berlin", "in the zone of the rep's hours")
	bo.Zone = mustZone(t, "Asia/Tokyo")
	d, err = rs.Decide(context.Background(), lead(), newTeam(rep("al"), bo, rep("cy")), State{}, monday10)
	require.NoError(t, err)
	require.Contains(t, d.Trace.Summary, "bo is out of office until Mon 23 Nov 2026 20:00 Asia/Tokyo", "in the rep's own zone first")
}

func TestWeightedGivesTurnsInProportionInterleaved(t *testing.T) {
	rs := compile(t, pool("weighted", ", weights: { \"al@x.com\": 2, \"bo@x.com\": 1 }", ""))
	got := route(t, rs, newTeam(rep("al"), rep("bo")), State{}, monday10, 6)
	require.Equal(t, []string{"al", "bo", "al", "al", "bo", "al"}, got)
}

func TestWeightedReturnerDoesNotCashInMissedTurns(t *testing.T) {
	rs := compile(t, pool("weighted", ", weights: { \"al@x.com\": 1, \"bo@x.com\": 1 }", "pool_rules: { skip_out_of_office: true }\n"))
	bo := rep("bo")
	bo.AwayUntil = monday10.Add(time.Hour)
	tm := newTeam(rep("al"), bo)
	st := State{}
	require.Equal(t, []string{"al", "al", "al"}, route(t, rs, tm, st, monday10, 3))
	require.Equal(t, []string{"al", "bo", "al", "bo"}, route(t, rs, tm, st, monday10.Add(2*time.Hour), 4), "alternating from the return: no run of missed turns")
}

func TestLeastLoadedPicksLowestLoadAndBreaksTiesByRotation(t *testing.T) {
	rs := compile(t, pool("least_loaded", ", load: open_tasks", ""))
	al, bo, cy := rep("al"), rep("bo"), rep("cy")
	al.Load, bo.Load, cy.Load = 5, 2, 2
	got := route(t, rs, newTeam(al, bo, cy), State{}, monday10, 5)
	require.Equal(t, []string{"bo", "cy", "bo", "cy", "bo"}, got) // then al(5), bo(5), cy(4)…
}

func TestLeastLoadedReturnerRejoinsAtRotationPace(t *testing.T) {
	rs := compile(t, pool("least_loaded", "", "pool_rules: { skip_out_of_office: true }\n"))
	al, bo, cy := rep("al"), rep("bo"), rep("cy")
	al.Load, bo.Load = 10, 10
	cy.AwayUntil = monday10.Add(-time.Hour) // back an hour ago with nothing open
	got := route(t, rs, newTeam(al, bo, cy), State{}, monday10, 6)
	require.Equal(t, []string{"al", "bo", "cy", "al", "bo", "cy"}, got, "cy counts as 10 (the lowest of the others), not 0: no run of ten in a row")
}

func TestDailyCapAndFallbackQueue(t *testing.T) {
	rs := compile(t, pool("round_robin", "", "pool_rules: { daily_cap: 2 }\n"))
	got := route(t, rs, newTeam(rep("al"), rep("bo")), State{}, monday10, 5)
	require.Equal(t, []string{"al", "bo", "al", "bo", "queue:inbound"}, got)
	tm := newTeam(rep("al"))
	tm.members[0].AssignedToday = 2
	d, err := rs.Decide(context.Background(), lead(), tm, State{}, monday10)
	require.NoError(t, err)
	require.Equal(t, "inbound", d.Queue)
	require.Equal(t, "ops@x.com", d.Trace.Notified)
	require.Contains(t, d.Trace.Summary, "reached the daily cap (2 of 2 today)")
	require.Contains(t, d.Trace.Summary, "waits in the inbound queue and ops@x.com was told")
}

func TestWorkingHoursInEachRepsZone(t *testing.T) {
	rs := compile(t, pool("round_robin", "", "pool_rules: { respect_working_hours: true, after_hours: queue }\n"))
	week, err := bizcal.ParseWorkingHours("mon-fri 09:00-17:00")
	require.NoError(t, err)
	berlin, _ := time.LoadLocation("Europe/Berlin")
	ny, _ := time.LoadLocation("America/New_York")
	al, bo := rep("al"), rep("bo")
	al.Hours, _ = bizcal.New(berlin, week, nil)
	bo.Hours, _ = bizcal.New(ny, week, []bizcal.Date{{Year: 2026, Month: 11, Day: 26}})
	al.HoursText, bo.HoursText = "mon-fri 09:00-17:00 Europe/Berlin", "mon-fri 09:00-17:00 America/New_York"
	tm := newTeam(al, bo)
	// 10:00 UTC: 11:00 in Berlin (open), 05:00 in New York (closed).
	require.Equal(t, []string{"al", "al"}, route(t, rs, tm, State{}, monday10, 2))
	// 15:00 UTC: both open.
	require.Equal(t, []string{"al", "bo"}, route(t, rs, tm, State{}, monday10.Add(5*time.Hour), 2))
	// Thanksgiving (a holiday in bo's calendar) at 15:00 UTC: only al.
	require.Equal(t, []string{"al", "al"}, route(t, rs, tm, State{}, time.Date(2026, 11, 26, 15, 0, 0, 0, time.UTC), 2))
	// Saturday: nobody; the fallback queue.
	require.Equal(t, []string{"queue:inbound"}, route(t, rs, tm, State{}, time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC), 1))
	// The trace says when each is next open, in their own zone.
	d, err := rs.Decide(context.Background(), lead(), tm, State{}, monday10)
	require.NoError(t, err)
	require.Contains(t, d.Trace.Summary, "bo is outside working hours (mon-fri 09:00-17:00 America/New_York; next Mon 23 Nov 2026 09:00 America/New_York)")
}

func mustZone(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	require.NoError(t, err)
	return loc
}

const rules = `kind: routing
name: inbound
rules:
  - name: existing-account
    when: lead.matched_account != null && lead.matched_account.owner.active
    assign: lead.matched_account.owner
  - name: emea
    when: lead.country in ["DE", "FR"]
    pool: { team: SDR, method: round_robin }
  - name: rest
    pool: { team: SDR, method: round_robin }
pool_rules: { skip_out_of_office: true }
fallback: { queue: inbound }
`

func TestFirstMatchingRuleWinsAndTheTraceSaysWhy(t *testing.T) {
	rs := compile(t, rules)
	owner := rep("owner")
	tm := newTeam(rep("al"), owner)
	acct := map[string]any{"id": "a1", "owner": map[string]any{"id": owner.ID, "active": true}}
	d, err := rs.Decide(context.Background(), expr.Vars{"lead": map[string]any{"country": "US", "matched_account": acct}}, tm, State{}, monday10)
	require.NoError(t, err)
	require.Equal(t, owner.ID, d.UserID)
	require.Equal(t, "existing-account", d.Rule)
	require.Equal(t, "the rule names lead.matched_account.owner", d.Trace.Chosen.Why)

	d, err = rs.Decide(context.Background(), expr.Vars{"lead": map[string]any{"country": "DE", "matched_account": nil}}, tm, State{}, monday10)
	require.NoError(t, err)
	require.Equal(t, "emea", d.Rule)
	require.False(t, d.Trace.Rules[0].Held)
	require.Contains(t, d.Trace.Summary, "Rules existing-account did not match. Rule emea matched; 2 of 2 in SDR were available. Chose al")

	// The account owner is away: the rule gives way to the next.
	owner.AwayUntil = monday10.Add(24 * time.Hour)
	tm = newTeam(rep("al"), owner)
	d, err = rs.Decide(context.Background(), expr.Vars{"lead": map[string]any{"country": "US", "matched_account": acct}}, tm, State{}, monday10)
	require.NoError(t, err)
	require.Equal(t, "rest", d.Rule)
	require.Contains(t, d.Trace.Rules[0].Note, "is out of office until")
}

func TestConcurrentShareIsExactWithSharedState(t *testing.T) {
	// The engine serialises decisions on the ruleset's state row; given that, 200 records through four
	// reps give exactly 50 each.
	rs := compile(t, pool("round_robin", "", ""))
	tm := newTeam(rep("a"), rep("b"), rep("c"), rep("d"))
	count := map[string]int{}
	for _, who := range route(t, rs, tm, State{}, monday10, 200) {
		count[who]++
	}
	require.Equal(t, map[string]int{"a": 50, "b": 50, "c": 50, "d": 50}, count)
}

func TestAfterHoursSharesTheNightsLeads(t *testing.T) {
	rs := compile(t, pool("round_robin", "", "pool_rules: { respect_working_hours: true, skip_out_of_office: true }\n"))
	week, err := bizcal.ParseWorkingHours("mon-fri 09:00-17:00")
	require.NoError(t, err)
	berlin, _ := time.LoadLocation("Europe/Berlin")
	ny, _ := time.LoadLocation("America/New_York")
	al, bo, cy := rep("al"), rep("bo"), rep("cy")
	al.Hours, _ = bizcal.New(ny, week, nil)
	bo.Hours, _ = bizcal.New(berlin, week, nil)
	cy.Hours, _ = bizcal.New(berlin, week, nil)
	cy.AwayUntil = time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	// Saturday noon UTC: nobody works. The rotation shares the leads among those not away.
	sat := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	require.Equal(t, []string{"al", "bo", "al", "bo"}, route(t, rs, newTeam(al, bo, cy), State{}, sat, 4))
	d, err := rs.Decide(context.Background(), lead(), newTeam(al, bo, cy), State{}, sat)
	require.NoError(t, err)
	require.Contains(t, d.Trace.Chosen.Why, "nobody was within their working hours, so hours were set aside")
	require.Contains(t, d.Trace.Summary, "cy is out of office")
}
