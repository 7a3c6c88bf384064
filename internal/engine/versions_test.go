package engine_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/salesflow/salesflow/internal/definitions"
	"github.com/salesflow/salesflow/internal/store"
	"github.com/salesflow/salesflow/internal/workflow"
)

const versioned = `kind: workflow
name: nurture
owner: revops@example.com
review_every: 90d
object: lead
trigger: { on: lead.created }
steps:
  %s
  - id: wait
    delay: { duration: 1d }
  - id: stamp
    action: set
    with: { title: "%s" }
`

func TestWaitingRunsFinishMoveOrCancelOnApply(t *testing.T) {
	for _, policy := range []string{definitions.WaitingFinish, definitions.WaitingMove, definitions.WaitingCancel} {
		t.Run(policy, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, "sqlite")
			h.a.Definitions.SetRuntime(h.e)
			h.apply(sprintf(versioned, "", "v1"))
			lead := h.create("lead", map[string]any{"email": "v@acme.com"})
			h.drain()
			preview, err := h.e.Waiting(h.ctx, "nurture")
			require.NoError(t, err)
			require.Equal(t, []int{1, 1}, []int{len(preview), preview[0].Runs})
			require.Equal(t, "wait", preview[0].StepID)

			// version 2 adds a step before the wait: the wait moves from address 1 to 2, its id stays
			v2 := sprintf(versioned, "- { id: hello, action: set, with: { status: working } }", "v2")
			res, _, err := h.a.Definitions.ApplyWith(h.ctx, admin, []workflow.Source{{File: "v2.yaml", Content: []byte(v2)}},
				definitions.ApplyOptions{Waiting: policy})
			require.NoError(t, err)
			require.Equal(t, policy, res.Applied[0].Waiting["policy"])
			h.advance(25 * time.Hour)
			run := h.only("nurture")
			title := h.get("lead", lead.ID()).String("title")
			switch policy {
			case definitions.WaitingFinish:
				require.Equal(t, 1, run.Version)
				require.Equal(t, "v1", title)
			case definitions.WaitingMove:
				require.Equal(t, 1, res.Applied[0].Waiting["moved"])
				require.Equal(t, 2, run.Version)
				require.Equal(t, "v2", title)
				require.Equal(t, "new", h.get("lead", lead.ID()).String("status"), "a moved run goes on from its step, not from the start")
			case definitions.WaitingCancel:
				require.Equal(t, store.RunCancelled, run.Status)
				require.Empty(t, title)
			}
		})
	}
}
