package engine_test

import (
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/salesflow/salesflow/internal/records"
)

const roundRobin = `kind: routing
name: sdr-rr
rules:
  - name: big
    when: lead.employees >= 1000.0
    pool: { team: AE, method: round_robin }
  - name: everyone
    pool: { team: SDR, method: round_robin }
pool_rules: { skip_out_of_office: true }
fallback: { queue: unassigned, notify: revops@example.com }
`

// team creates a team with n reps and returns their ids in email order.
func (h *harness) team(name string, emails ...string) []string {
	h.t.Helper()
	tm := h.create("team", map[string]any{"name": name})
	var ids []string
	for _, e := range emails {
		u := h.create("user", map[string]any{"email": e, "name": e[:len(e)-len("@example.com")], "team_id": tm.ID()})
		ids = append(ids, u.ID())
	}
	return ids
}

func TestRoutingTwoHundredConcurrentLeadsGiveFiftyEach(t *testing.T) {
	eachDB(t, func(t *testing.T, db string) {
		h := newHarness(t, db)
		reps := h.team("SDR", "a@example.com", "b@example.com", "c@example.com", "d@example.com")
		h.team("AE", "ae@example.com")
		h.apply(roundRobin)
		leads := make([]records.Values, 200)
		for i := range leads {
			leads[i] = h.create("lead", map[string]any{"email": sprintf("l%d@acme.com", i), "employees": 10.0})
		}
		var wg sync.WaitGroup
		errs := make(chan error, len(leads))
		for _, l := range leads {
			wg.Go(func() {
				_, err := h.e.Route(h.ctx, admin, "sdr-rr", "lead", l.ID(), false)
				errs <- err
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			require.NoError(t, err)
		}
		count := map[string]int{}
		for _, l := range leads {
			count[h.get("lead", l.ID()).String("owner_id")]++
		}
		require.Equal(t, map[string]int{reps[0]: 50, reps[1]: 50, reps[2]: 50, reps[3]: 50}, count)
	})
}

// routeNew routes every new lead with the sdr-rr ruleset (roundRobin).
const routeNew = `kind: workflow
name: route-new
owner: revops@example.com
review_every: 90d
object: lead
trigger: { on: lead.created }
steps:
  - id: route
    action: assign
    with: { routing: sdr-rr }
`

func TestAssignActionRoutesWithATraceAndFallsBackToTheQueue(t *testing.T) {
	eachDB(t, func(t *testing.T, db string) {
		h := newHarness(t, db)
		reps := h.team("SDR", "a@example.com", "b@example.com")
		h.team("AE") // nobody in it
		h.apply(roundRobin)
		h.apply(routeNew + "  - action: set\n    with: { status: working }\n")
		small := h.create("lead", map[string]any{"email": "s@acme.com", "employees": 10.0})
		big := h.create("lead", map[string]any{"email": "b@globex.com", "employees": 5000.0})
		h.drain()

		got := h.get("lead", small.ID())
		require.Equal(t, reps[0], got.String("owner_id"))
		require.Equal(t, "working", got.String("status"))
		as, err := h.e.Assignments(h.ctx, "lead", small.ID())
		require.NoError(t, err)
		require.Len(t, as, 1)
		require.Equal(t, "everyone", as[0].Rule)
		require.Contains(t, as[0].Trace["summary"], "Rule everyone matched; 2 of 2 in SDR were available. Chose a: next in the rotation")

		// The big lead matches the AE rule, whose team is empty, then the SDR rule takes it — the trace says so.
		got = h.get("lead", big.ID())
		require.Equal(t, reps[1], got.String("owner_id"))
		as, err = h.e.Assignments(h.ctx, "lead", big.ID())
		require.NoError(t, err)
		require.Contains(t, as[0].Trace["summary"], "Chose b")
		rules := as[0].Trace["rules"].([]any)
		require.Equal(t, "big", rules[0].(map[string]any)["name"])
		require.Contains(t, rules[0].(map[string]any)["note"], "nobody in AE can take it now")

		steps := h.stepsByID(h.runs("route-new")[0].ID)
		require.Equal(t, "done", steps["route"].Status)
		require.Contains(t, steps["route"].Output["why"], "Chose")

		// Everyone away: the fallback queue, and revops is told by email (a queued mail job).
		for _, id := range reps {
			h.update("user", id, map[string]any{"out_of_office_until": h.now().Add(48 * 3600e9).Format("2006-01-02T15:04:05Z")})
		}
		lost := h.create("lead", map[string]any{"email": "l@initech.com", "employees": 10.0})
		h.drain()
		got = h.get("lead", lost.ID())
		require.Nil(t, got["owner_id"])
		require.Equal(t, "unassigned", got.String("routing_queue"))
		as, err = h.e.Assignments(h.ctx, "lead", lost.ID())
		require.NoError(t, err)
		require.Contains(t, as[0].Trace["summary"], "waits in the unassigned queue and revops@example.com was told")
		require.Contains(t, as[0].Trace["summary"], "a is out of office until")

		// Back from the absence: routed again, the queue is cleared.
		for _, id := range reps {
			h.update("user", id, map[string]any{"out_of_office_until": nil})
		}
		r, err := h.e.Route(h.ctx, admin, "sdr-rr", "lead", lost.ID(), false)
		require.NoError(t, err)
		require.NotEmpty(t, r.UserID)
		got = h.get("lead", lost.ID())
		require.Nil(t, got["routing_queue"])
	})
}

func TestDryRunRoutingChangesNothing(t *testing.T) {
	eachDB(t, func(t *testing.T, db string) {
		h := newHarness(t, db)
		reps := h.team("SDR", "a@example.com", "b@example.com")
		h.team("AE")
		h.apply(roundRobin)
		l := h.create("lead", map[string]any{"email": "s@acme.com"})
		for range 3 {
			r, err := h.e.Route(h.ctx, admin, "sdr-rr", "lead", l.ID(), true)
			require.NoError(t, err)
			require.Equal(t, reps[0], r.UserID, "a dry run takes nobody's turn")
			require.True(t, r.Trace.DryRun)
		}
		require.Nil(t, h.get("lead", l.ID())["owner_id"])
		as, err := h.e.Assignments(h.ctx, "lead", l.ID())
		require.NoError(t, err)
		require.Empty(t, as)
	})
}
