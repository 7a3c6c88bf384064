package matching

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

var (
	jan = time.Date(2026, 1, 10, 9, 0, 0, 0, time.UTC)
	feb = time.Date(2026, 2, 10, 9, 0, 0, 0, time.UTC)
)

func ids(s []Scored) []string {
	out := make([]string, len(s))
	for i, c := range s {
		out[i] = c.ID
	}
	return out
}

func TestMatch(t *testing.T) {
	t.Parallel()
	acme := Candidate{ID: "a1", Name: "ACME Corporation", Domain: "acme.com"}
	acmeWeb := Candidate{ID: "a2", Name: "Acme Holdings", WebsiteDomain: "acme-holdings.com"}
	globe := Candidate{ID: "g1", Name: "Globe Telecom", Domain: "globe.com.ph"}

	tests := []struct {
		name       string
		lead       Lead
		cands      []Candidate
		min        float64
		wantBest   string // "" for nil
		wantBy     string
		wantConf   float64
		wantReason string
		wantOrder  []string
	}{
		{
			name:       "email domain equals the account's domain",
			lead:       Lead{EmailDomain: "acme.com", Company: "Something Else Entirely"},
			cands:      []Candidate{globe, acme},
			min:        DefaultMin,
			wantBest:   "a1",
			wantBy:     ByEmailDomain,
			wantConf:   1,
			wantReason: "email domain acme.com equals the account's domain",
			wantOrder:  []string{"a1", "g1"},
		},
		{
			name:       "email domain equals the account's website domain",
			lead:       Lead{EmailDomain: "acme-holdings.com"},
			cands:      []Candidate{acme, acmeWeb},
			min:        DefaultMin,
			wantBest:   "a2",
			wantBy:     ByEmailDomain,
			wantConf:   1,
			wantReason: "email domain acme-holdings.com equals the account's website domain",
			wantOrder:  []string{"a2", "a1"},
		},
		{
			// The lead's name matches a1 exactly, but its email is at a2: domain beats name.
			name:      "domain beats name",
			lead:      Lead{EmailDomain: "acme-holdings.com", Company: "Acme Corp"},
			cands:     []Candidate{acme, acmeWeb},
			min:       DefaultMin,
			wantBest:  "a2",
			wantBy:    ByEmailDomain,
			wantConf:  1,
			wantOrder: []string{"a2", "a1"},
		},
		{
			// a2's name is an exact match, but a1's domain is the lead's website.
			name:       "website domain when the email is free-mail",
			lead:       Lead{WebsiteDomain: "acme.com", Company: "Acme Holdings"},
			cands:      []Candidate{acmeWeb, acme},
			min:        DefaultMin,
			wantBest:   "a1",
			wantBy:     ByWebsite,
			wantConf:   websiteConfidence,
			wantReason: "website domain acme.com equals the account's domain",
			wantOrder:  []string{"a1", "a2"},
		},
		{
			name:       "name when no domain matches",
			lead:       Lead{EmailDomain: "acme.co.uk", Company: "Acme Inc"},
			cands:      []Candidate{globe, acme},
			min:        DefaultMin,
			wantBest:   "a1",
			wantBy:     ByName,
			wantConf:   nameCeiling, // an exact name, squeezed below the domain rules
			wantReason: `company name "Acme Inc" ~ "ACME Corporation" (1.00)`,
			wantOrder:  []string{"a1", "g1"},
		},
		{
			name:      "below min returns no best but still ranks",
			lead:      Lead{Company: "Globex"},
			cands:     []Candidate{acme, globe},
			min:       DefaultMin,
			wantOrder: []string{"a1", "g1"}, // both 0: lower ID
		},
		{
			name:      "empty domains match nothing",
			lead:      Lead{Company: "Initech"},
			cands:     []Candidate{{ID: "x", Name: "Umbrella"}},
			min:       DefaultMin,
			wantOrder: []string{"x"},
		},
		{
			name:      "no candidates",
			lead:      Lead{EmailDomain: "acme.com"},
			min:       DefaultMin,
			wantOrder: []string{},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			best, ranked := Match(tt.lead, tt.cands, tt.min)
			require.Equal(t, tt.wantOrder, ids(ranked))
			if tt.wantBest == "" {
				require.Nil(t, best)
				return
			}
			require.NotNil(t, best)
			require.Equal(t, tt.wantBest, best.ID)
			require.Equal(t, tt.wantBy, best.By)
			require.InDelta(t, tt.wantConf, best.Confidence, 1e-9)
			if tt.wantReason != "" {
				require.Equal(t, tt.wantReason, best.Reason)
			}
		})
	}
}

func TestMatchTieBreakers(t *testing.T) {
	t.Parallel()
	lead := Lead{EmailDomain: "acme.com"}
	base := Candidate{Name: "Acme", Domain: "acme.com", Contacts: 3, OwnerActive: true, UpdatedAt: jan}
	with := func(id string, f func(*Candidate)) Candidate {
		c := base
		c.ID = id
		f(&c)
		return c
	}
	tests := []struct {
		name      string
		cands     []Candidate
		wantOrder []string
		wantWhy   string
	}{
		{
			name: "more contacts",
			cands: []Candidate{
				with("a", func(*Candidate) {}),
				with("b", func(c *Candidate) { c.Contacts = 12 }),
			},
			wantOrder: []string{"b", "a"},
			wantWhy:   "more contacts (12 vs 3)",
		},
		{
			name: "owner active",
			cands: []Candidate{
				with("a", func(c *Candidate) { c.OwnerActive = false }),
				with("b", func(*Candidate) {}),
			},
			wantOrder: []string{"b", "a"},
			wantWhy:   "owner active (the other account's owner is not)",
		},
		{
			name: "more recently updated",
			cands: []Candidate{
				with("a", func(*Candidate) {}),
				with("b", func(c *Candidate) { c.UpdatedAt = feb }),
			},
			wantOrder: []string{"b", "a"},
			wantWhy:   "more recently updated (2026-02-10T09:00:00Z vs 2026-01-10T09:00:00Z)",
		},
		{
			name: "lower ID",
			cands: []Candidate{
				with("b", func(*Candidate) {}),
				with("a", func(*Candidate) {}),
			},
			wantOrder: []string{"a", "b"},
			wantWhy:   "lower ID (a vs b)",
		},
		{
			name: "contacts outrank an active owner and recency",
			cands: []Candidate{
				with("a", func(c *Candidate) { c.UpdatedAt = feb }),
				with("b", func(c *Candidate) { c.Contacts = 4; c.OwnerActive = false }),
			},
			wantOrder: []string{"b", "a"},
			wantWhy:   "more contacts (4 vs 3)",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			best, ranked := Match(lead, tt.cands, DefaultMin)
			require.Equal(t, tt.wantOrder, ids(ranked))
			require.NotNil(t, best)
			require.Equal(t, "email domain acme.com equals the account's domain; tie on confidence broken by: "+tt.wantWhy, best.Reason)
			require.Equal(t, "email domain acme.com equals the account's domain", ranked[0].Reason, "only the returned best explains")
		})
	}
}

// TestMatchConfidenceBeatsTieBreakers: tie-breakers only order equal confidences, and the winner
// by confidence says nothing about ties.
func TestMatchConfidenceBeatsTieBreakers(t *testing.T) {
	t.Parallel()
	best, ranked := Match(Lead{Company: "Acme Inc"}, []Candidate{
		{ID: "busy", Name: "Acme Industries", Contacts: 500, OwnerActive: true, UpdatedAt: feb},
		{ID: "exact", Name: "ACME Corp."},
	}, 0)
	require.Equal(t, []string{"exact", "busy"}, ids(ranked))
	require.Equal(t, `company name "Acme Inc" ~ "ACME Corp." (1.00)`, best.Reason)
}

func TestNameConfidence(t *testing.T) {
	t.Parallel()
	require.Equal(t, DefaultMin, nameConfidence(DefaultMin), "thresholds below the band mean the same")
	require.Equal(t, nameBandStart, nameConfidence(nameBandStart))
	require.InDelta(t, nameCeiling, nameConfidence(1), 1e-12)
	require.Less(t, nameConfidence(1), websiteConfidence)
	require.Less(t, nameConfidence(0.98), nameConfidence(0.99), "order is kept")
}
