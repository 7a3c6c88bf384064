package expr

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestTemplateRender(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	lead := sampleLead()
	lead["weight"] = 1.5
	vars := Vars{"lead": lead, "steps": map[string]map[string]any{"handoff": {"owner": map[string]any{"name": "Bo"}}}}
	tests := []struct {
		src  string
		want string
	}{
		{`Call {{ lead.first_name }}`, "Call Ann"},
		{`Call {{lead.first_name}} {{ lead.last_name }} at {{ lead.company }} (score {{ lead.score }})`, "Call Ann Lee at Acme GmbH (score 42)"},
		{`{{ lead.score / 8 }}`, "5.25"},
		{`{{ size(lead.first_name) }} letters`, "3 letters"},
		{`Industry: [{{ lead.industry }}]`, "Industry: []"}, // null renders as nothing
		{`Since {{ lead.created_at }}`, "Since 2026-03-26T08:00:00Z"},
		{`On {{ local_date(lead.cf_qualified_on, "UTC") }}`, "On 2026-03-20"},
		{`{{ lead.cf_vip }}/{{ !lead.cf_vip }}`, "true/false"},
		{`{{ [lead.first_name, lead.owner.name] }}`, "Ann, Olga"},
		{`{{ {"a": 1} }}`, `{"a":1}`},
		{`{{ "}}" }} and {{ '{{' }}`, "}} and {{"},
		{`{{ steps.handoff.owner.name }} accepted {{ lead.company }}`, "Bo accepted Acme GmbH"},
		{`no segments`, "no segments"},
		{"multi\nline {{\n  lead.first_name\n}}!", "multi\nline Ann!"},
		{`{{ hours(1) + minutes(30) }}`, "1h30m0s"},
	}
	sc := fullScope()
	for _, tc := range tests {
		t.Run(tc.src, func(t *testing.T) {
			tpl, iss := env.CompileTemplate(tc.src, sc)
			require.Empty(t, iss)
			got, err := tpl.Render(context.Background(), vars)
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
		})
	}
}

func TestTemplateIssuePositions(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	tests := []struct {
		src  string
		want []string
	}{
		{`Call {{ lead.frist_name }}`, []string{"1:14: unknown field frist_name of lead (did you mean first_name?)"}},
		{"Hello {{ lead.first_name }},\nscore {{ lead.scroe }} and {{ lead.owner.emial }}", []string{
			"2:15: unknown field scroe of lead (did you mean score?)",
			"2:42: unknown field emial of user (did you mean email?)",
		}},
		{"x {{\n   lead.score +\n   \"a\" }}", []string{"2:15: cannot apply + to number and string"}},
		{`é {{ laed.first_name }}`, []string{"1:6: unknown variable laed (did you mean lead?)"}},
		{`Call {{ lead.first_name`, []string{`1:6: "{{" is not closed by "}}"`}},
		{`a {{ }} b`, []string{"1:3: empty {{ }}: put an expression inside, like {{ lead.first_name }}"}},
		{`{{ lead.first_name + }}`, []string{"1:22: syntax error: unexpected end of expression"}},
		{`{{ steps.first-call.outcom }}`, []string{"1:21: unknown output outcom of step first-call (did you mean outcome?)"}},
	}
	for _, tc := range tests {
		t.Run(tc.src, func(t *testing.T) {
			tpl, iss := env.CompileTemplate(tc.src, fullScope())
			require.Nil(t, tpl)
			require.Equal(t, tc.want, messages(iss))
		})
	}
}

func TestTemplateReadsAndErrors(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	tpl, iss := env.CompileTemplate(`{{ lead.owner.email }} {{ lead.first_name }} {{ lead.first_name }}`, leadScope())
	require.Empty(t, iss)
	require.Equal(t, []string{"lead.first_name", "lead.owner.email"}, tpl.Reads())
	_, err := tpl.Render(context.Background(), Vars{"lead": map[string]any{}})
	require.ErrorContains(t, err, "render template: evaluate lead.owner.email: cannot read email of a null user")
}

func TestFormat(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   any
		want string
	}{
		{nil, ""},
		{"x", "x"},
		{3.0, "3"},
		{-0.5, "-0.5"},
		{1e21, "1000000000000000000000"},
		{int64(7), "7"},
		{uint64(7), "7"},
		{true, "true"},
		{time.Date(2026, 3, 29, 9, 0, 0, 0, time.FixedZone("CEST", 7200)), "2026-03-29T07:00:00Z"},
		{time.Date(2026, 3, 29, 9, 0, 0, 500, time.UTC), "2026-03-29T09:00:00.0000005Z"},
		{90 * time.Minute, "1h30m0s"},
		{[]any{1.0, "a", nil}, "1, a, "},
		{map[string]any{"k": 2.5}, `{"k":2.5}`},
		{[]byte("b"), "b"},
	}
	for _, tc := range tests {
		require.Equal(t, tc.want, Format(tc.in), "%v", tc.in)
	}
}
