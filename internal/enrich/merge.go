package enrich

import (
	"maps"
	"slices"
	"time"

	"github.com/salesflow/salesflow/internal/records"
)

// Source records where an enriched field's value came from; a record keeps one per enriched field (the
// lead's enrichment JSON). Its presence is also what tells Merge that the value is enrichment's to
// refresh, so the write path must delete a field's entry when a person sets that field: otherwise the
// next enrichment would overwrite the person's value.
type Source struct {
	Provider string    `json:"source"`
	At       time.Time `json:"at"`
}

// Change is Merge's decision for one field offered by a provider, for the run log.
type Change struct {
	Field    string
	From, To any
	Provider string
	Kept     bool   // not written
	Why      string // "was empty", "entered by a person", "already set by directory" …
}

// Merge decides the patch: a field is written when it is empty, or when its current value came from
// enrichment (it has an entry in sources) and the new value differs, or when overwrite is true. A
// non-empty value with no source entry was entered by a person and is kept. The first provider (in
// order) that supplies a field wins; later providers' different values for it are reported as kept.
//
// patch holds only the fields to write; newSources is a copy of sources with the written fields'
// entries set to the provider and the answer's time (sources is not modified). changes lists the
// decisions that write or keep a different value, in found order and by field name within one
// answer; a value equal to the current one is no change. Markers (free_mail) are not record fields and
// are left to the caller.
func Merge(current map[string]any, sources map[string]Source, found []Found, overwrite bool) (patch map[string]any, newSources map[string]Source, changes []Change) {
	patch = map[string]any{}
	newSources = maps.Clone(sources)
	if newSources == nil {
		newSources = map[string]Source{}
	}
	winner := map[string]Change{} // field → the first provider's decision
	for _, f := range found {
		for _, field := range slices.Sorted(maps.Keys(f.Fields)) {
			to := f.Fields[field]
			if field == FreeMailField || empty(to) {
				continue
			}
			from := current[field]
			if first, done := winner[field]; done {
				result := first.To // what the field holds after this merge
				if first.Kept {
					result = from
				}
				if !same(result, to) {
					why := first.Why
					if !first.Kept {
						why = "already set by " + first.Provider
					}
					changes = append(changes, Change{Field: field, From: from, To: to, Provider: f.Provider, Kept: true, Why: why})
				}
				continue
			}
			c := Change{Field: field, From: from, To: to, Provider: f.Provider}
			src, enriched := sources[field]
			switch {
			case empty(from):
				c.Why = "was empty"
			case same(from, to): // no change; remembered so that later providers' values are explained
				c.Kept, c.Why = true, "entered by a person"
				if enriched {
					c.Why = "already set by " + src.Provider
				}
				winner[field] = c
				continue
			case overwrite:
				c.Why = "overwrite is set"
			case enriched:
				c.Why = "refreshed; was set by " + src.Provider
			default:
				c.Kept, c.Why = true, "entered by a person"
			}
			winner[field] = c
			changes = append(changes, c)
			if !c.Kept {
				patch[field] = to
				newSources[field] = Source{Provider: f.Provider, At: f.At}
			}
		}
	}
	return patch, newSources, changes
}

// empty is the record layer's notion of an unset value.
func empty(v any) bool {
	if v == nil {
		return true
	}
	s, ok := v.(string)
	return ok && s == ""
}

// same compares values across the ways a number reaches Merge (float64 from JSON, int from Go code).
func same(a, b any) bool {
	if x, ok := number(a); ok {
		y, ok := number(b)
		return ok && x == y
	}
	return records.Equal(a, b)
}

func number(v any) (float64, bool) {
	switch n := v.(type) {
	case float64:
		return n, true
	case float32:
		return float64(n), true
	case int:
		return float64(n), true
	case int64:
		return float64(n), true
	case int32:
		return float64(n), true
	}
	return 0, false
}
