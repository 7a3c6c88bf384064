package engine_test

import (
	"context"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/salesflow/salesflow/internal/engine"
	"github.com/salesflow/salesflow/internal/store"
)

const noteFlow = `kind: workflow
name: note
owner: revops@example.com
review_every: 90d
object: lead
trigger: { on: lead.created }
steps:
  - action: log_activity
    with: { type: note, subject: "hello {{ lead.email }}" }
  - delay: { duration: 1s }
  - action: set
    with: { status: working }
`

// TestTwoEnginesShareTheWorkOnce runs two engines on one PostgreSQL database, as two `serve` or
// `worker` processes would (O2): every lead runs once and every effect happens once.
func TestTwoEnginesShareTheWorkOnce(t *testing.T) {
	h := newHarness(t, "postgres")
	h.apply(noteFlow)
	ctx, cancel := context.WithCancel(h.ctx)
	done := make(chan struct{}, 2)
	for range 2 {
		e := engine.New(h.a.Service, engine.Options{Logger: slog.New(slog.DiscardHandler), Workers: 4, Poll: 50 * time.Millisecond})
		go func() { _ = e.Run(ctx); done <- struct{}{} }()
	}
	defer func() { cancel(); <-done; <-done }()
	const n = 40
	for i := range n {
		h.create("lead", map[string]any{"email": fmt.Sprintf("s%d@scale.example", i)})
	}
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		completed := 0
		for _, r := range h.runs("note") {
			if r.Status == store.RunCompleted {
				completed++
			}
		}
		if completed == n {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	runs := h.runs("note")
	require.Len(t, runs, n)
	for _, r := range runs {
		require.Equal(t, store.RunCompleted, r.Status, r.Error)
	}
	notes, _, err := h.a.Service.List(h.ctx, "activity", store.ListQuery{Limit: 500, Sort: "created_at"})
	require.NoError(t, err)
	require.Len(t, notes, n, "each note once")
}
