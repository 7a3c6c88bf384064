package policy

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/salesflow/salesflow/internal/bizcal"
	"github.com/salesflow/salesflow/internal/workflow"
)

// parse reads a one-document YAML source into its root node.
func parse(t testing.TB, src string) *workflow.Node {
	t.Helper()
	docs, diags := workflow.ParseFile("policy.yaml", []byte(src))
	require.Empty(t, diags)
	require.Len(t, docs, 1)
	return docs[0].Root
}

// mustCompile compiles src, failing the test on an error.
func mustCompile(t testing.TB, src string, cal *bizcal.Calendar) *Policy {
	t.Helper()
	p, err := Compile(parse(t, src), cal)
	require.NoError(t, err)
	return p
}

// calendar builds a Monday-to-Friday calendar with the given holidays.
func calendar(t testing.TB, holidays ...string) *bizcal.Calendar {
	t.Helper()
	week, err := bizcal.ParseHours(map[string]string{"mon-fri": "09:00-17:30"})
	require.NoError(t, err)
	days, err := bizcal.ParseDates(holidays)
	require.NoError(t, err)
	c, err := bizcal.New(time.UTC, week, days)
	require.NoError(t, err)
	return c
}

func zone(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	require.NoError(t, err)
	return loc
}

// local reads "2006-01-02 15:04" on the wall clock of the named zone. DST tests name the instants
// that matter in UTC instead, since some wall times happen twice or never.
func local(t testing.TB, zoneName, s string) time.Time {
	t.Helper()
	v, err := time.ParseInLocation("2006-01-02 15:04", s, zone(t, zoneName))
	require.NoError(t, err)
	return v
}

func utc(t testing.TB, s string) time.Time { return local(t, "UTC", s) }
