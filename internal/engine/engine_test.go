package engine_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/salesflow/salesflow/internal/store"
)

const branching = `kind: workflow
name: intake
owner: revops@example.com
review_every: 90d
object: lead
trigger:
  on: lead.created
  when: lead.source == "web"
steps:
  - id: working
    action: set
    with: { status: working }
  - id: size
    if: lead.employees >= 100.0
    then:
      - action: set
        with: { title: "big {{ lead.company }}" }
    else:
      - action: set
        with: { title: small }
  - id: wait
    delay: { duration: 2h }
  - id: later
    action: set
    with: { country: DE }
`

func TestRunBranchesDelaysAndCompletes(t *testing.T) {
	eachDB(t, func(t *testing.T, db string) {
		h := newHarness(t, db)
		h.apply(branching)
		big := h.create("lead", map[string]any{"email": "a@acme.com", "company": "Acme", "source": "web", "employees": 500})
		small := h.create("lead", map[string]any{"email": "b@tiny.com", "company": "Tiny", "source": "web", "employees": 3})
		other := h.create("lead", map[string]any{"email": "c@else.com", "source": "event"})
		h.drain()

		runs := h.runs("intake")
		require.Len(t, runs, 2, "the filter keeps the event lead out")
		for _, r := range runs {
			require.Equal(t, store.RunWaiting, r.Status)
			require.Equal(t, "delay", r.WaitKind)
		}
		require.Equal(t, "working", h.get("lead", big.ID()).String("status"))
		require.Equal(t, "big Acme", h.get("lead", big.ID()).String("title"))
		require.Equal(t, "small", h.get("lead", small.ID()).String("title"))
		require.Equal(t, "new", h.get("lead", other.ID()).String("status"))

		h.advance(time.Hour)
		require.Equal(t, store.RunWaiting, h.runs("intake")[0].Status, "an hour is not two")

		h.advance(time.Hour + time.Second)
		for _, r := range h.runs("intake") {
			require.Equal(t, store.RunCompleted, r.Status, r.Error)
			steps := h.stepsByID(r.ID)
			require.Equal(t, "done", steps["wait"].Status)
			want := map[string]string{big.ID(): "then", small.ID(): "else"}[r.RecordID]
			require.Equal(t, want, chosen(steps["size"]))
			require.Equal(t, true, steps["size"].Decision["conditions"].([]any)[0].(map[string]any)["value"] == (want == "then"))
		}
		require.Equal(t, "DE", h.get("lead", big.ID()).String("country"))
	})
}

func chosen(s store.StepRecord) string {
	c, _ := s.Decision["chosen"].(string)
	return c
}
