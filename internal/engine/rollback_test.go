package engine_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/salesflow/salesflow/internal/definitions"
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

// TestAnApplyThatRollsBackLeavesNoProgramBehind: moving waiting runs compiles the new version inside
// the apply's transaction. When the apply then fails, the version is rolled back, and the next apply
// gives a different text the same version number: the runs must run that one, not the compiled copy
// of the text never committed (found by review).
//
// The apply is made to fail by a second workflow whose new version names a calendar created in the
// same apply: the engine checks calendar names on another connection, which does not see it yet (a
// limitation noted in docs/engine.md).
func TestAnApplyThatRollsBackLeavesNoProgramBehind(t *testing.T) {
	t.Parallel()
	h := newHarness(t, "sqlite")
	h.a.Definitions.SetRuntime(h.e)
	h.apply(sprintf(versioned, "", "v1"))
	h.apply(sprintf(calUser, "true"))
	lead := h.create("lead", map[string]any{"email": "v@acme.com"})
	h.drain() // both runs wait on their v1

	move := definitions.ApplyOptions{Waiting: definitions.WaitingMove}
	_, _, err := h.a.Definitions.ApplyWith(h.ctx, admin, []workflow.Source{
		{File: "nurture.yaml", Content: []byte(sprintf(versioned, "", "never committed"))},
		{File: "office.yaml", Content: []byte(officeCal)},
		{File: "zz.yaml", Content: []byte(sprintf(calUser, `add_business_hours(now(), 4, "office") > now()`))},
	}, move)
	require.Error(t, err, "the apply fails (see above)")

	_, _, err = h.a.Definitions.ApplyWith(h.ctx, admin, []workflow.Source{
		{File: "nurture.yaml", Content: []byte(sprintf(versioned, "", "v2 as committed"))},
	}, move)
	require.NoError(t, err)
	require.Equal(t, 2, h.only("nurture").Version)
	h.advance(25 * time.Hour)
	require.Equal(t, "v2 as committed", h.get("lead", lead.ID()).String("title"))
}
