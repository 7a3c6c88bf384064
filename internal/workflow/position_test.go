package workflow

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// Every expression problem of the positions-* golden files is reported at the first character of the
// unknown field's name, whatever the scalar's style: the column is checked against the input itself,
// so a golden file accepted with -update cannot hide a wrong position.
func TestPositionsPointAtTheName(t *testing.T) {
	files, err := filepath.Glob("testdata/positions-*.wftest")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	unknown := regexp.MustCompile(`unknown field (\w+) of`)
	l := testLinter(t)
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			raw, err := os.ReadFile(f)
			require.NoError(t, err)
			input, _, _ := strings.Cut(string(raw), goldenSeparator)
			_, diags := l.Lint(context.Background(), []Source{{File: f, Content: []byte(input)}})
			require.Len(t, diags, strings.Count(input, ".bogus"), "one problem per bogus field: %v", diags)
			lines := strings.Split(input, "\n")
			for _, d := range diags {
				m := unknown.FindStringSubmatch(d.Message)
				require.NotNil(t, m, "unexpected diagnostic %s", d)
				require.LessOrEqual(t, d.Line, len(lines), "%s", d)
				line := []rune(lines[d.Line-1])
				require.LessOrEqual(t, d.Col, len(line), "%s", d)
				require.True(t, strings.HasPrefix(string(line[d.Col-1:]), m[1]),
					"%s points at %q, want %q", d, string(line[d.Col-1:]), m[1])
			}
		})
	}
}

// PosAt maps a marker in a scalar's decoded text back to the marker in the source, in every style.
func TestPosAtStyles(t *testing.T) {
	t.Parallel()
	cases := map[string]string{
		"plain":                  "v: a b ÄXY",
		"plain continued":        "v: a b\n  c\n\n   dXY e",
		"double quoted":          `v: "a \"b\" \\ \t \u00e9 \U0001F600 \ud83d\ude00 XY"`,
		"double quoted folded":   "v: \"a\n   b \n\n  cXY\"",
		"double escaped break":   "v: \"ab \\\n    cXY\"",
		"single quoted":          "v: 'It''s ''XY'''",
		"single quoted folded":   "v: 'a\n  ''b''\n  XY'",
		"literal":                "v: |\n  a\n\n  b XY\n",
		"literal keep":           "v: |+\n  a\n  XY\n\n",
		"literal strip":          "v: |-\n  a\n  XY\n",
		"literal indicator":      "v:\n  w: |2\n      a\n     XY\n",
		"literal indicator more": "v: |4-\n      a\n     XY\n",
		"folded":                 "v: >\n  a\n  b\n\n  c\n    more\n  dXY\n",
		"folded strip":           "v: >-\n  a b\n  XY\n",
		"flow mapping":           "v: { w: \"é\", x: \"aXY\" }",
		"json":                   `{"v": "\u00dcber \"XY\""}`,
		"flow sequence":          "v: [a, 'b''XY']",
		"in a list":              "v:\n  - a\n  - - bXY",
	}
	for name, src := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			docs, diags := ParseFile("f.yaml", []byte(src))
			require.Empty(t, diags)
			require.Len(t, docs, 1)
			n := findScalar(docs[0].Root, "XY")
			require.NotNil(t, n, "no scalar with XY in %q", src)
			before, _, _ := strings.Cut(n.Value, "XY")
			line := strings.Count(before, "\n") + 1
			col := len([]rune(before[strings.LastIndex(before, "\n")+1:])) + 1
			p := n.PosAt(line, col)
			srcLines := strings.Split(src, "\n")
			require.LessOrEqual(t, p.Line, len(srcLines))
			at := []rune(srcLines[p.Line-1])
			require.LessOrEqual(t, p.Col, len(at), "%v", p)
			require.True(t, strings.HasPrefix(string(at[p.Col-1:]), "XY"), "%q: %v points at %q", n.Value, p, string(at[p.Col-1:]))
		})
	}
}

func findScalar(n *Node, marker string) *Node {
	if n == nil {
		return nil
	}
	if n.Kind == ScalarNode && strings.Contains(n.Value, marker) {
		return n
	}
	for _, p := range n.Pairs {
		if s := findScalar(p.Value, marker); s != nil {
			return s
		}
	}
	for _, it := range n.Items {
		if s := findScalar(it, marker); s != nil {
			return s
		}
	}
	return nil
}

// Positions outside the text, and text the source does not decode to, fall back to where the text
// begins: vague, never wrong.
func TestPosAtFallsBack(t *testing.T) {
	t.Parallel()
	docs, diags := ParseFile("f.yaml", []byte("a: x\nv: \"ab\ncd\"\n"))
	require.Empty(t, diags)
	n := docs[0].Root.Get("v")
	start := Pos{Line: 2, Col: 5}
	require.Equal(t, start, n.TextPos())
	require.Equal(t, Pos{Line: 3, Col: 1}, n.PosAt(1, 4), "the 4th character is c, on the next line")
	require.Equal(t, Pos{Line: 3, Col: 3}, n.PosAt(1, 6), "one past the end is allowed")
	require.Equal(t, start, n.PosAt(1, 7))
	require.Equal(t, start, n.PosAt(2, 1))
	require.Equal(t, start, n.PosAt(0, 0))
	changed := *n
	changed.Value = "something else"
	require.Equal(t, start, changed.PosAt(1, 3))
	require.Equal(t, Pos{Line: 1, Col: 1}, (&Node{Kind: ScalarNode, Pos: Pos{Line: 1, Col: 1}, Value: "x"}).PosAt(1, 1))
}

// FuzzPosAt checks PosAt on every character of every scalar: it lands in the file, and on that very
// character unless it is written as an escape (” or \…), is a folded line break, or the text could
// not be mapped (then it is the start of the text). Run:
// go test -run '^$' -fuzz FuzzPosAt -fuzztime 60s ./internal/workflow/
func FuzzPosAt(f *testing.F) {
	for _, src := range []string{"v: a b\n  c", `v: "a \"b\" \u00e9 XY"`, "v: 'It''s'", "v: |2\n   a\n  b\n", "v: >-\n  a\n\n  b\n",
		`{"v": ["x\ty", {"w": "\ud83d\ude00 z"}]}`, "v:\n  - \"a\\\n    b\""} {
		f.Add([]byte(src))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		text := strings.TrimPrefix(strings.ReplaceAll(string(src), "\r\n", "\n"), "\ufeff")
		if strings.Contains(text, "\r") {
			t.Skip("a lone CR breaks lines for the YAML parser but not for ParseFile's lines")
		}
		docs, _ := ParseFile("f.yaml", src)
		lines := strings.Split(text, "\n")
		for _, d := range docs {
			walkScalars(d.Root, func(n *Node) {
				start := n.textStart()
				for i, l := range strings.Split(n.Value, "\n") {
					for j, r := range []rune(l) {
						p := n.PosAt(i+1, j+1)
						if p.Line < 1 || p.Line > len(lines) || p.Col < 1 || p.Col > len([]rune(lines[p.Line-1]))+1 {
							t.Fatalf("%q at %d:%d maps outside the file: %v", n.Value, i+1, j+1, p)
						}
						if p == start || r == ' ' || r == '\t' {
							continue
						}
						if got := []rune(lines[p.Line-1]); p.Col > len(got) || (got[p.Col-1] != r && got[p.Col-1] != '\\' && got[p.Col-1] != '\'') {
							t.Fatalf("%q at %d:%d (%q) maps to %v in %q", n.Value, i+1, j+1, r, p, lines[p.Line-1])
						}
					}
				}
			})
		}
	})
}

func walkScalars(n *Node, fn func(*Node)) {
	if n == nil {
		return
	}
	if n.Kind == ScalarNode {
		fn(n)
	}
	for _, p := range n.Pairs {
		walkScalars(p.Value, fn)
	}
	for _, it := range n.Items {
		walkScalars(it, fn)
	}
}
