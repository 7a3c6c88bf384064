package matching

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/require"
)

func TestNameSimilarity(t *testing.T) {
	t.Parallel()
	tests := []struct {
		a, b     string
		min, max float64
	}{
		{"Acme Inc", "ACME", 1, 1},
		{"The ACME Corp., Inc.", "acme", 1, 1},
		{"", "Acme", 0, 0},
		{"Inc.", "", 0, 0},
		{"Hotel Grand Central", "Grand Central Hotel", 0.95, 0.99}, // order does not matter, but exact ranks first
		{"Deloitte Consulting", "Deloite Consulting", DefaultMin, 0.99},
		{"Seimens Healthineers", "Siemens Healthineers", DefaultMin, 0.99},
		{"Wal-Mart", "Walmart", 0.98, 0.98},
		{"IBM", "International Business Machines Corp.", 0.9, 0.9},
		{"Contoso Pharmaceutical", "Contoso Pharmaceuticals", DefaultMin, 0.99},
		{"Acme", "Acme Industries", 0.3, 0.5},
		{"Globex", "Globe", 0, 0},
		{"Globex Corporation", "Globe Telecom", 0, 0},
		{"Northwind Traders", "Northwest Airlines", 0, 0},
		{"Acme Foods", "Acme Steel", 0, 0.5},
		{"Studio 54", "Studio 55", 0, 0.75}, // numbers must match exactly
		{"GE", "General Electric", 0, 0},    // two-letter acronyms are not trusted
	}
	for _, tt := range tests {
		got := NameSimilarity(tt.a, tt.b)
		require.GreaterOrEqual(t, got, tt.min, "NameSimilarity(%q, %q)", tt.a, tt.b)
		require.LessOrEqual(t, got, tt.max, "NameSimilarity(%q, %q)", tt.a, tt.b)
	}
	// The brief's ordering: a suffix variant beats an extra word.
	require.Greater(t, NameSimilarity("Acme Inc", "ACME"), NameSimilarity("Acme", "Acme Industries"))
}

func FuzzNameSimilarity(f *testing.F) {
	for _, s := range [][2]string{
		{"The ACME Corp., Inc.", "Acme"},
		{"Globex", "Globe"},
		{"IBM", "International Business Machines"},
		{"Wal-Mart", "Walmart"},
		{"Straße", "Strasse"},
		{"", "&"},
		{"a b c", "abc inc"},
		{"\xff\xfe", "ＡＣＭＥ"},
	} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		s := NameSimilarity(a, b)
		if !(s >= 0 && s <= 1) { // also rejects NaN
			t.Fatalf("NameSimilarity(%q, %q) = %v, outside [0,1]", a, b, s)
		}
		if r := NameSimilarity(b, a); r != s {
			t.Fatalf("not symmetric: (%q, %q) = %v, reversed %v", a, b, s, r)
		}
		if NormalizeName(a) != "" {
			if self := NameSimilarity(a, a); self != 1 {
				t.Fatalf("NameSimilarity(%q, itself) = %v, want 1", a, self)
			}
		} else if s != 0 {
			t.Fatalf("NameSimilarity(%q, %q) = %v though %q normalises to nothing", a, b, s, a)
		}
	})
}

// TestNameSimilarityLongInput guards the input cap: comparison is quadratic, and a Company field
// is whatever a web form was sent.
func TestNameSimilarityLongInput(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("abcdefgh ", 100_000)
	require.LessOrEqual(t, utf8.RuneCountInString(NormalizeName(long)), maxNameRunes)
	require.Equal(t, 1.0, NameSimilarity(long, long))
	require.Zero(t, NameSimilarity(long, strings.Repeat("qrstuvwx ", 100_000)))
}

func BenchmarkNameSimilarity(b *testing.B) {
	for b.Loop() {
		NameSimilarity("Global Logistics Intl., Inc.", "Global Logistcs International GmbH & Co. KG")
	}
}
