package engine_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/salesflow/salesflow/internal/definitions"
	"github.com/salesflow/salesflow/internal/engine"
	"github.com/salesflow/salesflow/internal/store"
	"github.com/salesflow/salesflow/internal/workflow"
)

var calUser = leadFlow("zz-cal", "{ on: lead.created }", `  - id: wait
    delay: { duration: 1d }
  - id: check
    if: %s
    then: [{ action: set, with: { status: working } }]
`)

const officeCal = `kind: calendar
name: office
timezone: Europe/Berlin
hours: { mon-fri: "09:00-17:00" }
`

// failingMigration is the engine, except that moving the waiting runs of one workflow fails: a later
// step of an apply that goes wrong after the engine moved another workflow's runs.
type failingMigration struct {
	*engine.Engine
	workflow string
}

func (f failingMigration) MigrateWaiting(ctx context.Context, tx *store.Tx, wf string, to int, policy string) (map[string]any, error) {
	if wf == f.workflow {
		return nil, errors.New("a later step of the apply failed")
	}
	return f.Engine.MigrateWaiting(ctx, tx, wf, to, policy)
}

// TestAnApplyThatRollsBackLeavesNoProgramBehind: moving waiting runs compiles the new version inside
// the apply's transaction. When the apply then fails, the version is rolled back, and the next apply
// gives a different text the same version number: the runs must run that one, not the compiled copy
// of the text never committed (found by review).
func TestAnApplyThatRollsBackLeavesNoProgramBehind(t *testing.T) {
	t.Parallel()
	h := newHarness(t, "sqlite")
	h.apply(sprintf(versioned, "", "v1"))
	h.apply(sprintf(calUser, "true"))
	lead := h.create("lead", map[string]any{"email": "v@acme.com"})
	h.drain() // both runs wait on their v1

	move := definitions.ApplyOptions{Waiting: definitions.WaitingMove}
	h.a.Definitions.SetRuntime(failingMigration{Engine: h.e, workflow: "zz-cal"})
	_, _, err := h.a.Definitions.ApplyWith(h.ctx, admin, []workflow.Source{
		{File: "nurture.yaml", Content: []byte(sprintf(versioned, "", "never committed"))},
		{File: "zz.yaml", Content: []byte(sprintf(calUser, "false"))},
	}, move)
	require.ErrorContains(t, err, "a later step of the apply failed")

	h.a.Definitions.SetRuntime(h.e)
	_, _, err = h.a.Definitions.ApplyWith(h.ctx, admin, []workflow.Source{
		{File: "nurture.yaml", Content: []byte(sprintf(versioned, "", "v2 as committed"))},
	}, move)
	require.NoError(t, err)
	require.Equal(t, 2, h.only("nurture").Version)
	h.advance(25 * time.Hour)
	require.Equal(t, "v2 as committed", h.get("lead", lead.ID()).String("title"))
}

// TestACalendarAndAWorkflowNamingItApplyTogether: a new calendar and a new version of a workflow that
// names it, applied together with waiting runs moved; the runs then go on with the calendar (found by
// review: the engine looked the calendar up outside the apply's transaction and refused the version).
func TestACalendarAndAWorkflowNamingItApplyTogether(t *testing.T) {
	eachDB(t, func(t *testing.T, db string) {
		h := newHarness(t, db)
		h.a.Definitions.SetRuntime(h.e)
		h.apply(sprintf(calUser, "true"))
		lead := h.create("lead", map[string]any{"email": "v@acme.com"})
		h.drain()
		_, _, err := h.a.Definitions.ApplyWith(h.ctx, admin, []workflow.Source{
			{File: "office.yaml", Content: []byte(officeCal)},
			{File: "zz.yaml", Content: []byte(sprintf(calUser, `add_business_hours(now(), 4, "office") > now()`))},
		}, definitions.ApplyOptions{Waiting: definitions.WaitingMove})
		require.NoError(t, err)
		require.Equal(t, 2, h.only("zz-cal").Version)
		h.advance(25 * time.Hour)
		run := h.only("zz-cal")
		require.Equal(t, store.RunCompleted, run.Status, run.Error)
		require.Equal(t, "working", h.get("lead", lead.ID()).String("status"))
	})
}
