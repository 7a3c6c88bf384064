package expr

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"cel.dev/cel-go/cel"
	"cel.dev/cel-go/common/ast"
	"cel.dev/cel-go/common/types"
)

// compilation is the state of one Compile: the scope, the source as written and as CEL reads it.
type compilation struct {
	env    *Env
	se     *scopeEnv
	src    string
	rw     rewritten
	parsed *cel.Ast // the last parse, for looking up the nodes issues point at
}

// maxNumericRounds bounds the re-checks that turn int literals into doubles; each round fixes every
// mixed operation it finds, so nested ones need a round per level.
const maxNumericRounds = 8

// check parses and type-checks, reporting every issue. Records hold numbers as doubles while people
// write `lead.score == 3` and `lead.score + 1`; CEL only compares across numeric types (enabled), so an
// int literal meeting a double in ==, !=, in, arithmetic or ?: is turned into a double literal and the
// expression checked again. A non-literal int still needs double(...).
func (c *compilation) check() (*cel.Ast, []Issue) {
	fix := map[int64]bool{}
	for round := 0; ; round++ {
		parsed, iss := c.se.cel.Parse(c.rw.text)
		if iss.Err() != nil {
			c.parsed = parsed
			return nil, c.issues(iss)
		}
		if len(fix) > 0 {
			doubleLiterals(parsed, fix)
		}
		c.parsed = parsed
		checked, iss := c.se.cel.Check(parsed)
		if iss.Err() == nil {
			return checked, nil
		}
		more := false
		for _, e := range iss.Errors() {
			if e.ExprID != 0 && !fix[e.ExprID] && mixedNumeric(e.Message) {
				fix[e.ExprID] = true
				more = true
			}
		}
		if !more || round == maxNumericRounds {
			// Parse again for lookups: Check rewrites parts of the tree it walks.
			c.parsed, _ = c.se.cel.Parse(c.rw.text)
			return nil, c.issues(iss)
		}
	}
}

var (
	overloadRe = regexp.MustCompile(`^found no matching overload for '([^']+)' applied to '(?:([^']*)\.)?\((.*)\)'`)
	mixableOps = []string{"_==_", "_!=_", "@in", "_+_", "_-_", "_*_", "_/_", "_?_:_"}
)

// mixedNumeric reports whether a checker error is an operator applied to a double and an int.
func mixedNumeric(msg string) bool {
	m := overloadRe.FindStringSubmatch(msg)
	if m == nil || !slices.Contains(mixableOps, m[1]) {
		return false
	}
	var dbl, integer bool
	for _, t := range splitTypes(m[3]) {
		switch t {
		case "double", "wrapper(double)", "list(double)":
			dbl = true
		case "int", "list(int)":
			integer = true
		}
	}
	return dbl && integer
}

// splitTypes splits CEL's "(a, list(b), c)" argument list at the top level.
func splitTypes(s string) []string {
	var out []string
	depth, start := 0, 0
	for i, r := range s {
		switch r {
		case '(':
			depth++
		case ')':
			depth--
		case ',':
			if depth == 0 {
				out = append(out, strings.TrimSpace(s[start:i]))
				start = i + 1
			}
		}
	}
	return append(out, strings.TrimSpace(s[start:]))
}

// doubleLiterals rewrites the int literal arguments (and int literals in list-literal arguments) of the
// calls in ids into double literals.
func doubleLiterals(a *cel.Ast, ids map[int64]bool) {
	fac := ast.NewExprFactory()
	toDouble := func(e ast.Expr) {
		if e.Kind() != ast.LiteralKind {
			return
		}
		if i, ok := e.AsLiteral().(types.Int); ok {
			e.SetKindCase(fac.NewLiteral(e.ID(), types.Double(i)))
		}
	}
	calls := ast.MatchDescendants(ast.NavigateAST(a.NativeRep()), func(e ast.NavigableExpr) bool {
		return e.Kind() == ast.CallKind && ids[e.ID()]
	})
	for _, call := range calls {
		for _, arg := range call.AsCall().Args() {
			toDouble(arg)
			if arg.Kind() == ast.ListKind {
				for _, el := range arg.AsList().Elements() {
					toDouble(el)
				}
			}
		}
	}
}

// node finds the parsed expression an issue points at.
func (c *compilation) node(id int64) (ast.NavigableExpr, bool) {
	if c.parsed == nil || id == 0 {
		return nil, false
	}
	found := ast.MatchDescendants(ast.NavigateAST(c.parsed.NativeRep()), func(e ast.NavigableExpr) bool {
		return e.ID() == id
	})
	if len(found) == 0 {
		return nil, false
	}
	return found[0], true
}

// issues converts CEL's issues: positions mapped back to the source as written, messages in our terms,
// duplicates dropped.
func (c *compilation) issues(iss *cel.Issues) []Issue {
	var out []Issue
	for _, e := range iss.Errors() {
		msg, at := c.translate(e.Message, e.ExprID)
		var field string
		if m := undefinedFieldRe.FindStringSubmatch(e.Message); m != nil {
			field = m[1]
		}
		loc := e.Location
		if at > 0 && c.parsed != nil {
			loc = c.parsed.NativeRep().SourceInfo().GetStartLocation(at)
		}
		line, col := c.position(loc.Line(), loc.Column())
		switch at {
		case atFieldName:
			line, col = c.fieldNameAt(line, col, field)
		case atCallName:
			line, col = c.callNameAt(line, col)
		}
		is := Issue{Line: line, Col: col, Message: msg}
		if !slices.Contains(out, is) {
			out = append(out, is)
		}
	}
	sortIssues(out)
	return out
}

// position maps CEL's location in the rewritten text (line 1-based, column 0-based, in code points)
// to a 1-based line and column in the source as written.
func (c *compilation) position(line, col int) (int, int) {
	if line < 1 || col < 0 {
		return 1, 1
	}
	off := runeOffset(c.rw.text, line, col)
	return lineCol(c.src, c.rw.origOffset(off))
}

// Placements translate may ask for, besides an expression id: on the field name after the '.' CEL
// points at, or on the function name before the '('.
const (
	atFieldName = -1
	atCallName  = -2
)

// callNameAt moves a position on a call's '(' back to the start of the function's name.
func (c *compilation) callNameAt(line, col int) (int, int) {
	src := []rune(c.src)
	off := runeOffset(c.src, line, col-1)
	if off >= len(src) || src[off] != '(' {
		return line, col
	}
	for off > 0 && (src[off-1] == ' ' || src[off-1] == '\t') {
		off--
	}
	for off > 0 && src[off-1] < 128 && isIdentByte(byte(src[off-1])) {
		off--
	}
	return lineCol(c.src, off)
}

// fieldNameAt moves a position to the field name CEL means: past the '.' (or '.?') it points at, or,
// inside has(...), forward to the first selection of that name.
func (c *compilation) fieldNameAt(line, col int, name string) (int, int) {
	src := []rune(c.src)
	off := runeOffset(c.src, line, col-1)
	if off < len(src) && src[off] != '.' {
		for k := off; k < len(src); k++ {
			if src[k] == '.' && strings.HasPrefix(strings.TrimLeft(string(src[k+1:]), "? \t\n`"), name) {
				off = k
				break
			}
		}
	}
	if off >= len(src) || src[off] != '.' {
		return line, col
	}
	off++
	for off < len(src) && (src[off] == '?' || src[off] == ' ' || src[off] == '\t' || src[off] == '\n' || src[off] == '`') {
		off++
	}
	return lineCol(c.src, off)
}

// runeOffset is the rune offset of a 1-based line and 0-based column.
func runeOffset(s string, line, col int) int {
	off, l := 0, 1
	for _, r := range s {
		if l == line {
			break
		}
		off++
		if r == '\n' {
			l++
		}
	}
	return off + col
}

// lineCol is the 1-based line and column of a rune offset.
func lineCol(s string, off int) (int, int) {
	line, col, n := 1, 1, 0
	for _, r := range s {
		if n == off {
			break
		}
		n++
		if r == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
	}
	return line, col
}

// translate rewrites a CEL message in the terms of workflows. It may also name the expression the
// issue is better placed at (else 0).
func (c *compilation) translate(msg string, id int64) (string, int64) {
	if m := undefinedFieldRe.FindStringSubmatch(msg); m != nil {
		return c.unknownMember(m[1], id), atFieldName
	}
	if m := undeclaredRe.FindStringSubmatch(msg); m != nil {
		return c.unknownName(m[1], id)
	}
	if m := overloadRe.FindStringSubmatch(msg); m != nil {
		if m[2] != "" { // a member call: receiver.(args)
			return fmt.Sprintf("cannot call %s on %s with (%s)", m[1], friendlyTypeName(m[2]), friendlyTypeName(m[3])), 0
		}
		return noOverload(m[1], splitTypes(m[3])), 0
	}
	if m := expectedRe.FindStringSubmatch(msg); m != nil {
		return fmt.Sprintf("expected a %s here, not %s", friendlyTypeName(m[1]), friendlyTypeName(m[2])), 0
	}
	if rest, ok := strings.CutPrefix(msg, "Syntax error: "); ok {
		return "syntax error: " + syntaxMessage(rest), 0
	}
	return quotedTypeRe.ReplaceAllStringFunc(msg, friendlyTypeName), 0
}

var (
	expectedRe       = regexp.MustCompile(`^expected type '([^']*)' but found '([^']*)'`)
	tokenErrorRe     = regexp.MustCompile(`token recognition error at: '(.)[^']*'`)
	undefinedFieldRe = regexp.MustCompile(`^undefined field '([^']*)'`)
	undeclaredRe     = regexp.MustCompile(`^undeclared reference to '([^']*)'`)
	quotedTypeRe     = regexp.MustCompile(`'[^']*'`)
	wrapperRe        = regexp.MustCompile(`wrapper\(([^()]*)\)`)
	doubleRe         = regexp.MustCompile(`\bdouble\b`)
)

// unknownMember explains an unknown field, step or step output, naming the object it was looked up on
// (the provider remembered the miss) and suggesting the closest member.
func (c *compilation) unknownMember(name string, id int64) string {
	decls := c.se.prov.misses[name]
	d := (*structDecl)(nil)
	if len(decls) == 1 {
		d = decls[0]
	} else if n, ok := c.node(id); ok && n.Kind() == ast.SelectKind {
		d = c.staticDecl(n.AsSelect().Operand())
	}
	if d == nil && len(decls) > 0 {
		d = decls[0]
	}
	if d == nil {
		return fmt.Sprintf("unknown field %s", name)
	}
	hint := suggest(name, d.names)
	switch d.what {
	case "step":
		if len(d.names) == 0 {
			return fmt.Sprintf("unknown step %s (no earlier step has an id)", name)
		}
		if hint == "" && len(d.names) <= 10 {
			hint = fmt.Sprintf(" (earlier steps: %s)", strings.Join(d.names, ", "))
		}
		return fmt.Sprintf("unknown step %s%s", name, hint)
	case "output":
		if hint == "" && len(d.names) <= 10 {
			hint = fmt.Sprintf(" (its outputs: %s)", strings.Join(d.names, ", "))
		}
		return fmt.Sprintf("unknown output %s of %s%s", name, d.label, hint)
	}
	return fmt.Sprintf("unknown field %s of %s%s", name, d.label, hint)
}

// staticDecl resolves a chain of selections from a variable (lead.owner.manager) to its struct type.
func (c *compilation) staticDecl(e ast.Expr) *structDecl {
	switch e.Kind() {
	case ast.IdentKind:
		t, ok := c.se.vars[e.AsIdent()]
		if !ok {
			return nil
		}
		return c.se.prov.structs[t.celType(false).TypeName()]
	case ast.SelectKind:
		d := c.staticDecl(e.AsSelect().Operand())
		if d == nil {
			return nil
		}
		ft, ok := d.fields[e.AsSelect().FieldName()]
		if !ok {
			return nil
		}
		return c.se.prov.structs[ft.Type.TypeName()]
	}
	return nil
}

// unknownName explains an undeclared identifier: a function when it is called, else a variable. CEL
// names the whole dotted chain (activity.contact.first_name) at its last dot; the variable is the
// chain's root, so the issue moves there.
func (c *compilation) unknownName(name string, id int64) (string, int64) {
	n, found := c.node(id)
	if found && n.Kind() == ast.CallKind {
		fn := n.AsCall().FunctionName()
		var names []string
		for f := range c.se.cel.Functions() {
			if _, op := operators[f]; !op && !strings.ContainsAny(f[:1], "_@!-") {
				names = append(names, f)
			}
		}
		slices.Sort(names)
		return fmt.Sprintf("unknown function %s%s", fn, suggest(fn, names)), atCallName
	}
	var at int64
	if found {
		root := ast.Expr(n)
		for root.Kind() == ast.SelectKind {
			root = root.AsSelect().Operand()
		}
		if root.Kind() == ast.IdentKind {
			name, at = root.AsIdent(), root.ID()
		}
	}
	var names []string
	for v := range c.se.vars {
		names = append(names, v)
	}
	slices.Sort(names)
	if len(names) == 0 {
		return fmt.Sprintf("unknown variable %s (no variables are available here)", name), at
	}
	return fmt.Sprintf("unknown variable %s%s", name, suggest(name, names)), at
}

var operators = map[string]string{
	"_==_": "==", "_!=_": "!=", "_<_": "<", "_<=_": "<=", "_>_": ">", "_>=_": ">=",
	"_+_": "+", "_-_": "-", "_*_": "*", "_/_": "/", "_%_": "%", "_&&_": "&&", "_||_": "||",
	"!_": "!", "-_": "-", "@in": "in", "_[_]": "[]", "_?_:_": "?:",
}

// noOverload says which operation does not apply to which types.
func noOverload(fn string, args []string) string {
	for i, a := range args {
		args[i] = friendlyTypeName(a)
	}
	op, isOp := operators[fn]
	switch {
	case !isOp:
		return fmt.Sprintf("cannot call %s with (%s)", fn, strings.Join(args, ", "))
	case len(args) == 1:
		return fmt.Sprintf("cannot apply %s to %s", op, args[0])
	case fn == "_?_:_" && len(args) == 3:
		return fmt.Sprintf("the two branches of ?: have different types (%s and %s)", args[1], args[2])
	case fn == "@in" && len(args) == 2:
		return fmt.Sprintf("cannot look for a %s in %s", args[0], args[1])
	case fn == "_[_]" && len(args) == 2:
		return fmt.Sprintf("cannot index %s with %s", args[0], args[1])
	case strings.ContainsAny(op, "<>=") && len(args) == 2:
		return fmt.Sprintf("cannot compare %s %s %s%s", args[0], op, args[1], literalHint(args))
	case len(args) == 2:
		return fmt.Sprintf("cannot apply %s to %s and %s", op, args[0], args[1])
	}
	return fmt.Sprintf("cannot apply %s to (%s)", op, strings.Join(args, ", "))
}

// literalHint suggests how to write a time or a duration that was written as text.
func literalHint(args []string) string {
	switch {
	case slices.Contains(args, "timestamp") && slices.Contains(args, "string"):
		return ` (write a time as date("2026-01-31") or timestamp("2026-01-31T09:00:00Z"))`
	case slices.Contains(args, "duration") && slices.Contains(args, "string"):
		return ` (write a duration as dur("3d") or days(3))`
	}
	return ""
}

var expectingRe = regexp.MustCompile(`\s*expecting (\{[^}]*\}|'[^']*'|\S+)`)

// syntaxMessage shortens ANTLR's wording: the list of every token it expected helps nobody.
func syntaxMessage(s string) string {
	s = expectingRe.ReplaceAllString(s, "")
	s = strings.Replace(s, "mismatched input '<EOF>'", "unexpected end of expression", 1)
	s = strings.Replace(s, "extraneous input '<EOF>'", "unexpected end of expression", 1)
	s = strings.Replace(s, "mismatched input", "unexpected", 1)
	s = strings.Replace(s, "extraneous input", "unexpected", 1)
	if m := tokenErrorRe.FindStringSubmatch(s); m != nil {
		if m[1] == "'" || m[1] == `"` {
			return "unterminated string"
		}
		s = tokenErrorRe.ReplaceAllString(s, "unexpected character '$1'")
	}
	return strings.TrimSpace(s)
}
