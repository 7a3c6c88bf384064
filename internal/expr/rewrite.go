package expr

import (
	"strings"
	"unicode/utf8"
)

// rewritten is a source after rewriteSteps, with the way back to the original's positions.
type rewritten struct {
	text string
	// orig maps each rune offset of text (and its end) to the rune offset in the original source.
	orig []int
}

// origOffset maps a rune offset in the rewritten text back to the original source.
func (r rewritten) origOffset(off int) int {
	if off < 0 {
		return 0
	}
	if off >= len(r.orig) {
		return r.orig[len(r.orig)-1]
	}
	return r.orig[off]
}

// rewriteSteps lets step ids contain '-' (steps.first-call.outcome), which a CEL identifier cannot:
// outside string literals and comments, `steps.<id>` with a '-' in the id becomes steps.`<id>`, CEL's
// escaped field name, so the checker still sees a field selection on the typed steps object. Offsets
// are kept so issues point into the text as written.
func rewriteSteps(src string) rewritten {
	var b strings.Builder
	var orig []int
	n := 0                       // rune offset in src
	copyOrig := func(s string) { // original text: each rune maps to itself
		b.WriteString(s)
		for range utf8.RuneCountInString(s) {
			orig = append(orig, n)
			n++
		}
	}
	insert := func(s string) { // added text: maps to the original rune that follows it
		b.WriteString(s)
		orig = append(orig, n)
	}
	i := 0
	for i < len(src) {
		if skip := literalOrComment(src[i:]); skip > 0 {
			copyOrig(src[i : i+skip])
			i += skip
			continue
		}
		if id, ok := hyphenStep(src, i); ok {
			copyOrig("steps.")
			insert("`")
			copyOrig(id)
			insert("`")
			i += len("steps.") + len(id)
			continue
		}
		if isIdentByte(src[i]) {
			// Whole identifiers, so that r"..." is only a raw-string prefix at a token's start.
			k := i
			for k < len(src) && isIdentByte(src[k]) {
				k++
			}
			copyOrig(src[i:k])
			i = k
			continue
		}
		_, size := utf8.DecodeRuneInString(src[i:])
		copyOrig(src[i : i+size])
		i += size
	}
	orig = append(orig, n)
	return rewritten{text: b.String(), orig: orig}
}

// hyphenStep reports whether src[i:] starts `steps.<id>` where the id holds a '-', at an identifier
// boundary (not x.steps, not mysteps).
func hyphenStep(src string, i int) (string, bool) {
	if !strings.HasPrefix(src[i:], "steps.") {
		return "", false
	}
	if i > 0 && (isIdentByte(src[i-1]) || src[i-1] == '.' || src[i-1] == '`') {
		return "", false
	}
	j := i + len("steps.")
	k := j
	for k < len(src) && (isIdentByte(src[k]) || src[k] == '-') {
		k++
	}
	id := src[j:k]
	if !strings.Contains(id, "-") || strings.HasPrefix(id, "-") {
		return "", false
	}
	return id, true
}

func isIdentByte(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// literalOrComment returns the byte length of the string/bytes literal or // comment at the start of
// s, or 0. Unterminated literals run to the end: the parser reports them.
func literalOrComment(s string) int {
	if strings.HasPrefix(s, "//") {
		if nl := strings.IndexByte(s, '\n'); nl >= 0 {
			return nl
		}
		return len(s)
	}
	// Prefixes r, b, rb, br (any case) before a quote.
	p := 0
	raw := false
	for p < len(s) && p < 2 && strings.ContainsRune("rRbB", rune(s[p])) {
		raw = raw || s[p] == 'r' || s[p] == 'R'
		p++
	}
	if p >= len(s) || (s[p] != '"' && s[p] != '\'') {
		return 0
	}
	q := s[p : p+1]
	if strings.HasPrefix(s[p:], q+q+q) {
		end := strings.Index(s[p+3:], q+q+q)
		if end < 0 {
			return len(s)
		}
		return p + 3 + end + 3
	}
	for k := p + 1; k < len(s); k++ {
		switch s[k] {
		case '\\':
			if !raw {
				k++
			}
		case q[0]:
			return k + 1
		case '\n':
			return k
		}
	}
	return len(s)
}
