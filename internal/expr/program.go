package expr

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"strings"
	"time"

	"cel.dev/cel-go/cel"
	"cel.dev/cel-go/common/types"
	"cel.dev/cel-go/common/types/ref"
	"cel.dev/cel-go/common/types/traits"
)

// Vars are the run-time values of a scope's variables: records as map[string]any (or records.Values)
// in canonical records types with related records nested under the relation's name, steps as
// map[string]map[string]any, the event as a map.
type Vars map[string]any

// Program is a compiled, type-checked expression. It is immutable and safe for concurrent Eval.
type Program struct {
	src       string
	prg       cel.Program
	want      Type
	out       Type
	vars      map[string]Type
	reads     []string
	calendars []string
	limit     uint64
	// businessTime binds the business-time functions for an evaluation (nil: the expression calls none).
	businessTime func(context.Context) map[string]cel.LateBoundFunction
}

// Compile type-checks src in scope and checks that it yields want. Every problem is reported, each
// with a 1-based line and column (in characters) relative to src. The Program is nil when there are
// issues.
func (e *Env) Compile(src string, scope Scope, want Type) (*Program, []Issue) {
	se, issues := e.scopeEnv(scope)
	if se == nil || len(issues) > 0 {
		return nil, issues
	}
	rw := rewriteSteps(src)
	c := &compilation{env: e, se: se, src: src, rw: rw}
	checked, issues := c.check()
	if len(issues) > 0 {
		return nil, issues
	}
	out := typeOfCEL(checked.OutputType())
	if !want.accepts(out) {
		what := "expression"
		if want.kind == kindBool {
			what = "condition"
		}
		return nil, []Issue{{Line: 1, Col: 1, Message: fmt.Sprintf("%s must be %s, not %s", what, article(want), out)}}
	}
	if issues := append(c.validateLiterals(checked), c.validateEnums(checked)...); len(issues) > 0 {
		sortIssues(issues)
		return nil, issues
	}
	prg, err := se.cel.Program(checked,
		cel.CostLimit(e.opts.CostLimit),
		cel.InterruptCheckFrequency(100),
		cel.EvalOptions(cel.OptOptimize),
	)
	if err != nil {
		return nil, []Issue{{Line: 1, Col: 1, Message: err.Error()}}
	}
	p := &Program{
		src: src, prg: prg, want: want, out: out, vars: se.vars, limit: e.opts.CostLimit,
		reads: reads(checked, se.vars), calendars: calendars(checked),
	}
	if callsBusinessTime(checked) {
		p.businessTime = e.businessTime
	}
	return p, nil
}

// name is the expression as error messages quote it.
func (p *Program) name() string { return strings.TrimSpace(p.src) }

// Source returns the expression as written.
func (p *Program) Source() string { return p.src }

// Type returns the type the expression yields, as the checker inferred it.
func (p *Program) Type() Type { return p.out }

// Reads reports the paths the expression reads, each from a variable: "lead.status",
// "lead.owner.email", "steps.first-call.outcome", "event.activity.type". A relation appears under its
// name; a path ends where the expression stops selecting (lead.owner when it only tests it for null).
// Sorted and without duplicates.
func (p *Program) Reads() []string { return p.reads }

// Calendars lists the business calendars the expression names with a literal, for the linter to check
// that they exist. A calendar chosen at run time (from a field) is not listed.
func (p *Program) Calendars() []string { return p.calendars }

// Eval runs the program. Numbers come back as float64 when a Number was wanted (int64 otherwise),
// timestamps as time.Time, durations as time.Duration, null as nil, lists as []any and maps as
// map[string]any. Exceeding the cost limit is an error that says so.
func (p *Program) Eval(ctx context.Context, vars Vars) (any, error) {
	act := make(map[string]any, len(vars))
	for name, v := range vars {
		t, declared := p.vars[name]
		if !declared {
			continue
		}
		if v != nil && (t.kind == kindNumber || t.kind == kindInt || t.kind == kindTimestamp || t.kind == kindDuration) {
			cv, err := converter(t, "")(v)
			if err != nil {
				return nil, fmt.Errorf("variable %s: %w", name, err)
			}
			v = cv
		}
		act[name] = v
	}
	var in any = act
	if p.businessTime != nil {
		fv, err := cel.FunctionVars(act, p.businessTime(ctx))
		if err != nil {
			return nil, fmt.Errorf("evaluate %s: %w", p.name(), err)
		}
		in = fv
	}
	val, _, err := p.prg.ContextEval(ctx, in)
	if err != nil {
		return nil, p.evalError(ctx, err)
	}
	out, err := native(val, p.want.kind == kindNumber)
	if err != nil {
		return nil, fmt.Errorf("evaluate %s: %w", p.name(), err)
	}
	if err := p.checkResult(out); err != nil {
		return nil, err
	}
	return out, nil
}

// evalError explains a failed evaluation in terms an admin can act on.
func (p *Program) evalError(ctx context.Context, err error) error {
	msg := err.Error()
	switch {
	case strings.Contains(msg, "cost limit exceeded"):
		return fmt.Errorf("evaluate %s: the expression exceeded its cost limit of %d (does it loop over a long list?): %w", p.name(), p.limit, err)
	case ctx.Err() != nil:
		return fmt.Errorf("evaluate %s: %w", p.name(), ctx.Err())
	case strings.HasPrefix(msg, "no such attribute"):
		return fmt.Errorf("evaluate %s: a variable has no value (%w)", p.name(), err)
	case strings.Contains(msg, "no such overload"):
		return fmt.Errorf("evaluate %s: %w (is a field null? test it with has() or != null first)", p.name(), err)
	}
	return fmt.Errorf("evaluate %s: %w", p.name(), err)
}

// checkResult catches what the checker could not: a json field or other dynamic value that turned out
// to be the wrong type.
func (p *Program) checkResult(out any) error {
	ok := true
	switch p.want.kind {
	case kindBool:
		_, ok = out.(bool)
	case kindString:
		_, ok = out.(string)
		ok = ok || out == nil
	case kindNumber:
		_, ok = out.(float64)
		ok = ok || out == nil
	case kindTimestamp:
		_, ok = out.(time.Time)
		ok = ok || out == nil
	}
	switch {
	case ok:
		return nil
	case out == nil:
		return fmt.Errorf("evaluate %s: produced null, not %s", p.name(), article(p.want))
	}
	return fmt.Errorf("evaluate %s: produced %v (%T), not %s", p.name(), out, out, article(p.want))
}

// article prefixes a type's name with a or an ("a user", "an account", "an int").
func article(t Type) string {
	s := t.String()
	if strings.ContainsRune("aeio", rune(s[0])) {
		return "an " + s
	}
	return "a " + s
}

// native converts a CEL value to the plain Go values the rest of Salesflow uses.
func native(v ref.Val, number bool) (any, error) {
	switch x := v.(type) {
	case types.Null:
		return nil, nil
	case types.Bool:
		return bool(x), nil
	case types.String:
		return string(x), nil
	case types.Double:
		return float64(x), nil
	case types.Int:
		if number {
			return float64(x), nil
		}
		return int64(x), nil
	case types.Uint:
		if number {
			return float64(x), nil
		}
		return uint64(x), nil
	case types.Timestamp:
		return x.Time, nil
	case types.Duration:
		return x.Duration, nil
	case types.Bytes:
		return []byte(x), nil
	case *types.Err:
		return nil, x
	case *types.Optional:
		if !x.HasValue() {
			return nil, nil
		}
		return native(x.GetValue(), number)
	case traits.Lister:
		return nativeList(x)
	case traits.Mapper:
		return nativeMap(x)
	}
	if r, ok := v.Value().(map[string]any); ok {
		return r, nil
	}
	return v.Value(), nil
}

func nativeList(l traits.Lister) (any, error) {
	out := []any{}
	for it := l.Iterator(); it.HasNext() == types.True; {
		x, err := native(it.Next(), false)
		if err != nil {
			return nil, err
		}
		out = append(out, x)
	}
	return out, nil
}

func nativeMap(m traits.Mapper) (any, error) {
	if r, ok := m.Value().(map[string]any); ok {
		return maps.Clone(r), nil
	}
	out := map[string]any{}
	for it := m.Iterator(); it.HasNext() == types.True; {
		k := it.Next()
		x, err := native(m.Get(k), false)
		if err != nil {
			return nil, err
		}
		out[fmt.Sprint(k.Value())] = x
	}
	return out, nil
}

// errNoCalendars is what business-time functions return when the Env has no CalendarResolver.
var errNoCalendars = errors.New("business calendars are not available here (no calendar resolver configured)")
