package engine_test

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestMatchAccountByDomainAndByFuzzyName(t *testing.T) {
	eachDB(t, func(t *testing.T, db string) {
		h := newHarness(t, db)
		acme := h.create("account", map[string]any{"name": "Acme Corporation", "domain": "acme.com"})
		initech := h.create("account", map[string]any{"name": "Initech International, Inc.", "website": "https://www.initech.io"})
		h.create("account", map[string]any{"name": "Globe Telecom"})
		h.apply(`kind: workflow
name: match-new
owner: revops@example.com
review_every: 90d
object: lead
trigger: { on: lead.created }
steps:
  - id: match
    action: match_account
`)
		byDomain := h.create("lead", map[string]any{"email": "jo@eu.acme.com", "company": "ACME"})
		byName := h.create("lead", map[string]any{"email": "al@gmail.com", "company": "Initech Intl"})
		bySite := h.create("lead", map[string]any{"email": "kim@yahoo.com", "website": "initech.io"})
		none := h.create("lead", map[string]any{"email": "ed@hotmail.com", "company": "Globex"})
		h.drain()

		got := h.get("lead", byDomain.ID())
		require.Equal(t, acme.ID(), got["matched_account_id"])
		require.Equal(t, 1.0, got["matched_account_confidence"])

		got = h.get("lead", byName.ID())
		require.Equal(t, initech.ID(), got["matched_account_id"])
		require.Greater(t, got["matched_account_confidence"].(float64), 0.8)
		st := h.stepsByID(runFor(h, "match-new", byName.ID()).ID)["match"]
		require.Equal(t, "name", st.Output["by"])
		require.Contains(t, st.Output["reason"], "Initech")

		require.Equal(t, initech.ID(), h.get("lead", bySite.ID())["matched_account_id"])

		got = h.get("lead", none.ID())
		require.Nil(t, got["matched_account_id"], "Globex is not Globe Telecom")
		require.Equal(t, "done", h.stepsByID(runFor(h, "match-new", none.ID()).ID)["match"].Status)
	})
}
