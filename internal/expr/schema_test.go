package expr

import (
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/salesflow/salesflow/internal/records"
)

func TestSchema(t *testing.T) {
	t.Parallel()
	cat := records.NewCatalog()
	s := NewSchema(cat, testCustom())
	require.Equal(t, []string{"lead", "contact", "account", "deal", "task", "activity", "user", "team", "pipeline"}, s.Objects())

	for _, r := range Relations() {
		_, from := cat.Get(r.From)
		_, to := cat.Get(r.To)
		require.True(t, from && to, "%s.%s → %s", r.From, r.Name, r.To)
		o, _ := cat.Get(r.From)
		_, clash := o.Field(r.Name)
		require.False(t, clash, "relation %s.%s hides a field", r.From, r.Name)
	}

	tests := []struct {
		path string
		want Type
	}{
		{"lead.score", Number()},
		{"lead.status", String()},
		{"lead.email", String()},
		{"lead.owner_id", String()},
		{"lead.created_at", Timestamp()},
		{"deal.close_date", Timestamp()},
		{"activity.data", Any()},
		{"user.active", Bool()},
		{"lead.cf_budget", Number()},
		{"lead.cf_qualified_on", Timestamp()},
		{"lead.owner", Object("user")},
		{"lead.owner.manager.team.manager.email", String()},
		{"activity.account.owner.name", String()},
	}
	for _, tc := range tests {
		got, err := s.Resolve(tc.path)
		require.NoError(t, err, tc.path)
		require.True(t, tc.want.Equal(got), "%s: %s", tc.path, got)
	}
	for path, msg := range map[string]string{
		"laed.score":       "unknown object laed (did you mean lead?)",
		"lead.scroe":       "unknown field scroe of lead (did you mean score?)",
		"lead.score.x":     "lead.score.x is a number and has no field x",
		"lead.owner.emial": "unknown field emial of user (did you mean email?)",
	} {
		_, err := s.Resolve(path)
		require.EqualError(t, err, msg)
	}

	members, ok := s.Members("lead")
	require.True(t, ok)
	require.Equal(t, Member{Name: "owner", Type: Object("user"), Relation: true}, members[0])
	last := members[len(members)-1]
	require.Equal(t, "cf_qualified_on", last.Name)
	require.True(t, last.Custom)
	byName := func(ms []Member, name string) Member {
		i := slices.IndexFunc(ms, func(m Member) bool { return m.Name == name })
		require.GreaterOrEqual(t, i, 0, name)
		return ms[i]
	}
	require.Equal(t, records.LeadStatuses, byName(members, "status").Options)
	require.Equal(t, []string{"a", "b"}, byName(members, "cf_tier").Options)
	require.Nil(t, byName(members, "email").Options)
	require.Nil(t, byName(members, "owner").Options)
	byName(members, "status").Options[0] = "changed" // callers get copies: the schema stays immutable
	again, _ := s.Members("lead")
	require.Equal(t, "new", byName(again, "status").Options[0])
	_, ok = s.Members("widget")
	require.False(t, ok)

	// Custom fields of one schema do not leak into another.
	plain := NewSchema(cat, nil)
	_, err := plain.Resolve("lead.cf_budget")
	require.Error(t, err)
}

func TestTypes(t *testing.T) {
	t.Parallel()
	require.Equal(t, "list(map(number))", List(Map(Number())).String())
	require.Equal(t, "lead", Object("lead").String())
	require.Equal(t, "any", Type{}.String())
	require.True(t, List(String()).Equal(List(String())))
	require.False(t, List(String()).Equal(List(Number())))
	require.True(t, Number().accepts(Int()))
	require.False(t, Int().accepts(Number()))
	require.True(t, Bool().accepts(Any()))
	require.True(t, List(Number()).accepts(List(Int())))
	name, ok := Object("user").IsObject()
	require.True(t, ok)
	require.Equal(t, "user", name)
	require.Equal(t, String(), List(String()).Elem())
}
