package engine_test

import (
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/salesflow/salesflow/internal/app"
	"github.com/salesflow/salesflow/internal/engine"
	"github.com/salesflow/salesflow/internal/enrich"
	"github.com/salesflow/salesflow/internal/store"
)

const enrichFlow = `kind: workflow
name: enrich-new
owner: revops@example.com
review_every: 90d
object: lead
trigger: { on: lead.created }
steps:
  - id: enrich
    action: enrich
`

func TestEnrichFillsEmptyFieldsKeepsTypedOnesAndRecordsSources(t *testing.T) {
	eachDB(t, func(t *testing.T, db string) {
		var calls atomic.Int32
		api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			n := calls.Add(1)
			if n == 1 {
				w.WriteHeader(http.StatusServiceUnavailable) // the first call fails: the step is retried
				return
			}
			if r.URL.Query().Get("domain") != "globex.com" {
				w.WriteHeader(http.StatusNotFound)
				return
			}
			_, _ = w.Write([]byte(`{"company": {"tz": "America/Chicago", "size": {"employees": 1200}, "sector": "Energy"}}`))
		}))
		t.Cleanup(api.Close)
		h := newHarnessWith(t, db, func(a *app.App, o *engine.Options) {
			hp, err := enrich.NewHTTP(enrich.HTTPConfig{URL: api.URL + "/v1?domain={domain}", Timeout: 2 * time.Second, RatePerSecond: 100, Burst: 10,
				Map: map[string]string{"timezone": "company.tz", "employees": "company.size.employees", "industry": "company.sector"}})
			require.NoError(t, err)
			es := engine.EnrichStore{St: a.Store}
			o.Enricher = &enrich.Enricher{TTL: time.Hour, Now: o.Now, Cache: es,
				Providers: []enrich.Provider{enrich.NewDirectory(es), enrich.FreeMail{}, hp}}
		})
		require.NoError(t, h.a.Store.Write(h.ctx, func(tx *store.Tx) error {
			_, err := tx.UpsertCompany(h.ctx, store.Company{Domain: "acme.com", Name: "Acme Corporation", Industry: "Manufacturing", Employees: 500, Country: "US"}, h.now())
			return err
		}))
		h.apply(enrichFlow)

		typed := h.create("lead", map[string]any{"email": "jo@acme.com", "industry": "Robotics"})
		other := h.create("lead", map[string]any{"email": "al@globex.com", "company": "Globex"})
		free := h.create("lead", map[string]any{"email": "kim@gmail.com"})
		h.drain()
		h.advance(time.Minute) // the retry after the 503

		got := h.get("lead", typed.ID())
		require.Equal(t, "Acme Corporation", got["company"])
		require.Equal(t, 500.0, got["employees"])
		require.Equal(t, "US", got["country"])
		require.Equal(t, "Robotics", got["industry"], "a value a person typed is kept")
		src := got["enrichment"].(map[string]any)
		require.Equal(t, "directory", src["company"].(map[string]any)["source"])
		require.NotContains(t, src, "industry")

		got = h.get("lead", other.ID())
		require.Equal(t, "Globex", got["company"])
		require.Equal(t, 1200.0, got["employees"])
		require.Equal(t, "Energy", got["industry"])
		require.Equal(t, "America/Chicago", got["timezone"])
		require.Equal(t, "http", got["enrichment"].(map[string]any)["employees"].(map[string]any)["source"])

		freeRun := h.stepsByID(runFor(h, "enrich-new", free.ID()).ID)
		require.Equal(t, true, freeRun["enrich"].Output["free_mail"])

		// A person changes an enriched field: it is theirs now, and enrichment keeps it.
		h.update("lead", typed.ID(), map[string]any{"employees": 450.0})
		require.NotContains(t, h.get("lead", typed.ID())["enrichment"], "employees")
	})
}

func runFor(h *harness, workflow, recordID string) store.Run {
	for _, r := range h.runs(workflow) {
		if r.RecordID == recordID {
			return r
		}
	}
	h.t.Fatalf("no run of %s for %s", workflow, recordID)
	return store.Run{}
}
