package expr

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestRewriteSteps(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, out string }{
		{`steps.first-call.outcome`, "steps.`first-call`.outcome"},
		{`steps.a-b-c.x == steps.plain.y`, "steps.`a-b-c`.x == steps.plain.y"},
		{`"steps.first-call" == steps.x-y.z`, "\"steps.first-call\" == steps.`x-y`.z"},
		{`'it''s' + r"steps.a-b" + steps.a-b.c`, "'it''s' + r\"steps.a-b\" + steps.`a-b`.c"},
		{"// steps.a-b\nsteps.a-b.c", "// steps.a-b\nsteps.`a-b`.c"},
		{`mysteps.a-b`, `mysteps.a-b`},     // not the steps variable
		{`x.steps.a-b`, `x.steps.a-b`},     // a field named steps
		{`steps.a - b`, `steps.a - b`},     // spaces: subtraction
		{`steps.-a`, `steps.-a`},           // not an id
		{"steps.`a-b`.c", "steps.`a-b`.c"}, // already escaped
		{`"""steps.a-b""" + steps.c-d.e`, "\"\"\"steps.a-b\"\"\" + steps.`c-d`.e"},
		{`"unterminated steps.a-b`, `"unterminated steps.a-b`},
	}
	for _, tc := range tests {
		rw := rewriteSteps(tc.in)
		require.Equal(t, tc.out, rw.text, tc.in)
		require.Len(t, rw.orig, len([]rune(rw.text))+1, tc.in)
	}
	// Offsets map back: the 'o' of outcome is rune 17 of the source, 19 of the rewrite.
	rw := rewriteSteps("steps.first-call.outcome")
	require.Equal(t, 17, rw.origOffset(19))
	require.Equal(t, 6, rw.origOffset(6))   // the inserted backtick maps to the id's first rune
	require.Equal(t, 24, rw.origOffset(99)) // past the end: the end
}

func TestLineCol(t *testing.T) {
	t.Parallel()
	s := "ab\né\n\nxyz"
	for off, want := range [][2]int{{1, 1}, {1, 2}, {1, 3}, {2, 1}, {2, 2}, {3, 1}, {4, 1}, {4, 2}} {
		line, col := lineCol(s, off)
		require.Equal(t, want, [2]int{line, col}, "offset %d", off)
		require.Equal(t, off, runeOffset(s, line, col-1), "offset %d", off)
	}
}
