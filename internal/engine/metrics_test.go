package engine_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/stretchr/testify/require"

	"github.com/salesflow/salesflow/internal/engine"
)

// TestAShutdownDuringACallCountsNoRetry: a worker is in a webhook call when the engine stops. The call
// fails with the context's error, and the failed attempt's record cannot be written (its context is
// done); the retries metric counts only what was recorded (it counted one more; found by review).
func TestAShutdownDuringACallCountsNoRetry(t *testing.T) {
	eachDB(t, func(t *testing.T, db string) {
		h := newHarness(t, db)
		arrived, release := make(chan struct{}, 1), make(chan struct{})
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			select {
			case arrived <- struct{}{}:
			default:
			}
			select { // a slow receiver: still answering when the engine stops
			case <-r.Context().Done():
			case <-release:
			}
		}))
		t.Cleanup(srv.Close)
		t.Cleanup(func() { close(release) })
		h.apply(fmt.Sprintf(pushFlow, srv.URL))
		h.create("lead", map[string]any{"email": "jo@acme.com"})
		e, stop := startEngine(t, h, engine.Options{Workers: 2, Poll: 10 * time.Millisecond})
		select {
		case <-arrived:
		case <-time.After(20 * time.Second):
			t.Fatal("the call was not made")
		}
		stop()
		retrying := 0
		for _, s := range h.steps(h.only("push").ID) {
			if s.Status == "retrying" {
				retrying++
			}
		}
		require.Equal(t, float64(retrying), counterValue(t, e.Collectors()[2], ""), "retries counted against retries recorded")
	})
}

// counterValue reads a counter of the engine's metrics: with status, the series of that status; else
// the sum of its series.
func counterValue(t *testing.T, c prometheus.Collector, status string) float64 {
	t.Helper()
	reg := prometheus.NewRegistry()
	require.NoError(t, reg.Register(c))
	families, err := reg.Gather()
	require.NoError(t, err)
	total := 0.0
	for _, f := range families {
		for _, m := range f.GetMetric() {
			if status == "" || slices.ContainsFunc(m.GetLabel(), func(l *dto.LabelPair) bool { return l.GetName() == "status" && l.GetValue() == status }) {
				total += m.GetCounter().GetValue()
			}
		}
	}
	return total
}
