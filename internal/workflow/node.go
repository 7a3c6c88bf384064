package workflow

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"

	yaml "github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
	"github.com/goccy/go-yaml/token"
)

// Pos is a 1-based position in a source file.
type Pos struct{ Line, Col int }

func (p Pos) String() string { return fmt.Sprintf("%d:%d", p.Line, p.Col) }

// NodeKind says what a Node holds.
type NodeKind int

// The node kinds.
const (
	ScalarNode NodeKind = iota
	MapNode
	ListNode
	NullNode
)

// Node is a YAML (or JSON) value with its position. It is our own small tree, so that everything
// after parsing — spec checks, expression positions, plans — is independent of the YAML library.
type Node struct {
	Kind  NodeKind
	Pos   Pos
	Value string // a scalar's text
	// Quoted tells a quoted scalar ("09:00") from a plain one, and where its text starts.
	Quoted bool
	// Block is set for | and > scalars: their text starts on the next line at column BlockCol.
	Block    bool
	BlockCol int
	Pairs    []Pair // a map's entries, in order
	Items    []*Node
	// src lets PosAt map offsets in a string scalar's Value back to the file; nil for other nodes.
	src *scalarSource
}

// Pair is one map entry.
type Pair struct {
	Key    string
	KeyPos Pos
	Value  *Node
}

// Get returns the value of key in a map node, or nil.
func (n *Node) Get(key string) *Node {
	if n == nil || n.Kind != MapNode {
		return nil
	}
	for _, p := range n.Pairs {
		if p.Key == key {
			return p.Value
		}
	}
	return nil
}

func (n *Node) ItemsOrNil() []*Node {
	if n == nil {
		return nil
	}
	return n.Items
}

func (n *Node) PairsOrNil() []Pair {
	if n == nil {
		return nil
	}
	return n.Pairs
}

// Has reports whether a map node has key.
func (n *Node) Has(key string) bool { return n.Get(key) != nil }

// Str returns a scalar's text, or "".
func (n *Node) Str() string {
	if n == nil || n.Kind != ScalarNode {
		return ""
	}
	return n.Value
}

// TextPos returns where a scalar's text begins in the file. PosAt maps positions further inside it.
func (n *Node) TextPos() Pos { return n.PosAt(1, 1) }

// textStart is where a scalar's text begins, from its token alone: exact for a plain or quoted scalar
// and for a block scalar without an indentation indicator.
func (n *Node) textStart() Pos {
	switch {
	case n.Block && n.src != nil:
		return blockStart(n.src.lines, n.Pos.Line)
	case n.Block:
		return Pos{Line: n.Pos.Line + 1, Col: n.BlockCol}
	case n.Quoted:
		return Pos{Line: n.Pos.Line, Col: n.Pos.Col + 1}
	}
	return n.Pos
}

// Document is one YAML document of a file.
type Document struct {
	File string
	Root *Node
	Text string // the document's own text, as written: what a version stores
}

var separatorLine = regexp.MustCompile(`^---([ \t].*)?$`)

// ParseFile splits src into documents at its "---" lines and parses each on its own, with positions
// in the whole file. Splitting ourselves keeps each document's own text for its version, and a
// problem in one document (a syntax error, a comment-only document) cannot hide the others. CRLF line
// ends and a byte-order mark are accepted.
func ParseFile(file string, src []byte) ([]Document, []Diagnostic) {
	// CRLF and a lone CR end lines as LF does (so the YAML parser and our line numbers agree).
	text := strings.TrimPrefix(strings.ReplaceAll(strings.ReplaceAll(string(src), "\r\n", "\n"), "\r", "\n"), "\ufeff")
	lines := strings.Split(text, "\n")
	var docs []Document
	var diags []Diagnostic
	start := 0
	flush := func(end int) {
		chunk, first := lines[start:end], start
		if len(chunk) > 0 && separatorLine.MatchString(chunk[0]) {
			if rest := strings.TrimSpace(chunk[0][3:]); rest == "" || strings.HasPrefix(rest, "#") {
				chunk, first = chunk[1:], first+1
			} else {
				chunk = append([]string{"   " + chunk[0][3:]}, chunk[1:]...) // "--- {…}": content after the marker
			}
		}
		if hasContent(strings.Join(chunk, "\n")) {
			d, ds := parseDocument(file, lines, first, chunk)
			diags = append(diags, ds...)
			if d != nil {
				docs = append(docs, *d)
			}
		}
		start = end
	}
	for i, l := range lines {
		if i > 0 && separatorLine.MatchString(l) {
			flush(i)
		}
	}
	flush(len(lines))
	return docs, diags
}

// maxNesting bounds how deeply flow collections ([ and {) may nest. The YAML parser's memory grows with
// the square of the depth (gigabytes at 40,000 levels); no definition needs more than a few levels.
const maxNesting = 64

// nestingTooDeep reports the line (0-based, in chunk) where [ and { first nest deeper than maxNesting,
// skipping quoted text and comments.
func nestingTooDeep(chunk []string) (int, bool) {
	depth := 0
	for i, line := range chunk {
		var quote rune
		prev := ' '
	scan:
		for _, r := range line {
			switch {
			case quote != 0:
				if r == quote && (quote == '\'' || prev != '\\') {
					quote = 0
				}
			case r == '"' || r == '\'':
				quote = r
			case r == '#' && prev == ' ':
				break scan // a comment runs to the end of the line
			case r == '[' || r == '{':
				if depth++; depth > maxNesting {
					return i, true
				}
			case r == ']' || r == '}':
				depth--
			}
			prev = r
		}
	}
	return 0, false
}

// parseDocument parses the lines of one document, which start at line first (0-based) of the file.
func parseDocument(file string, all []string, first int, chunk []string) (*Document, []Diagnostic) {
	if at, deep := nestingTooDeep(chunk); deep {
		line := first + at + 1
		return nil, []Diagnostic{{File: file, Pos: Pos{line, 1}, Line: line, Col: 1, Severity: Error,
			Message: fmt.Sprintf("lists and maps nest more than %d levels deep", maxNesting)}}
	}
	padded := strings.Repeat("\n", first) + strings.Join(chunk, "\n")
	f, err := parser.ParseBytes([]byte(padded), 0)
	if err != nil {
		return nil, []Diagnostic{syntaxDiagnostic(file, err)}
	}
	var bodies []ast.Node
	for _, d := range f.Docs {
		if d.Body != nil {
			bodies = append(bodies, d.Body)
		}
	}
	if len(bodies) != 1 {
		return nil, []Diagnostic{{File: file, Pos: Pos{first + 1, 1}, Line: first + 1, Col: 1, Severity: Error,
			Message: fmt.Sprintf("expected one document here, found %d: separate documents with a line of ---", len(bodies))}}
	}
	root, diags := convert(file, all, bodies[0])
	if len(diags) > 0 {
		return nil, diags
	}
	if root.Kind == NullNode {
		return nil, nil
	}
	return &Document{File: file, Root: root, Text: strings.Trim(strings.Join(chunk, "\n"), "\n") + "\n"}, nil
}

func syntaxDiagnostic(file string, err error) Diagnostic {
	var se *yaml.SyntaxError
	if errors.As(err, &se) && se.Token != nil {
		p := Pos{se.Token.Position.Line, se.Token.Position.Column}
		return Diagnostic{File: file, Pos: p, Line: p.Line, Col: p.Col, Severity: Error, Message: "YAML: " + strings.ReplaceAll(se.Message, "\t", "\\t")}
	}
	return Diagnostic{File: file, Pos: Pos{1, 1}, Line: 1, Col: 1, Severity: Error, Message: "YAML: " + err.Error()}
}

func pos(tk *token.Token) Pos {
	if tk == nil {
		return Pos{1, 1}
	}
	return Pos{tk.Position.Line, tk.Position.Column}
}

// convert turns goccy's AST into Nodes. Anchors, aliases and tags are refused: definitions are read by
// people in reviews, and an alias hides what a step really does.
func convert(file string, lines []string, n ast.Node) (*Node, []Diagnostic) {
	bad := func(msg string) (*Node, []Diagnostic) {
		return nil, []Diagnostic{{File: file, Pos: pos(n.GetToken()), Severity: Error, Message: msg}}
	}
	switch x := n.(type) {
	case *ast.DocumentNode:
		return convert(file, lines, x.Body)
	case *ast.CommentGroupNode:
		return &Node{Kind: NullNode, Pos: pos(x.GetToken())}, nil
	case *ast.NullNode:
		return &Node{Kind: NullNode, Pos: withinLine(lines, pos(x.GetToken()))}, nil
	case *ast.MappingNode:
		out := &Node{Kind: MapNode, Pos: pos(x.GetToken())}
		for _, mv := range x.Values {
			p, diags := convertPair(file, lines, mv)
			if diags != nil {
				return nil, diags
			}
			out.Pairs = append(out.Pairs, p)
		}
		if len(x.Values) > 0 && x.Values[0].Key != nil {
			out.Pos = pos(x.Values[0].Key.GetToken())
		}
		return out, nil
	case *ast.MappingValueNode:
		p, diags := convertPair(file, lines, x)
		if diags != nil {
			return nil, diags
		}
		return &Node{Kind: MapNode, Pos: p.KeyPos, Pairs: []Pair{p}}, nil
	case *ast.SequenceNode:
		out := &Node{Kind: ListNode, Pos: pos(x.GetToken())}
		for _, v := range x.Values {
			c, diags := convert(file, lines, v)
			if diags != nil {
				return nil, diags
			}
			out.Items = append(out.Items, c)
		}
		return out, nil
	case *ast.LiteralNode:
		out := &Node{Kind: ScalarNode, Pos: pos(x.GetToken()), Value: x.Value.Value, Block: true}
		out.BlockCol = blockColumn(lines, out.Pos.Line)
		style := styleLiteral
		if x.Start != nil && x.Start.Type == token.FoldedType {
			style = styleFolded
		}
		out.src = &scalarSource{lines: lines, style: style, start: out.Pos}
		return out, nil
	case *ast.StringNode:
		tk := x.GetToken()
		style := stylePlain
		if tk != nil && tk.Type == token.DoubleQuoteType {
			style = styleDoubleQuoted
		} else if tk != nil && tk.Type == token.SingleQuoteType {
			style = styleSingleQuoted
		}
		out := &Node{Kind: ScalarNode, Pos: pos(tk), Value: x.Value, Quoted: style != stylePlain}
		if tk != nil {
			out.src = &scalarSource{lines: lines, style: style, start: out.Pos}
		}
		return out, nil
	case *ast.IntegerNode, *ast.FloatNode, *ast.BoolNode, *ast.InfinityNode, *ast.NanNode:
		return &Node{Kind: ScalarNode, Pos: pos(n.GetToken()), Value: n.GetToken().Value}, nil
	case *ast.AnchorNode, *ast.AliasNode, *ast.MergeKeyNode:
		return bad("anchors, aliases and merge keys are not allowed: write each step out")
	case *ast.TagNode:
		return bad("YAML tags are not allowed")
	}
	return bad(fmt.Sprintf("unsupported YAML node %T", n))
}

func convertPair(file string, lines []string, mv *ast.MappingValueNode) (Pair, []Diagnostic) {
	key, diags := convert(file, lines, mv.Key)
	if diags != nil {
		return Pair{}, diags
	}
	if key.Kind != ScalarNode {
		return Pair{}, []Diagnostic{{File: file, Pos: key.Pos, Severity: Error, Message: "a key must be a plain name"}}
	}
	val, diags := convert(file, lines, mv.Value)
	if diags != nil {
		return Pair{}, diags
	}
	if val.Kind == NullNode && val.Pos.Line == 0 {
		val.Pos = key.Pos
	}
	return Pair{Key: key.Value, KeyPos: key.Pos, Value: val}, nil
}

// withinLine keeps p at most one past the end of its line: goccy places the implicit null of a
// trailing "key:" a column beyond it.
func withinLine(lines []string, p Pos) Pos {
	if p.Line >= 1 && p.Line <= len(lines) {
		p.Col = min(p.Col, utf8.RuneCountInString(lines[p.Line-1])+1)
	}
	return p
}

// blockStart is where a block scalar's text starts: its first non-blank line, at its indentation;
// the header when it has none.
func blockStart(lines []string, headerLine int) Pos {
	for i := headerLine; i < len(lines); i++ { // lines is 0-based: lines[headerLine] is the next line
		if l := lines[i]; strings.TrimSpace(l) != "" {
			return Pos{Line: i + 1, Col: len(l) - len(strings.TrimLeft(l, " ")) + 1}
		}
	}
	return Pos{Line: headerLine, Col: 1}
}

// blockColumn is the column where a block scalar's text starts: the indentation of its first line.
func blockColumn(lines []string, headerLine int) int {
	for i := headerLine; i < len(lines); i++ { // lines is 0-based: lines[headerLine] is the next line
		l := lines[i]
		if strings.TrimSpace(l) == "" {
			continue
		}
		return len(l) - len(strings.TrimLeft(l, " ")) + 1
	}
	return 1
}
