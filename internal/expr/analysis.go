package expr

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"cel.dev/cel-go/cel"
	"cel.dev/cel-go/common/ast"
	"cel.dev/cel-go/common/types"

	"github.com/salesflow/salesflow/internal/records"
)

// literalRule checks one literal argument of a function at compile time, so that lint catches what
// would otherwise fail on every evaluation.
type literalRule struct {
	fn     string
	arg    int  // index among the arguments (the receiver of a member call is not counted)
	member bool // the rule is for the member form x.fn(...)
	check  func(env *Env, s string) error
}

func literalRules() []literalRule {
	regex := func(_ *Env, s string) error {
		if _, err := regexp.Compile(s); err != nil {
			return fmt.Errorf("invalid regular expression %q: %v", s, strings.TrimPrefix(err.Error(), "error parsing regexp: "))
		}
		return nil
	}
	zone := func(env *Env, s string) error {
		if strings.IndexAny(s, "+-0123456789") == 0 {
			return nil // CEL's getHours("+01:00") takes fixed offsets too
		}
		_, err := env.zones.load(s)
		return err
	}
	clock := func(_ *Env, s string) error { _, _, err := parseClock(s); return err }
	rules := []literalRule{
		{fn: "matches", arg: 0, member: true, check: regex},
		{fn: "matches", arg: 1, check: regex},
		{fn: "find", arg: 1, check: regex},
		{fn: "duration", arg: 0, check: func(_ *Env, s string) error {
			if _, err := time.ParseDuration(s); err != nil {
				return fmt.Errorf("invalid duration %q: CEL's duration() takes h, m, s, ms, us and ns; dur(%q) also takes d and w", s, s)
			}
			return nil
		}},
		{fn: "timestamp", arg: 0, check: func(_ *Env, s string) error {
			if _, err := time.Parse(time.RFC3339Nano, s); err != nil {
				return fmt.Errorf("invalid timestamp %q (RFC 3339, like 2026-01-31T09:00:00Z)", s)
			}
			return nil
		}},
		{fn: "dur", arg: 0, check: func(_ *Env, s string) error { _, err := parseDur(s); return err }},
		{fn: "date", arg: 0, check: func(_ *Env, s string) error {
			if _, err := time.Parse(time.DateOnly, s); err != nil {
				return fmt.Errorf("invalid date %q (YYYY-MM-DD)", s)
			}
			return nil
		}},
		{fn: "at_local", arg: 1, check: clock},
		{fn: "at_local", arg: 2, check: zone},
		{fn: "local_date", arg: 1, check: zone},
		{fn: "local_hour", arg: 1, check: zone},
	}
	calendar := func(env *Env, s string) error {
		if env.opts.Calendars == nil || env.opts.TrustCalendarNames {
			return nil // lint without a server: the linter checks Program.Calendars against the files
		}
		if _, err := env.opts.Calendars.Calendar(context.Background(), s); err != nil {
			return fmt.Errorf("unknown business calendar %q: %v", s, err)
		}
		return nil
	}
	for _, fn := range businessTimeFuncs {
		rules = append(rules, literalRule{fn: fn, arg: 2, check: calendar})
	}
	for _, getter := range []string{"getFullYear", "getMonth", "getDayOfYear", "getDayOfMonth", "getDate",
		"getDayOfWeek", "getHours", "getMinutes", "getSeconds", "getMilliseconds"} {
		rules = append(rules, literalRule{fn: getter, arg: 0, member: true, check: zone})
	}
	return rules
}

// validateLiterals applies the literal rules to a checked expression.
func (c *compilation) validateLiterals(checked *cel.Ast) []Issue {
	info := checked.NativeRep().SourceInfo()
	rules := literalRules()
	var out []Issue
	for _, call := range calls(checked) {
		fc := call.AsCall()
		for _, r := range rules {
			if r.fn != fc.FunctionName() || r.member != fc.IsMemberFunction() || r.arg >= len(fc.Args()) {
				continue
			}
			arg := fc.Args()[r.arg]
			s, ok := stringLiteral(arg)
			if !ok {
				continue
			}
			if err := r.check(c.env, s); err != nil {
				loc := info.GetStartLocation(arg.ID())
				line, col := c.position(loc.Line(), loc.Column())
				out = append(out, Issue{Line: line, Col: col, Message: err.Error()})
			}
		}
	}
	return out
}

// validateEnums reports the string constants compared with an enum field (==, !=, in) that are not
// among its options: `activity.type == "meeting_bookd"` type-checks as string == string but can never
// match. Records forgive case on input and store the option's own spelling, so the match here is exact.
func (c *compilation) validateEnums(checked *cel.Ast) []Issue {
	native := checked.NativeRep()
	info := native.SourceInfo()
	var out []Issue
	report := func(lit ast.Expr, field string, options []string) {
		s, ok := stringLiteral(lit)
		if !ok || slices.Contains(options, s) {
			return
		}
		loc := info.GetStartLocation(lit.ID())
		line, col := c.position(loc.Line(), loc.Column())
		msg := fmt.Sprintf("%q is not a value of %s%s", s, field, enumHint(s, options))
		out = append(out, Issue{Line: line, Col: col, Message: msg})
	}
	for _, call := range calls(checked) {
		fc := call.AsCall()
		args := fc.Args()
		if len(args) != 2 {
			continue
		}
		switch fc.FunctionName() {
		case "_==_", "_!=_":
			for i, side := range args {
				if field, options, ok := c.enumField(native, side); ok {
					report(args[1-i], field, options)
				}
			}
		case "@in":
			if field, options, ok := c.enumField(native, args[0]); ok && args[1].Kind() == ast.ListKind {
				for _, el := range args[1].AsList().Elements() {
					report(el, field, options)
				}
			}
		}
	}
	return out
}

// enumField names the enum field e selects on a record (object.field, however the record was reached:
// lead.owner.role is user.role) and its options.
func (c *compilation) enumField(a *ast.AST, e ast.Expr) (string, []string, bool) {
	if e.Kind() != ast.SelectKind || e.AsSelect().IsTestOnly() {
		return "", nil, false
	}
	sel := e.AsSelect()
	t := a.GetType(sel.Operand().ID())
	if t == nil || t.Kind() != types.StructKind {
		return "", nil, false
	}
	if _, isObject := c.env.objects[t.TypeName()]; !isObject { // not steps, a step or the event
		return "", nil, false
	}
	o := c.env.schema.objects[strings.TrimPrefix(t.TypeName(), typePrefix)]
	if o == nil {
		return "", nil, false
	}
	m, ok := o.member(sel.FieldName())
	if !ok || m.Field != records.Enum || len(m.Options) == 0 {
		return "", nil, false
	}
	return o.name + "." + m.Name, m.Options, true
}

// enumHint suggests the option a constant was meant to be: the same word in another case first (it
// can never match the stored spelling), else the closest typo, else the list of options.
func enumHint(s string, options []string) string {
	if i := slices.IndexFunc(options, func(o string) bool { return strings.EqualFold(o, s) }); i >= 0 {
		return fmt.Sprintf(" (did you mean %s?)", options[i])
	}
	if hint := suggest(s, options); hint != "" {
		return hint
	}
	return fmt.Sprintf(" (one of %s)", strings.Join(options, ", "))
}

func calls(a *cel.Ast) []ast.NavigableExpr {
	return ast.MatchDescendants(ast.NavigateAST(a.NativeRep()), ast.KindMatcher(ast.CallKind))
}

func stringLiteral(e ast.Expr) (string, bool) {
	if e.Kind() != ast.LiteralKind {
		return "", false
	}
	s, ok := e.AsLiteral().(types.String)
	return string(s), ok
}

// businessTimeFuncs are bound per evaluation (Env.businessTime).
var businessTimeFuncs = []string{"add_business_hours", "add_business_days", "business_hours_between"}

// callsBusinessTime says whether the expression calls a business-time function.
func callsBusinessTime(checked *cel.Ast) bool {
	return slices.ContainsFunc(calls(checked), func(c ast.NavigableExpr) bool {
		return slices.Contains(businessTimeFuncs, c.AsCall().FunctionName())
	})
}

// calendars collects the literal calendar names of the business-time functions.
func calendars(checked *cel.Ast) []string {
	var out []string
	for _, call := range calls(checked) {
		fc := call.AsCall()
		if slices.Contains(businessTimeFuncs, fc.FunctionName()) && len(fc.Args()) == 3 {
			if s, ok := stringLiteral(fc.Args()[2]); ok && !slices.Contains(out, s) {
				out = append(out, s)
			}
		}
	}
	slices.Sort(out)
	return out
}

// reads collects the longest selection paths that start at a scope variable.
func reads(checked *cel.Ast, vars map[string]Type) []string {
	var out []string
	nodes := ast.MatchDescendants(ast.NavigateAST(checked.NativeRep()), func(e ast.NavigableExpr) bool {
		if _, ok := pathOf(e, vars); !ok {
			return false
		}
		parent, ok := e.Parent()
		return !ok || !extendsPath(parent, e.ID())
	})
	for _, n := range nodes {
		p, _ := pathOf(n, vars)
		if !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	slices.Sort(out)
	return out
}

// pathOf spells a selection chain from a variable: lead.owner.email, lead.?email (as lead.email).
func pathOf(e ast.Expr, vars map[string]Type) (string, bool) {
	switch e.Kind() {
	case ast.IdentKind:
		_, ok := vars[e.AsIdent()]
		return e.AsIdent(), ok
	case ast.SelectKind:
		p, ok := pathOf(e.AsSelect().Operand(), vars)
		return p + "." + e.AsSelect().FieldName(), ok
	case ast.CallKind:
		fc := e.AsCall()
		if fc.FunctionName() == "_?._" && len(fc.Args()) == 2 {
			if f, ok := stringLiteral(fc.Args()[1]); ok {
				p, ok := pathOf(fc.Args()[0], vars)
				return p + "." + f, ok
			}
		}
	}
	return "", false
}

// extendsPath reports whether parent continues the path of its child id.
func extendsPath(parent ast.Expr, id int64) bool {
	switch parent.Kind() {
	case ast.SelectKind:
		return parent.AsSelect().Operand().ID() == id
	case ast.CallKind:
		fc := parent.AsCall()
		return fc.FunctionName() == "_?._" && len(fc.Args()) == 2 && fc.Args()[0].ID() == id
	}
	return false
}
