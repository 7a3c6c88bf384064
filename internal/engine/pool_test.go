package engine_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/salesflow/salesflow/internal/engine"
	"github.com/salesflow/salesflow/internal/store"
)

const calendarFlow = `kind: calendar
name: office
timezone: Europe/Berlin
hours: { mon-fri: "09:00-17:00" }
---
kind: workflow
name: bizcal
owner: revops@example.com
review_every: 90d
object: lead
trigger: { on: lead.created }
steps:
  - delay: { duration: 1h }
  - if: add_business_hours(now(), 4, "office") > now()
    then: [{ action: set, with: { status: working } }]
`

// TestBusinessHoursInEverySegmentWithTheDefaultWorkers: with the default worker count, 300 runs whose
// step after a delay calls add_business_hours all finish. The calendar lookup reads in a transaction
// of its own while the worker's holds a connection; on PostgreSQL, 24 workers (as many as the pool's
// connections) could each hold one and wait for another, and the engine stopped for good (found by
// review).
func TestBusinessHoursInEverySegmentWithTheDefaultWorkers(t *testing.T) {
	eachDB(t, func(t *testing.T, db string) {
		h := newHarness(t, db, withDefaultWorkers)
		h.apply(calendarFlow)
		for i := range 300 {
			h.create("lead", map[string]any{"email": fmt.Sprintf("l%d@acme.com", i)})
		}
		h.drain() // every run waits on its delay
		h.setClock(h.now().Add(2 * time.Hour))
		ctx, cancel := context.WithCancel(h.ctx)
		t.Cleanup(cancel) // not waited for: a starved worker would wait on the pool for ever
		go func() { _ = h.e.Run(ctx) }()
		deadline := time.Now().Add(60 * time.Second)
		for {
			active, err := activeRuns(h, "bizcal")
			if err == nil && active == 0 {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("after 60 s %d runs are still active (read: %v): the workers starve the connection pool", active, err)
			}
			time.Sleep(50 * time.Millisecond)
		}
	})
}

// activeRuns counts a workflow's active runs, giving up after 2 s (a starved pool must fail the
// test, not hang it).
func activeRuns(h *harness, workflow string) (int, error) {
	ctx, cancel := context.WithTimeout(h.ctx, 2*time.Second)
	defer cancel()
	active := 0
	err := h.a.Store.Read(ctx, func(tx *store.Tx) error {
		runs, err := tx.ListRuns(ctx, store.RunFilter{Workflow: workflow, Limit: 1000})
		for _, r := range runs {
			if r.Active() {
				active++
			}
		}
		return err
	})
	return active, err
}

// withDefaultWorkers leaves the worker count to the engine's default, as serve does.
func withDefaultWorkers(o *engine.Options) { o.Workers = 0 }
