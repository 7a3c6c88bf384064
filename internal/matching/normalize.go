package matching

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// NormalizeName reduces a company name to the words that identify the company, so that the
// spellings one company appears under in CRM data compare equal:
//
//   - lowercase, accents folded ("Nestlé" → "nestle", "Straße" → "strasse");
//   - "&" becomes "and"; apostrophes vanish ("McDonald's" → "mcdonalds"); all other
//     punctuation separates words ("Hewlett-Packard" → "hewlett packard");
//   - runs of single letters are joined, so dotted initials read as one word ("B.A.S.F." →
//     "basf", "S.A." → "sa");
//   - unambiguous abbreviations are expanded ("Intl" → "international"), see abbreviations;
//   - legal forms are dropped from the end and "the" from the start ("The ACME Corp., Inc." →
//     "acme"), see legalForms and leadingNoise. Only the ends: inside a name these tokens are words
//     ("Co-operative Bank"). A name is never stripped to nothing: "The Company" keeps
//     "company".
//
// Words such as "group", "holdings" or "international" are kept: they tell companies apart.
// The result is words separated by single spaces, or "" when s has no letters or digits. Only
// the first 200 characters of s are read.
func NormalizeName(s string) string {
	return strings.Join(nameTokens(s), " ")
}

// maxNameRunes bounds the input read. No registered company name comes close, and comparing
// names is quadratic in their length, so a pasted essay in a web form's Company field must not
// cost seconds per candidate.
const maxNameRunes = 200

// nameTokens is NormalizeName as a slice of words.
func nameTokens(s string) []string {
	toks := strings.Fields(clean(fold(truncate(s, maxNameRunes))))
	toks = joinInitials(toks)
	for i, t := range toks {
		if full, ok := abbreviations[t]; ok {
			toks[i] = full
		}
	}
	return stripLegal(toks)
}

// fold lowercases s and removes accents. Letters that Unicode cannot decompose (ß, ø, æ, …)
// come from letterFold; the rest are decomposed (NFKD, which also turns ligatures and
// full-width forms into plain letters) and stripped of their combining marks.
func fold(s string) string {
	s = strings.ToLower(s)
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		if rep, ok := letterFold[r]; ok {
			b.WriteString(rep)
			continue
		}
		b.WriteRune(r)
	}
	// A new chain per call: transform.Chain keeps state and is not safe to share.
	t := transform.Chain(norm.NFKD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	out, _, err := transform.String(t, b.String())
	if err != nil {
		// Only reachable on malformed input the transformers reject; unfolded is still
		// comparable, merely less forgiving about accents.
		return b.String()
	}
	return strings.ToLower(out)
}

// clean keeps letters, digits and marks, spells "&" as a word, drops apostrophes so
// possessives stay one word, and turns everything else into a word break.
func clean(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r):
			// Marks that survive fold are spacing vowel signs (Devanagari and the like):
			// part of the word, not a break in it.
			b.WriteRune(r)
		case r == '&':
			b.WriteString(" and ")
		case r == '\'' || r == '’' || r == '‘' || r == '`' || r == 'ʼ':
			// McDonald's → mcdonalds, Int'l → intl
		default:
			b.WriteByte(' ')
		}
	}
	return b.String()
}

// joinInitials merges runs of two or more one-character words: "a p moller" → "ap moller".
// Without it dotted initials would be compared letter by letter and never match their undotted
// spelling.
func joinInitials(toks []string) []string {
	out := toks[:0]
	run := ""
	flush := func() {
		if run != "" {
			out = append(out, run)
			run = ""
		}
	}
	for _, t := range toks {
		if utf8.RuneCountInString(t) == 1 {
			run += t
			continue
		}
		flush()
		out = append(out, t)
	}
	flush()
	return out
}

// stripLegal drops leadingNoise from the front and legalForms from the back, always keeping at
// least one word. A connective left dangling by that goes too: "and" from "& Co." ("Smith &
// Co" → "smith and"), "de" from "Compagnie de Saint-Gobain". Only once something was removed
// next to it, so "Johnson and Johnson" and "De Beers" are safe.
func stripLegal(toks []string) []string {
	stripped := false
	for len(toks) > 1 && (leadingNoise[toks[0]] || (stripped && stopwords[toks[0]])) {
		toks = toks[1:]
		stripped = true
	}
	stripped = false
	for len(toks) > 1 {
		last := toks[len(toks)-1]
		if !legalForms[last] && !(stripped && stopwords[last]) {
			break
		}
		toks = toks[:len(toks)-1]
		stripped = true
	}
	return toks
}

// truncate cuts s to at most n runes.
func truncate(s string, n int) string {
	i := 0
	for pos := range s {
		if i == n {
			return s[:pos]
		}
		i++
	}
	return s
}
