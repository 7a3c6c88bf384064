package matching

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestNormalizeName(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"The ACME Corp., Inc.", "acme"},
		{"  Acme   Inc  ", "acme"},
		{"Nestlé S.A.", "nestle"},
		{"Straße Bau GmbH", "strasse bau"},
		{"Øresund Logistics ApS", "oresund logistics"},
		{"Procter & Gamble Co.", "procter and gamble"},
		{"Johnson & Johnson", "johnson and johnson"},
		{"Smith & Co.", "smith"},                      // the "and" left by "& Co." goes with it
		{"Müller GmbH & Co. KG", "muller"},            // stacked German forms
		{"Compagnie de Saint-Gobain", "saint gobain"}, // and the "de" left by "Compagnie"
		{"McDonald's Corporation", "mcdonalds"},
		{"Hewlett-Packard Company", "hewlett packard"},
		{"B.A.S.F. SE", "basf"},
		{"A.P. Moller - Maersk", "ap moller maersk"},
		{"Acme Int'l", "acme international"},
		{"Acme Mfg", "acme manufacturing"},
		{"Salesforce.com, Inc.", "salesforce"},
		{"Capital Group", "capital group"},         // "group" identifies; it stays
		{"Co-operative Bank", "co operative bank"}, // legal forms only go from the ends
		{"De Beers", "de beers"},                   // a leading "de" is part of the name
		{"The Company", "company"},                 // never stripped to nothing
		{"Inc.", "inc"},
		{"ＡＣＭＥ ﬁnance", "acme finance"}, // full-width and ligature forms
		{"", ""},
		{" .,-& ", "and"},
		{"!!!", ""},
	}
	for _, tt := range tests {
		require.Equal(t, tt.want, NormalizeName(tt.in), "NormalizeName(%q)", tt.in)
	}
}

// TestNormalizeNameIdempotent: the store may keep normalised names, and normalising them again
// at query time must not move them.
func TestNormalizeNameIdempotent(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"The The Acme Inc & Co", "a b c d Ltd", "Compagnie de la Poste", "x and inc"} {
		n := NormalizeName(s)
		require.Equal(t, n, NormalizeName(n), "NormalizeName(%q)", s)
	}
}
