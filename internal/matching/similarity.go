package matching

import (
	"cmp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	edlib "github.com/hbollon/go-edlib"
)

// DefaultMin is the name similarity at or above which two company names are taken to be the same
// company. It is what TestNameQuality measures precision and recall at.
const DefaultMin = 0.8

// Scores for the ways two different normalised names can still be the same company. All are
// below 1 so that an exact normalised match always ranks first.
const (
	// maxUnequal caps any pair whose normalised names differ, word-order swaps included.
	maxUnequal = 0.99
	// joinedScore: the same letters, split into words differently ("Wal-Mart" / "Walmart").
	joinedScore = 0.98
	// pluralScore: a word in the singular on one side and the plural on the other.
	pluralScore = 0.95
	// acronymScore: one name is the initials of the other ("IBM"). Confident but not certain.
	acronymScore = 0.9
	// minAcronym is the shortest acronym trusted: two-letter ones ("GE", "HP") collide with
	// too many unrelated names.
	minAcronym = 3
)

// NameSimilarity says how likely two company names are to name the same company, from 0
// (unrelated) to 1 (identical once normalised by NormalizeName). It is symmetric, and 0 when
// either name normalises to nothing.
//
// Names are compared word by word, not as strings, because in company names the words carry
// identity unevenly: "Acme Foods" and "Acme Steel" share most of their letters and nothing of
// their meaning. Each word of one name is paired with at most one word of the other (best
// pairs first), and the score is the share of all letters that sit in paired words, weighted
// by how well the pair matches (a soft Sørensen–Dice over words). So:
//
//   - word order does not matter ("Hotel Grand Central" / "Grand Central Hotel");
//   - an extra word costs in proportion to its length ("Acme" / "Acme Industries" is 0.44);
//   - stopwords ("of", "and", "de") are ignored.
//
// Two words pair when they are equal, singular/plural of each other, or plausibly one typo
// apart (see wordSimilarity); merely similar words ("Globex" / "Globe", "Northwind" /
// "Northwest") do not pair at all, since that is where look-alike companies differ. On top of
// the word score, names spelled with the same letters but split differently, and acronyms of
// three or more letters, score joinedScore and acronymScore.
func NameSimilarity(a, b string) float64 {
	ta, tb := nameTokens(a), nameTokens(b)
	if len(ta) == 0 || len(tb) == 0 {
		return 0
	}
	na, nb := strings.Join(ta, " "), strings.Join(tb, " ")
	if na == nb {
		return 1
	}
	// The word pairing is greedy; a fixed argument order makes the result exactly symmetric
	// even when pairs tie.
	if na > nb {
		ta, tb = tb, ta
	}
	s := wordScore(contentWords(ta), contentWords(tb))
	if strings.Join(ta, "") == strings.Join(tb, "") {
		s = max(s, joinedScore)
	}
	if isAcronym(ta, tb) || isAcronym(tb, ta) {
		s = max(s, acronymScore)
	}
	return min(s, maxUnequal)
}

// contentWords drops stopwords, unless the name is nothing but stopwords.
func contentWords(toks []string) []string {
	out := make([]string, 0, len(toks))
	for _, t := range toks {
		if !stopwords[t] {
			out = append(out, t)
		}
	}
	if len(out) == 0 {
		return toks
	}
	return out
}

// wordScore pairs the words of a and b one to one, best matches first, and returns the
// letter-weighted share of both names covered by pairs: Σ sim·(|x|+|y|) / (Σ|a| + Σ|b|).
func wordScore(a, b []string) float64 {
	type pair struct {
		i, j int
		sim  float64
	}
	var pairs []pair
	total := 0
	for _, x := range a {
		total += utf8.RuneCountInString(x)
	}
	for _, y := range b {
		total += utf8.RuneCountInString(y)
	}
	for i, x := range a {
		for j, y := range b {
			if s := wordSimilarity(x, y); s > 0 {
				pairs = append(pairs, pair{i, j, s})
			}
		}
	}
	// Insertion order is (i, j), so a stable sort by similarity keeps ties deterministic.
	slices.SortStableFunc(pairs, func(p, q pair) int { return cmp.Compare(q.sim, p.sim) })

	usedA := make([]bool, len(a))
	usedB := make([]bool, len(b))
	covered := 0.0
	for _, p := range pairs {
		if usedA[p.i] || usedB[p.j] {
			continue
		}
		usedA[p.i], usedB[p.j] = true, true
		covered += p.sim * float64(utf8.RuneCountInString(a[p.i])+utf8.RuneCountInString(b[p.j]))
	}
	if total == 0 {
		return 0
	}
	return covered / float64(total)
}

// wordSimilarity scores two words: 1 when equal, pluralScore for singular/plural, their
// Jaro-Winkler similarity when they are plausibly one typo apart, and 0 otherwise.
//
// What counts as a typo depends on length, because a one-letter change turns a short word
// into a different word ("Globe" / "Globex", "Sony" / "Sonos") far more often than a long one:
//
//   - an adjacent transposition ("Seimens") in words of five letters or more;
//   - any single edit in words of eight letters or more ("Deloite", "Caterpiller");
//   - two edits in words of thirteen letters or more.
//
// Words containing digits must match exactly: "Studio 54" is not "Studio 55".
func wordSimilarity(x, y string) float64 {
	if x == y {
		return 1
	}
	if stem(x) == stem(y) {
		return pluralScore
	}
	if hasDigit(x) || hasDigit(y) {
		return 0
	}
	n := max(utf8.RuneCountInString(x), utf8.RuneCountInString(y))
	d := edlib.OSADamerauLevenshteinDistance(x, y)
	transposed := d == 1 && edlib.LevenshteinDistance(x, y) == 2
	if (n >= 5 && transposed) || (n >= 8 && d <= 1) || (n >= 13 && d <= 2) {
		return float64(edlib.JaroWinklerSimilarity(x, y))
	}
	return 0
}

// stem removes an English plural ending: "technologies" → "technology", "foods" → "food".
// It is only ever compared with another stem, so over-stemming ("siemens" → "siemen") is
// harmless.
func stem(w string) string {
	switch {
	case len(w) > 4 && strings.HasSuffix(w, "ies"):
		return w[:len(w)-3] + "y"
	case len(w) > 3 && strings.HasSuffix(w, "s") && !strings.HasSuffix(w, "ss"):
		return w[:len(w)-1]
	}
	return w
}

func hasDigit(w string) bool {
	return strings.IndexFunc(w, unicode.IsDigit) >= 0
}

// isAcronym reports whether short is a single word of at least minAcronym letters spelling the
// initials of long's words, with or without its stopwords ("BoA" and "BA" for "Bank of
// America" both count).
func isAcronym(short, long []string) bool {
	if len(short) != 1 || len(long) < minAcronym {
		return false
	}
	acr := short[0]
	if utf8.RuneCountInString(acr) < minAcronym || hasDigit(acr) {
		return false
	}
	return acr == initials(long) || acr == initials(contentWords(long))
}

func initials(toks []string) string {
	var b strings.Builder
	for _, t := range toks {
		r, _ := utf8.DecodeRuneInString(t)
		b.WriteRune(r)
	}
	return b.String()
}
