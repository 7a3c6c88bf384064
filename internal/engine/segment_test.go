package engine_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/salesflow/salesflow/internal/app"
	"github.com/salesflow/salesflow/internal/engine"
	"github.com/salesflow/salesflow/internal/enrich"
	"github.com/salesflow/salesflow/internal/store"
)

// TestASetAfterAnotherWriteSeesIt: `set` writes from the segment's copy of the record's row instead of
// reading it again, so a step that writes the record another way must drop that copy. Here enrichment
// fills the lead's company; the set after it, and the branch after that, must see the company.
func TestASetAfterAnotherWriteSeesIt(t *testing.T) {
	eachDB(t, func(t *testing.T, db string) {
		h := newHarnessWith(t, db, func(a *app.App, o *engine.Options) {
			es := engine.EnrichStore{St: a.Store}
			o.Enricher = &enrich.Enricher{TTL: time.Hour, Now: o.Now, Cache: es, Providers: []enrich.Provider{enrich.NewDirectory(es)}}
		})
		require.NoError(t, h.a.Store.Write(h.ctx, func(tx *store.Tx) error {
			_, err := tx.UpsertCompany(h.ctx, store.Company{Domain: "acme.com", Name: "Acme Corporation", Employees: 500, Country: "US"}, h.now())
			return err
		}))
		h.apply(`kind: workflow
name: enrich-then-set
owner: revops@example.com
review_every: 90d
object: lead
trigger: { on: lead.created }
steps:
  - id: work
    action: set
    with: { status: working }
  - id: enrich
    action: enrich
  - id: title
    action: set
    with: { title: CTO }
  - id: seen
    if: lead.company == "Acme Corporation"
    then:
      - action: set
        with: { source: enriched-seen }
`)
		l := h.create("lead", map[string]any{"email": "jo@acme.com"})
		h.drain()
		run := h.only("enrich-then-set")
		require.Equal(t, store.RunCompleted, run.Status, "error: %s", run.Error)
		got := h.get("lead", l.ID())
		require.Equal(t, "working", got.String("status"))
		require.Equal(t, "Acme Corporation", got.String("company"))
		require.Equal(t, "CTO", got.String("title"))
		require.Equal(t, "enriched-seen", got.String("source"), "the branch saw the enriched company")
	})
}

// TestARoutingStepBesideAnotherRoutingOfItsRecord: routing locks the rotation, then the record. A
// segment must not lock its record before its steps run (it did for a while, to write `set` from its
// copy): its routing step then waited for the rotation while holding the record, and a routing of the
// same lead elsewhere waited for the record while holding the rotation — a deadlock on PostgreSQL.
func TestARoutingStepBesideAnotherRoutingOfItsRecord(t *testing.T) {
	eachDB(t, func(t *testing.T, db string) {
		h := newHarness(t, db)
		h.team("SDR", "a@example.com", "b@example.com")
		h.team("AE")
		h.apply(roundRobin)
		h.apply(routeNew)
		l := h.create("lead", map[string]any{"email": "jo@acme.com", "employees": 10.0})
		h.feedOnce() // enrol; the run's job is due

		locked, done := make(chan struct{}), make(chan error, 1)
		go func() { // another routing of the same lead (the API's, an SLA escalation's): rotation, then lead
			done <- h.a.Store.Write(h.ctx, func(tx *store.Tx) error {
				if _, err := tx.LockRoutingState(h.ctx, "sdr-rr"); err != nil {
					return err
				}
				close(locked)
				time.Sleep(700 * time.Millisecond) // the run's segment reaches its routing step meanwhile
				o, err := h.a.Service.Object(h.ctx, tx, "lead")
				if err != nil {
					return err
				}
				_, err = tx.GetForUpdate(h.ctx, o, "id", l.ID())
				return err
			})
		}()
		<-locked
		h.drain()
		require.NoError(t, <-done, "the other routing")
		run := h.only("route-new")
		for _, s := range h.steps(run.ID) {
			t.Logf("history: %s %s %s", s.StepID, s.Status, s.Error)
		}
		require.Equal(t, store.RunCompleted, run.Status, "error: %s", run.Error)
		for _, s := range h.steps(run.ID) {
			require.NotEqual(t, "retrying", s.Status, "step %s failed once: %s", s.StepID, s.Error)
		}
	})
}

// TestARunEndedDuringItsCallTakesNoStepAfterIt: on SQLite the segment after an outside call goes on
// from the run as the segment before the call saved it, without reading it again. Here, while the
// webhook is being answered, the lead is disqualified and another workflow unenrolls the run. The steps
// after the call must not apply: their save meets the moved run (ErrStale), they roll back, and the
// segment runs again from the stored run, which has ended.
func TestARunEndedDuringItsCallTakesNoStepAfterIt(t *testing.T) {
	eachDB(t, func(t *testing.T, db string) {
		h := newHarness(t, db)
		var lead string
		rc := &receiver{script: []func(http.ResponseWriter){func(w http.ResponseWriter) {
			h.update("lead", lead, map[string]any{"status": "disqualified"})
			h.drain() // the stop workflow enrolls and unenrolls push's run; push's own job is leased
			w.WriteHeader(http.StatusOK)
		}}}
		srv := httptest.NewServer(rc)
		t.Cleanup(srv.Close)
		h.apply(fmt.Sprintf(leadFlow("push", "{ on: lead.created }", `  - id: push
    action: webhook
    with: { url: "%s/leads", body: '{}' }
  - id: title
    action: set
    with: { title: pushed }
`), srv.URL))
		h.apply(leadFlow("stop-push", "{ on: lead.updated, changed: status, to: disqualified }", `  - unenroll: { workflow: push }
`))
		lead = h.create("lead", map[string]any{"email": "jo@acme.com"}).ID()
		h.drain()
		require.Len(t, rc.deliveries(), 1)
		run := h.only("push")
		require.Equal(t, store.RunCancelled, run.Status)
		require.Contains(t, run.EndReason, "unenrolled by run")
		require.Empty(t, h.get("lead", lead).String("title"), "the step after the call did not run")
		require.NotContains(t, h.stepsByID(run.ID), "title")
	})
}
