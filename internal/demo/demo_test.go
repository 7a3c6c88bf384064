package demo_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/salesflow/salesflow/internal/app/apptest"
	"github.com/salesflow/salesflow/internal/auth"
	"github.com/salesflow/salesflow/internal/crm"
	"github.com/salesflow/salesflow/internal/demo"
	"github.com/salesflow/salesflow/internal/records"
	"github.com/salesflow/salesflow/internal/store"
)

func openSQLite(t testing.TB) *store.Store { return apptest.Open(t, "sqlite").Store }

func BenchmarkSeed(b *testing.B) {
	for b.Loop() {
		b.StopTimer()
		svc := crm.New(openSQLite(b), records.NewCatalog(), nil)
		b.StartTimer()
		_, err := demo.Seed(b.Context(), svc)
		require.NoError(b, err)
	}
}

func openPostgres(t testing.TB) *store.Store { return apptest.Open(t, "postgres").Store }

func TestSeed(t *testing.T) {
	t.Parallel()
	for name, open := range map[string]func(testing.TB) *store.Store{"sqlite": openSQLite, "postgres": openPostgres} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			testSeed(t, open(t))
		})
	}
}

func testSeed(t *testing.T, st *store.Store) {
	ctx := t.Context()
	svc := crm.New(st, records.NewCatalog(), nil)

	start := time.Now()
	sum, err := demo.Seed(ctx, svc)
	t.Logf("%s: seeded in %v: %+v", st.Dialect().Name, time.Since(start), sum)
	require.NoError(t, err)
	require.True(t, sum.Seeded)

	require.GreaterOrEqual(t, sum.Users, 12)
	require.Equal(t, 3, sum.Teams)
	require.GreaterOrEqual(t, sum.Accounts, 50)
	require.GreaterOrEqual(t, sum.Contacts, 100)
	require.GreaterOrEqual(t, sum.Leads, 200)
	require.GreaterOrEqual(t, sum.Deals, 30)
	require.GreaterOrEqual(t, sum.Activities, 400)
	require.GreaterOrEqual(t, sum.Tasks, 80)

	counts := countAll(t, svc)
	require.Equal(t, map[string]int{
		"user": sum.Users, "team": sum.Teams, "account": sum.Accounts, "contact": sum.Contacts, "lead": sum.Leads,
		"deal": sum.Deals, "activity": sum.Activities, "task": sum.Tasks, "pipeline": 2,
	}, without(counts, "events", "created_events"))
	total := sum.Users + sum.Teams + sum.Accounts + sum.Contacts + sum.Leads + sum.Deals + sum.Activities + sum.Tasks + 2
	require.Equal(t, total, counts["created_events"], "every record has its created event")

	checkTeams(t, svc)
	checkVariety(t, svc)

	again, err := demo.Seed(ctx, svc)
	require.NoError(t, err)
	require.Equal(t, demo.Summary{}, again)
	require.Equal(t, counts, countAll(t, svc), "a second Seed writes nothing")
}

func without(m map[string]int, keys ...string) map[string]int {
	out := map[string]int{}
	for k, v := range m {
		if !slices.Contains(keys, k) {
			out[k] = v
		}
	}
	return out
}

// countAll counts every object's records and the events, in one read.
func countAll(t *testing.T, svc *crm.Service) map[string]int {
	t.Helper()
	out := map[string]int{}
	err := svc.Store().Read(t.Context(), func(tx *store.Tx) error {
		for _, o := range svc.Catalog().All() {
			n, err := tx.Count(t.Context(), o)
			if err != nil {
				return err
			}
			out[o.Name] = n
		}
		var events, created int
		if err := tx.SQL().QueryRowContext(t.Context(), `SELECT COUNT(*) FROM events`).Scan(&events); err != nil {
			return err
		}
		if err := tx.SQL().QueryRowContext(t.Context(), `SELECT COUNT(*) FROM events WHERE kind = 'created'`).Scan(&created); err != nil {
			return err
		}
		out["events"], out["created_events"] = events, created
		return nil
	})
	require.NoError(t, err)
	return out
}

func list(t *testing.T, svc *crm.Service, object string) []records.Values {
	t.Helper()
	recs, next, err := svc.List(t.Context(), object, store.ListQuery{Sort: "created_at", Limit: 5000})
	require.NoError(t, err)
	require.Nil(t, next)
	return recs
}

// checkTeams checks that each team has a manager with the manager role who is a member of it.
func checkTeams(t *testing.T, svc *crm.Service) {
	t.Helper()
	users := map[string]records.Values{}
	for _, u := range list(t, svc, "user") {
		users[u.ID()] = u
	}
	kinds := map[string]bool{}
	for _, tm := range list(t, svc, "team") {
		kinds[tm.String("kind")] = true
		m, ok := users[tm.String("manager_id")]
		require.True(t, ok, "team %s has a manager", tm.String("name"))
		require.Equal(t, "manager", m.String("role"), "manager of %s", tm.String("name"))
		require.Equal(t, tm.ID(), m.String("team_id"), "the manager of %s is a member", tm.String("name"))
	}
	require.Equal(t, map[string]bool{"sdr": true, "ae": true, "csm": true}, kinds)

	var admins, away, inactive int
	for _, u := range users {
		switch {
		case u.String("role") == "admin":
			admins++
		case u["active"] == false:
			inactive++
		case u["out_of_office_until"] != nil:
			away++
		}
	}
	require.Equal(t, 1, admins)
	require.Equal(t, 1, away)
	require.Equal(t, 1, inactive)
}

// checkVariety checks that the data covers the states a demo should show.
func checkVariety(t *testing.T, svc *crm.Service) {
	t.Helper()
	statuses, unassigned, freeMail, matched := map[string]bool{}, 0, 0, 0
	domains := map[string]bool{}
	for _, a := range list(t, svc, "account") {
		domains[a.String("domain")] = true
	}
	for _, l := range list(t, svc, "lead") {
		statuses[l.String("status")] = true
		if l["owner_id"] == nil {
			unassigned++
		}
		switch d := l.String("company_domain"); {
		case d == "":
			freeMail++
		case domains[d]:
			matched++
		}
	}
	require.GreaterOrEqual(t, len(statuses), 5, "lead statuses %v", statuses)
	require.Positive(t, unassigned, "some leads are unassigned")
	require.Positive(t, freeMail, "some leads use personal addresses")
	require.Positive(t, matched, "some leads match accounts")

	stages := map[string]bool{}
	for _, d := range list(t, svc, "deal") {
		stages[d.String("stage")] = true
	}
	require.GreaterOrEqual(t, len(stages), 5, "deal stages %v", stages)

	taskStatuses := map[string]int{}
	for _, tk := range list(t, svc, "task") {
		taskStatuses[tk.String("status")]++
	}
	require.Len(t, taskStatuses, len(records.TaskStatuses), "task statuses %v", taskStatuses)

	types := map[string]bool{}
	for _, a := range list(t, svc, "activity") {
		types[a.String("type")] = true
	}
	require.GreaterOrEqual(t, len(types), 8, "activity types %v", types)

	settings, err := svc.Settings(t.Context())
	require.NoError(t, err)
	p, err := svc.Get(t.Context(), "pipeline", settings[crm.SettingDefaultPipeline])
	require.NoError(t, err)
	require.Equal(t, "New business", p.String("name"))
}

// TestSeedNotEmpty checks that a database somebody has started to set up (a pipeline, no users yet)
// is left alone.
func TestSeedNotEmpty(t *testing.T) {
	t.Parallel()
	svc := crm.New(openSQLite(t), records.NewCatalog(), nil)
	admin := auth.Actor{Kind: auth.KindAdminToken, Role: auth.Admin}
	_, err := svc.Create(t.Context(), admin, "pipeline", map[string]any{"name": "New business", "stages": []any{"Open", "Won"}})
	require.NoError(t, err)
	sum, err := demo.Seed(t.Context(), svc)
	require.NoError(t, err)
	require.False(t, sum.Seeded)
	require.Empty(t, list(t, svc, "lead"))
}

// TestSeedAllOrNothing cancels a seed part-way: either it committed everything or nothing is left.
func TestSeedAllOrNothing(t *testing.T) {
	t.Parallel()
	svc := crm.New(openSQLite(t), records.NewCatalog(), nil)
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Millisecond)
	defer cancel()
	sum, err := demo.Seed(ctx, svc)
	counts := countAll(t, svc)
	if err == nil { // a very fast machine
		require.Equal(t, sum.Leads, counts["lead"])
		return
	}
	t.Logf("cancelled: %v", err)
	for object, n := range counts {
		require.Zero(t, n, "%s left behind by a cancelled seed", object)
	}
}

// TestSeedDeterministic checks that two empty databases get the same organisation.
func TestSeedDeterministic(t *testing.T) {
	t.Parallel()
	var emails [2][]string
	for i := range emails {
		svc := crm.New(openSQLite(t), records.NewCatalog(), nil)
		_, err := demo.Seed(t.Context(), svc)
		require.NoError(t, err)
		for _, l := range list(t, svc, "lead") {
			emails[i] = append(emails[i], l.String("email"))
		}
		slices.Sort(emails[i])
	}
	require.Equal(t, emails[0], emails[1])
}
