package policy

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestApplies(t *testing.T) {
	t.Parallel()
	all := mustCompile(t, "kind: policy\nname: p\napplies_to: all_workflows\n", nil)
	byDefault := mustCompile(t, "kind: policy\nname: p\n", nil)
	listed := mustCompile(t, "kind: policy\nname: p\napplies_to: [nurture, onboarding]\n", nil)
	for _, w := range []string{"nurture", "renewal", ""} {
		require.True(t, all.Applies(w), w)
		require.True(t, byDefault.Applies(w), w)
	}
	require.True(t, listed.Applies("nurture"))
	require.True(t, listed.Applies("onboarding"))
	require.False(t, listed.Applies("renewal"))
	require.False(t, listed.Applies("Nurture"), "workflow names are exact")
}

func TestWindow(t *testing.T) {
	t.Parallel()
	const head = "kind: policy\nname: p\n"
	tests := []struct {
		name, src string
		want      time.Duration
	}{
		{"nothing counted", head + "quiet_hours: { from: \"19:00\", to: \"08:00\" }\n", 0},
		{"one cap", head + "contact:\n  max_emails: { per_contact: 2, per: 36h }\n", 36 * time.Hour},
		{"the longest cap", head + "contact:\n  max_emails: { per_contact: 2, per: 1d }\n  max_per_account: { touches: 10, per: 2w }\n  max_touches: { per_contact: 5, per: 7d }\n", 14 * 24 * time.Hour},
		{"a budget needs the longest local day", head + "automation_budget: { per_rep_daily: 3 }\n", 25 * time.Hour},
		{"a budget and a shorter cap", head + "contact:\n  max_emails: { per_contact: 2, per: 4h }\nautomation_budget: { per_rep_daily: 3 }\n", 25 * time.Hour},
		{"a budget and a longer cap", head + "contact:\n  max_emails: { per_contact: 2, per: 3d }\nautomation_budget: { per_rep_daily: 3 }\n", 72 * time.Hour},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tt.want, mustCompile(t, tt.src, nil).Window())
		})
	}
}
