package enrich

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestMerge(t *testing.T) {
	t.Parallel()
	t1 := t0.Add(24 * time.Hour)
	dir := func(f Fields) Found { return Found{Provider: "directory", Fields: f, At: t1} }
	web := func(f Fields) Found { return Found{Provider: "http", Fields: f, At: t1} }
	tests := []struct {
		name        string
		current     map[string]any
		sources     map[string]Source
		found       []Found
		overwrite   bool
		wantPatch   map[string]any
		wantSources map[string]Source
		wantChanges []Change
	}{
		{
			name:        "empty fields are filled",
			current:     map[string]any{"company": "", "industry": nil},
			found:       []Found{dir(Fields{"company": "Acme", "industry": "Software", "employees": 250.0})},
			wantPatch:   map[string]any{"company": "Acme", "industry": "Software", "employees": 250.0},
			wantSources: map[string]Source{"company": {"directory", t1}, "industry": {"directory", t1}, "employees": {"directory", t1}},
			wantChanges: []Change{
				{Field: "company", From: "", To: "Acme", Provider: "directory", Why: "was empty"},
				{Field: "employees", To: 250.0, Provider: "directory", Why: "was empty"},
				{Field: "industry", To: "Software", Provider: "directory", Why: "was empty"},
			},
		},
		{
			name:        "a person's value is kept",
			current:     map[string]any{"industry": "Fintech"},
			found:       []Found{dir(Fields{"industry": "Software"}), web(Fields{"industry": "Fintech"})},
			wantPatch:   map[string]any{},
			wantSources: map[string]Source{},
			wantChanges: []Change{{Field: "industry", From: "Fintech", To: "Software", Provider: "directory", Kept: true, Why: "entered by a person"}},
		},
		{
			name:        "an enriched value is refreshed",
			current:     map[string]any{"industry": "Software", "employees": 200.0, "company": "Acme"},
			sources:     map[string]Source{"industry": {"http", t0}, "employees": {"directory", t0}, "company": {"directory", t0}},
			found:       []Found{dir(Fields{"industry": "SaaS", "employees": 250.0, "company": "Acme"})},
			wantPatch:   map[string]any{"industry": "SaaS", "employees": 250.0},
			wantSources: map[string]Source{"industry": {"directory", t1}, "employees": {"directory", t1}, "company": {"directory", t0}},
			wantChanges: []Change{
				{Field: "employees", From: 200.0, To: 250.0, Provider: "directory", Why: "refreshed; was set by directory"},
				{Field: "industry", From: "Software", To: "SaaS", Provider: "directory", Why: "refreshed; was set by http"},
			},
		},
		{
			name:        "overwrite replaces a person's value",
			current:     map[string]any{"industry": "Fintech", "country": "DE"},
			found:       []Found{dir(Fields{"industry": "Software", "country": "DE"})},
			overwrite:   true,
			wantPatch:   map[string]any{"industry": "Software"},
			wantSources: map[string]Source{"industry": {"directory", t1}},
			wantChanges: []Change{{Field: "industry", From: "Fintech", To: "Software", Provider: "directory", Why: "overwrite is set"}},
		},
		{
			name:        "the first provider wins",
			current:     map[string]any{"company": "Acme", "employees": 10},
			found:       []Found{dir(Fields{"industry": "Software", "company": "Acme"}), web(Fields{"industry": "SaaS", "company": "ACME Corp", "country": "US", "employees": 10.0})},
			wantPatch:   map[string]any{"industry": "Software", "country": "US"},
			wantSources: map[string]Source{"industry": {"directory", t1}, "country": {"http", t1}},
			wantChanges: []Change{
				{Field: "industry", To: "Software", Provider: "directory", Why: "was empty"},
				{Field: "company", From: "Acme", To: "ACME Corp", Provider: "http", Kept: true, Why: "entered by a person"},
				{Field: "country", To: "US", Provider: "http", Why: "was empty"},
				{Field: "industry", To: "SaaS", Provider: "http", Kept: true, Why: "already set by directory"},
			},
		},
		{
			name:        "empty answers and markers write nothing",
			current:     map[string]any{},
			sources:     map[string]Source{"website": {"http", t0}},
			found:       []Found{{Provider: "free_mail", Fields: Fields{"free_mail": true}, At: t1}, dir(Fields{}), web(Fields{"industry": ""})},
			wantPatch:   map[string]any{},
			wantSources: map[string]Source{"website": {"http", t0}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			before := map[string]Source{}
			for k, v := range tt.sources {
				before[k] = v
			}
			patch, sources, changes := Merge(tt.current, tt.sources, tt.found, tt.overwrite)
			require.Equal(t, tt.wantPatch, patch)
			require.Equal(t, tt.wantSources, sources)
			require.Equal(t, tt.wantChanges, changes)
			if tt.sources != nil {
				require.Equal(t, before, tt.sources, "the caller's sources are not modified")
			}
		})
	}
}
