package engine_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/salesflow/salesflow/internal/store"
)

const qualifiedFlow = `kind: workflow
name: qualified
owner: revops@example.com
review_every: 90d
object: lead
trigger:
  on: lead.updated
  when: lead.status == "qualified"
  match: %s
reenroll: %s
steps:
  - action: log_activity
    with: { type: note, subject: "qualified: {{ lead.email }}" }
`

func TestEdgeAndLevelTriggersWithReenrollment(t *testing.T) {
	cases := []struct {
		match, reenroll string
		want            int // runs after: qualify, touch while qualified, unqualify, qualify again
	}{
		{"edge", "always", 2},  // became true twice
		{"level", "always", 3}, // true on three updates (the unqualify update is false)
		{"edge", "never", 1},   // the second becoming-true is refused by the rule
		{"level", "after_exit", 3},
	}
	for _, c := range cases {
		t.Run(c.match+"/"+c.reenroll, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, "sqlite")
			h.apply(sprintf(qualifiedFlow, c.match, c.reenroll))
			lead := h.create("lead", map[string]any{"email": "q@acme.com"})
			for _, patch := range []map[string]any{{"status": "qualified"}, {"title": "CTO"}, {"status": "working"}, {"status": "qualified"}} {
				h.update("lead", lead.ID(), patch)
				h.drain()
			}
			require.Len(t, h.runs("qualified"), c.want)
			x, err := h.e.Explain(h.ctx, "lead", lead.ID(), "qualified")
			require.NoError(t, err)
			require.Len(t, x.Decisions, 4, "one decision per update")
			for _, d := range x.Decisions {
				require.NotEmpty(t, d.Reason)
				require.Equal(t, c.reenroll, d.Details["reenroll"], "every decision names the rule, enrolled or not")
			}
		})
	}
}

func TestExplainSaysWhyNot(t *testing.T) {
	h := newHarness(t, "sqlite")
	h.apply(sprintf(qualifiedFlow, "edge", "never"))
	lead := h.create("lead", map[string]any{"email": "w@acme.com"})
	x, err := h.e.Explain(h.ctx, "lead", lead.ID(), "qualified")
	require.NoError(t, err)
	require.Contains(t, x.Summary, "no lead.updated trigger has fired")
	require.Equal(t, false, x.FilterNow["value"])

	h.update("lead", lead.ID(), map[string]any{"title": "VP"})
	h.drain()
	x, err = h.e.Explain(h.ctx, "lead", lead.ID(), "qualified")
	require.NoError(t, err)
	require.Contains(t, x.Summary, "the filter (when) is false")
	require.Equal(t, `lead.status == "qualified"`, x.Decisions[0].Details["when"])
	require.Equal(t, false, x.Decisions[0].Details["when_value"])
}

const pingPong = `kind: workflow
name: ping
owner: revops@example.com
review_every: 90d
object: lead
trigger: { on: lead.updated, changed: title }
reenroll: always
steps:
  - action: set
    with: { title: "{{ lead.title }}+" }
`

func TestLoopGuardStopsASelfTriggeringChain(t *testing.T) {
	eachDB(t, func(t *testing.T, db string) {
		h := newHarness(t, db)
		h.apply(pingPong)
		lead := h.create("lead", map[string]any{"email": "loop@acme.com"})
		h.update("lead", lead.ID(), map[string]any{"title": "x"})
		h.drain()
		runs := h.runs("ping")
		require.Len(t, runs, 6, "the person's change and a chain of 5 workflow-caused runs")
		require.Equal(t, "x++++++", h.get("lead", lead.ID()).String("title"))
		last := runs[0]
		require.Equal(t, 5, last.Depth)
		notes := h.stepsByID(last.ID)
		require.Equal(t, "blocked", notes["loop_guard"].Status, "the breach is in the history of the run that caused it")
		require.Contains(t, notes["loop_guard"].Error, "loop guard")
		x, err := h.e.Explain(h.ctx, "lead", lead.ID(), "ping")
		require.NoError(t, err)
		require.Contains(t, x.Decisions[0].Reason, "loop guard")
		for _, r := range runs {
			require.Equal(t, store.RunCompleted, r.Status)
		}
	})
}
