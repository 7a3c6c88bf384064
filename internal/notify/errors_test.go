package notify

import (
	"math/rand/v2"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestBackoffStaysWithinEqualJitterBounds(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(1, 2))
	for attempt := 1; attempt <= 30; attempt++ {
		nominal := min(backoffBase<<min(attempt-1, 20), backoffCap)
		seen := map[time.Duration]bool{}
		for range 500 {
			d := Backoff(attempt, r)
			require.GreaterOrEqual(t, d, nominal/2, "attempt %d", attempt)
			require.LessOrEqual(t, d, nominal, "attempt %d", attempt)
			seen[d] = true
		}
		require.Greater(t, len(seen), 1, "attempt %d: no jitter", attempt)
	}
}

func TestBackoffGrowsThenCaps(t *testing.T) {
	t.Parallel()
	// Each attempt's floor is the previous attempt's ceiling while doubling,
	// so a later retry never waits less than an earlier one.
	require.LessOrEqual(t, Backoff(1, nil), 2*time.Second)
	require.GreaterOrEqual(t, Backoff(2, nil), 2*time.Second)
	require.GreaterOrEqual(t, Backoff(10, nil), backoffCap/2)
	require.LessOrEqual(t, Backoff(1000, nil), backoffCap)
	for _, attempt := range []int{0, -3} {
		d := Backoff(attempt, nil)
		require.GreaterOrEqual(t, d, time.Second, "attempt %d is treated as 1", attempt)
		require.LessOrEqual(t, d, 2*time.Second, "attempt %d is treated as 1", attempt)
	}
}

func TestRetryAfter(t *testing.T) {
	t.Parallel()
	now := time.Date(2030, 3, 4, 5, 6, 7, 0, time.UTC)
	for _, tc := range []struct {
		header string
		want   time.Duration
	}{
		{"", 0},
		{"7", 7 * time.Second},
		{" 120 ", 2 * time.Minute},
		{"0", 0},
		{"-5", 0},
		{"soon", 0},
		{"99999", time.Hour},
		{now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second},
		{now.Add(-time.Minute).Format(http.TimeFormat), 0},
		{now.Add(48 * time.Hour).Format(http.TimeFormat), time.Hour},
	} {
		require.Equal(t, tc.want, retryAfter(tc.header, now), "Retry-After %q", tc.header)
	}
}
