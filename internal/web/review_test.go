package web

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/salesflow/salesflow/internal/definitions"
	"github.com/salesflow/salesflow/internal/store"
)

func TestReviewFallsDueAfterTheCurrentVersion(t *testing.T) {
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	d := definitions.Detail{Definition: store.Definition{Name: "w", ReviewEvery: "30d", Version: 2},
		Versions: []store.DefinitionVersion{{Version: 1, CreatedAt: now.AddDate(0, 0, -90)}, {Version: 2, CreatedAt: now.AddDate(0, 0, -31)}}}
	row := rowOf(d.Definition, appliedOf(d), map[string]store.RunStat{"w": {Started: 5, Failed: 2}}, now)
	require.True(t, row.Overdue)
	require.Equal(t, "2026-11-25T12:00:00Z", row.ReviewDue)
	require.Equal(t, 5, row.Enrolled)
	require.Equal(t, 2, row.Failed)

	d.Versions[1].CreatedAt = now.AddDate(0, 0, -29)
	require.False(t, rowOf(d.Definition, appliedOf(d), nil, now).Overdue)
	d.Version = 1 // the current version is the older one (a version applied after it is not current)
	require.True(t, rowOf(d.Definition, appliedOf(d), nil, now).Overdue, "due after the current version, not the newest")
	d.ReviewEvery = ""
	require.Empty(t, rowOf(d.Definition, appliedOf(d), nil, now).ReviewDue, "no review cadence, no due date")
}
