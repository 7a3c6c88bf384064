package engine_test

import (
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
