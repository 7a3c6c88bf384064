package expr

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Template is text with {{ expr }} segments, compiled once. It is immutable and safe for concurrent
// Render.
type Template struct {
	src   string
	parts []templatePart
}

// templatePart is literal text or a compiled segment.
type templatePart struct {
	text string
	prg  *Program
}

// CompileTemplate parses text with {{ expr }} segments and compiles each segment as an expression of
// any type. Issues are positioned in the whole template: the line and column of the offending
// character. There is no escape for a literal "{{"; write {{ "{{" }}.
func (e *Env) CompileTemplate(src string, scope Scope) (*Template, []Issue) {
	t := &Template{src: src}
	var issues []Issue
	rest, base := src, 0 // base: byte offset of rest in src
	for {
		open := strings.Index(rest, "{{")
		if open < 0 {
			t.add(rest)
			break
		}
		t.add(rest[:open])
		start := base + open + 2 // the expression's first byte in src
		end, ok := segmentEnd(src[start:])
		if !ok {
			line, col := lineCol(src, utf8.RuneCountInString(src[:base+open]))
			issues = append(issues, Issue{Line: line, Col: col, Message: `"{{" is not closed by "}}"`})
			break
		}
		expr := src[start : start+end]
		if strings.TrimSpace(expr) == "" {
			line, col := lineCol(src, utf8.RuneCountInString(src[:base+open]))
			issues = append(issues, Issue{Line: line, Col: col, Message: "empty {{ }}: put an expression inside, like {{ lead.first_name }}"})
		} else {
			prg, iss := e.Compile(expr, scope, Any())
			for _, is := range iss {
				issues = append(issues, shift(is, src, start, expr))
			}
			t.parts = append(t.parts, templatePart{prg: prg})
		}
		base = start + end + 2
		rest = src[base:]
	}
	if len(issues) > 0 {
		return nil, issues
	}
	return t, nil
}

func (t *Template) add(text string) {
	if text != "" {
		t.parts = append(t.parts, templatePart{text: text})
	}
}

// shift moves an issue from a segment's coordinates to the template's: the segment starts at byte
// offset start of src.
func shift(is Issue, src string, start int, expr string) Issue {
	off := runeOffset(expr, is.Line, is.Col-1)
	line, col := lineCol(src, utf8.RuneCountInString(src[:start])+off)
	is.Line, is.Col = line, col
	return is
}

// segmentEnd finds the "}}" that closes a segment, skipping string literals and nested braces (a map
// literal may hold "}}"). It returns the byte offset of the "}}" in s.
func segmentEnd(s string) (int, bool) {
	depth := 0
	for i := 0; i < len(s); {
		if skip := literalOrComment(s[i:]); skip > 0 && !strings.HasPrefix(s[i:], "//") {
			i += skip
			continue
		}
		switch {
		case depth == 0 && strings.HasPrefix(s[i:], "}}"):
			return i, true
		case s[i] == '{':
			depth++
		case s[i] == '}':
			depth--
		}
		i++
	}
	return 0, false
}

// Source returns the template as written.
func (t *Template) Source() string { return t.src }

// Reads is the union of what the template's expressions read (see Program.Reads).
func (t *Template) Reads() []string {
	var out []string
	for _, p := range t.parts {
		if p.prg != nil {
			out = append(out, p.prg.Reads()...)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// Render evaluates every segment and joins the text. Values render as people read them: strings as
// they are, numbers without a trailing .0 when whole, timestamps in RFC 3339 (UTC), null as nothing,
// lists joined by ", ".
func (t *Template) Render(ctx context.Context, vars Vars) (string, error) {
	var b strings.Builder
	for _, p := range t.parts {
		if p.prg == nil {
			b.WriteString(p.text)
			continue
		}
		v, err := p.prg.Eval(ctx, vars)
		if err != nil {
			return "", fmt.Errorf("render template: %w", err)
		}
		b.WriteString(Format(v))
	}
	return b.String(), nil
}

// Format renders a value as templates do.
func Format(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case bool:
		return strconv.FormatBool(x)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case int64:
		return strconv.FormatInt(x, 10)
	case uint64:
		return strconv.FormatUint(x, 10)
	case time.Time:
		return x.UTC().Format(time.RFC3339Nano)
	case time.Duration:
		return x.String()
	case []byte:
		return string(x)
	case []any:
		parts := make([]string, len(x))
		for i, el := range x {
			parts[i] = Format(el)
		}
		return strings.Join(parts, ", ")
	case map[string]any:
		b, err := json.Marshal(x)
		if err != nil {
			return fmt.Sprint(x)
		}
		return string(b)
	}
	return fmt.Sprint(v)
}
