package workflow

import (
	"strconv"
	"strings"
	"unicode/utf16"
)

// scalarStyle is how a scalar is written in the source, which decides how its text maps back.
type scalarStyle uint8

const (
	stylePlain scalarStyle = iota
	styleDoubleQuoted
	styleSingleQuoted
	styleLiteral // |
	styleFolded  // >
)

// scalarSource is what a scalar keeps to map offsets in its value back to the file. The mapping is
// only needed for the few scalars that hold expressions and only when one has a problem, so it is
// computed on demand from the file's lines (shared by all nodes) rather than stored per rune.
type scalarSource struct {
	lines []string // the file's lines, as the parser saw them
	style scalarStyle
	start Pos // plain: the first character; quoted: the opening quote; block: the | or > indicator
}

// PosAt returns the file position of line:col (1-based, columns in code points) of the scalar's
// decoded text, as expression issues are located. It undoes escapes, ” in single quotes, line
// folding and block indentation. When the text cannot be mapped exactly it returns where the text
// begins, which is vague but never wrong.
func (n *Node) PosAt(line, col int) Pos {
	if n == nil || n.Kind != ScalarNode || n.src == nil {
		return n.textStart()
	}
	off, ok := valueOffset(n.Value, line, col)
	if !ok {
		return n.textStart()
	}
	m := n.src.positions(n.Value)
	if m == nil || off >= len(m) {
		return n.textStart()
	}
	return m[off]
}

// valueOffset turns line:col in value into an offset in code points; col may be one past a line's end.
func valueOffset(value string, line, col int) (int, bool) {
	if line < 1 || col < 1 {
		return 0, false
	}
	lines := strings.Split(value, "\n")
	if line > len(lines) {
		return 0, false
	}
	off := 0
	for _, l := range lines[:line-1] {
		off += len([]rune(l)) + 1
	}
	if col > len([]rune(lines[line-1]))+1 {
		return 0, false
	}
	return off + col - 1, true
}

// positions returns the file position of each code point of value, plus one for the end of the
// text, by reading the source again in the scalar's style and checking that it decodes to value.
// It returns nil when the source does not decode to value (a style or escape it does not know).
func (s *scalarSource) positions(value string) []Pos {
	v := []rune(value)
	c, ok := s.cursor(v)
	if !ok {
		return nil
	}
	out := make([]Pos, 0, len(v)+1)
	for vi := 0; vi < len(v); {
		if c.done {
			return nil
		}
		if c.i >= c.end { // a line break: folded to a space, kept as \n, or absorbed after a blank line
			if v[vi] == ' ' || v[vi] == '\n' {
				out = append(out, c.pos())
				vi++
				c.nextLine()
				continue
			}
			c.nextLine()
			continue
		}
		r, width, skip := c.decode()
		switch {
		case skip: // an escaped line break in double quotes: nothing in the value
			c.nextLine()
			continue
		case width == 0 || r != v[vi]:
			return nil
		}
		out = append(out, c.pos())
		vi++
		c.i += width
	}
	if c.done {
		if len(out) == 0 {
			return nil
		}
		return append(out, out[len(out)-1])
	}
	return append(out, c.pos())
}

// cursor walks the source lines of a scalar's text, each line limited to its content.
type cursor struct {
	s     *scalarSource
	line  int    // 0-based index into s.lines
	text  []rune // the current line
	i     int    // index into text
	end   int    // where the current line's content ends
	block int    // indentation of a block scalar's lines
	done  bool   // past the last line of the file
}

// cursor places a cursor on the scalar's first character.
func (s *scalarSource) cursor(v []rune) (*cursor, bool) {
	if s.start.Line < 1 || s.start.Line > len(s.lines) || s.start.Col < 1 {
		return nil, false
	}
	c := &cursor{s: s, line: s.start.Line - 1}
	c.text = []rune(s.lines[c.line])
	if s.start.Col > len(c.text) {
		return nil, false
	}
	switch s.style {
	case stylePlain:
		c.i = s.start.Col - 1
	case styleDoubleQuoted, styleSingleQuoted:
		want := '"'
		if s.style == styleSingleQuoted {
			want = '\''
		}
		if c.text[s.start.Col-1] != want {
			return nil, false
		}
		c.i = s.start.Col
	default:
		indent, ok := blockIndent(s.lines, c.line+1, v)
		if !ok {
			return nil, false
		}
		c.block = indent
		c.nextLine()
		return c, true
	}
	c.end = len([]rune(strings.TrimRight(string(c.text), " \t")))
	return c, true
}

// blockIndent is the indentation of a block scalar whose content starts at lines[first]: the first
// non-blank line's leading spaces less those the value keeps (an indentation indicator like |2).
func blockIndent(lines []string, first int, v []rune) (int, bool) {
	for k := first; k < len(lines); k++ {
		l := lines[k]
		if strings.TrimLeft(l, " ") == "" {
			continue
		}
		lead := len(l) - len(strings.TrimLeft(l, " "))
		kept := 0
		for _, r := range strings.TrimLeft(string(v), "\n") {
			if r != ' ' {
				break
			}
			kept++
		}
		return lead - kept, lead >= kept
	}
	return 0, false
}

// nextLine moves to the start of the next line's content: past the indentation of a block scalar,
// past all leading white space of a continued flow scalar.
func (c *cursor) nextLine() {
	c.line++
	if c.line >= len(c.s.lines) {
		c.done = true
		return
	}
	c.text = []rune(c.s.lines[c.line])
	if c.s.style == styleLiteral || c.s.style == styleFolded {
		c.i = min(c.block, len(c.text))
		c.end = len(c.text)
		return
	}
	c.i = len(c.text) - len([]rune(strings.TrimLeft(string(c.text), " \t")))
	c.end = len([]rune(strings.TrimRight(string(c.text), " \t")))
}

func (c *cursor) pos() Pos { return Pos{Line: c.line + 1, Col: c.i + 1} }

// decode reads the character at the cursor as the scalar's style writes it: the decoded rune and how
// many source characters it takes (0 for an escape it does not know), or skip for a line break
// escaped with a backslash.
func (c *cursor) decode() (r rune, width int, skip bool) {
	t, i := c.text, c.i
	switch {
	case c.s.style == styleSingleQuoted && t[i] == '\'' && i+1 < len(t) && t[i+1] == '\'':
		return '\'', 2, false
	case c.s.style != styleDoubleQuoted || t[i] != '\\':
		return t[i], 1, false
	case i+1 >= c.end:
		return 0, 0, true
	}
	if r, ok := simpleEscapes[t[i+1]]; ok {
		return r, 2, false
	}
	digits := map[rune]int{'x': 2, 'u': 4, 'U': 8}[t[i+1]]
	r, ok := hexRune(t, i+2, digits)
	if !ok {
		return 0, 0, false
	}
	width = 2 + digits
	// JSON writes characters outside the BMP as a UTF-16 surrogate pair: \ud83d\ude00.
	if utf16.IsSurrogate(r) && i+width+1 < len(t) && t[i+width] == '\\' && t[i+width+1] == 'u' {
		if lo, ok := hexRune(t, i+width+2, 4); ok {
			if pair := utf16.DecodeRune(r, lo); pair != '\uFFFD' {
				return pair, width + 6, false
			}
		}
	}
	return r, width, false
}

var simpleEscapes = map[rune]rune{
	'0': 0, 'a': '\a', 'b': '\b', 't': '\t', '\t': '\t', 'n': '\n', 'v': '\v', 'f': '\f', 'r': '\r',
	'e': 0x1b, ' ': ' ', '"': '"', '/': '/', '\\': '\\', 'N': 0x85, '_': 0xa0, 'L': 0x2028, 'P': 0x2029,
}

func hexRune(t []rune, at, digits int) (rune, bool) {
	if digits == 0 || at+digits > len(t) {
		return 0, false
	}
	n, err := strconv.ParseUint(string(t[at:at+digits]), 16, 32)
	if err != nil {
		return 0, false
	}
	return rune(n), true
}
