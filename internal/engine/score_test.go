package engine_test

import (
	"testing"

	"github.com/stretchr/testify/require"
)

const fitModel = `kind: scoring
name: fit
fit:
  - when: lead.title.matches("(?i)\\bvp\\b")
    points: 20
  - when: lead.employees >= 200.0
    points: 15
  - when: is_free_mail(lead.email)
    points: -25
engagement:
  half_life: 30d
  rules:
    - on: activity.type == "form_submitted" && activity.form == "demo_request"
      points: 30
grades: { A: 60, B: 30 }
thresholds:
  - { name: mql, at: 60 }
`

func TestScoreActionStoresBreakdownAndCrossingTriggersWorkflows(t *testing.T) {
	eachDB(t, func(t *testing.T, db string) {
		h := newHarness(t, db)
		h.apply(fitModel)
		h.apply(`kind: workflow
name: score-new
owner: revops@example.com
review_every: 90d
object: lead
trigger: { on: lead.created }
steps:
  - id: score
    action: score
    with: { model: fit }
  - if: steps.score.grade == "A"
    then:
      - action: set
        with: { status: working }
`)
		h.apply(`kind: workflow
name: became-mql
owner: revops@example.com
review_every: 90d
object: lead
trigger: { on: lead.score_crossed, threshold: mql }
steps:
  - action: set
    with: { qualification_notes: "MQL at {{ event.score }}" }
`)
		vp := h.create("lead", map[string]any{"email": "vp@acme.com", "title": "VP Sales", "employees": 500.0})
		free := h.create("lead", map[string]any{"email": "someone@gmail.com", "title": "Student"})
		h.drain()

		got := h.get("lead", vp.ID())
		require.Equal(t, 35.0, got["score"])
		require.Equal(t, "B", got["score_grade"])
		require.Equal(t, "fit", got["score_model"])
		bd := got["score_breakdown"].(map[string]any)
		lines := bd["lines"].([]any)
		require.Len(t, lines, 2)
		require.Equal(t, `lead.title.matches("(?i)\\bvp\\b")`, lines[0].(map[string]any)["rule"])
		require.Equal(t, 20.0, lines[0].(map[string]any)["points"])
		require.Equal(t, "new", got["status"], "grade B: the branch did not run")

		require.Equal(t, -25.0, h.get("lead", free.ID())["score"], "a free-mail lead scores below")
		require.Empty(t, h.runs("became-mql"))

		// A demo request is an activity: the lead is rescored (35 + 30 = 65), crosses mql, and the
		// threshold workflow runs.
		h.create("activity", map[string]any{"type": "form_submitted", "form": "demo_request", "record_type": "lead", "record_id": vp.ID()})
		h.drain()
		got = h.get("lead", vp.ID())
		require.Equal(t, 65.0, got["score"])
		require.Equal(t, "A", got["score_grade"])
		run := h.only("became-mql")
		require.Equal(t, "completed", run.Status)
		require.Equal(t, "MQL at 65", got.String("qualification_notes"))

		// A change to a field the model reads rescores too; a change to another field does not.
		h.update("lead", vp.ID(), map[string]any{"employees": 50.0})
		h.drain()
		require.Equal(t, 50.0, h.get("lead", vp.ID())["score"])
		h.update("lead", vp.ID(), map[string]any{"phone": "+14155550100"})
		h.drain()
		before := h.get("lead", vp.ID())["updated_at"]
		_, err := h.e.Score(h.ctx, admin, "fit", vp.ID())
		require.NoError(t, err)
		require.Equal(t, before, h.get("lead", vp.ID())["updated_at"], "the same score again writes nothing")
		require.Len(t, h.runs("became-mql"), 1, "falling below and staying there crosses nothing")
	})
}
