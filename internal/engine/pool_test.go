package engine_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

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

// TestBusinessHoursWithMoreWorkersThanConnections: 300 runs whose step after a delay calls
// add_business_hours all finish with 32 workers, more than PostgreSQL's pool has connections (24). The
// expression reads its calendar through the worker's transaction. It used to read on a connection of
// its own while the worker's transaction held one, and workers holding every connection waited for
// another for good (found by review; with 24 workers it stopped 2 runs in 3).
func TestBusinessHoursWithMoreWorkersThanConnections(t *testing.T) {
	eachDB(t, func(t *testing.T, db string) {
		h := newHarness(t, db, func(o *engine.Options) { o.Workers = 32 })
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

// TestExplainingAFilterOnBusinessHoursTakesNoSecondConnection: 40 explanations at once of a workflow
// whose filter calls add_business_hours all answer. The filter's calendar used to be read on a
// connection of its own while the explanation's read held one, so 40 of them held every connection of
// the pool (4 readers on SQLite, 24 on PostgreSQL) and waited for another (found by review: 36 of 40
// timed out on SQLite, 40 of 40 on PostgreSQL).
func TestExplainingAFilterOnBusinessHoursTakesNoSecondConnection(t *testing.T) {
	eachDB(t, func(t *testing.T, db string) {
		h := newHarness(t, db)
		h.apply(`kind: calendar
name: office
timezone: Europe/Berlin
hours: { mon-fri: "09:00-17:00" }
---
kind: workflow
name: soon
owner: revops@example.com
review_every: 90d
object: lead
trigger: { on: lead.created, when: 'add_business_hours(now(), 4, "office") > now()' }
steps:
  - action: set
    with: { status: working }
`)
		lead := h.create("lead", map[string]any{"email": "x@acme.com"})
		var wg sync.WaitGroup
		errs := make([]error, 40)
		for i := range errs {
			wg.Go(func() {
				ctx, cancel := context.WithTimeout(h.ctx, 10*time.Second)
				defer cancel()
				x, err := h.e.Explain(ctx, "lead", lead.ID(), "soon")
				if err == nil && x.FilterNow["value"] != true {
					err = fmt.Errorf("filter now: %v", x.FilterNow)
				}
				errs[i] = err
			})
		}
		wg.Wait()
		for _, err := range errs {
			require.NoError(t, err)
		}
	})
}
