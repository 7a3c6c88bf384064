package workflow

import (
	"fmt"
	"slices"

	"github.com/salesflow/salesflow/internal/expr"
	"github.com/salesflow/salesflow/internal/records"
)

// NewLinter returns a Linter whose expressions are checked by the CEL environment of the given
// schema (custom fields included). r may be nil: definitions are then checked against the files only.
func NewLinter(cat *records.Catalog, custom map[string][]records.Field, r Resolver) (*Linter, error) {
	return NewLinterWith(cat, custom, r, expr.Options{})
}

// NewLinterWith is NewLinter with expression options: the engine compiles with its clock and the
// business calendars, so that the compiled programs it keeps evaluate business time and now().
func NewLinterWith(cat *records.Catalog, custom map[string][]records.Field, r Resolver, opts expr.Options) (*Linter, error) {
	env, err := expr.NewEnv(expr.NewSchema(cat, custom), opts)
	if err != nil {
		return nil, fmt.Errorf("expression environment: %w", err)
	}
	return &Linter{Catalog: cat, Custom: custom, Exprs: celChecker{env}, Resolver: r}, nil
}

// celChecker adapts expr.Env to the linter.
type celChecker struct{ env *expr.Env }

// wantType maps the specs' result names to expression types. "record" accepts any object: the
// action decides at run time which objects it can take (send_email: a lead or contact).
func wantType(want string) expr.Type {
	switch want {
	case "bool":
		return expr.Bool()
	case "string":
		return expr.String()
	case "number":
		return expr.Number()
	case "timestamp":
		return expr.Timestamp()
	case "duration":
		return expr.Duration()
	case "any", "record", "scalar", "lead|contact":
		return expr.Any()
	case mapOfAny:
		return expr.Map(expr.Any())
	}
	return expr.Object(want)
}

func (c celChecker) scope(s Scope) expr.Scope {
	out := expr.Scope{Object: s.Object, Steps: map[string]map[string]expr.Type{}, Extra: map[string]expr.Type{}}
	for id, outs := range s.Steps {
		m := map[string]expr.Type{}
		for k, t := range outs {
			m[k] = wantType(t)
		}
		out.Steps[id] = m
	}
	for k, t := range s.Vars {
		out.Extra[k] = wantType(t)
	}
	if s.Event != "" {
		// An event lint does not know (reported where it is named) is bound untyped, so its uses
		// are not reported a second time.
		if out.Event = eventScope(s.Event); out.Event == nil {
			out.Extra["event"] = expr.Any()
		}
	}
	return out
}

// eventScope types `event` from the event's name (a trigger.on value), or returns nil for an
// unknown event.
func eventScope(on string) *expr.EventScope {
	fields := EventFields(on)
	if fields == nil {
		return nil
	}
	ev := &expr.EventScope{Type: on, Fields: map[string]expr.Type{}}
	if on == "event" {
		ev.Type = "" // a custom event: messages say "of event", not "of event event"
	}
	for k, t := range fields {
		ev.Fields[k] = wantType(t)
	}
	return ev
}

func (c celChecker) CheckExpr(src string, s Scope, want string) ExprResult {
	p, issues := c.env.Compile(src, c.scope(s), wantType(want))
	res := ExprResult{Issues: convertIssues(issues)}
	if p == nil {
		return res
	}
	if want == "scalar" {
		t := p.Type()
		if !slices.ContainsFunc([]expr.Type{expr.String(), expr.Number(), expr.Int(), expr.Bool(), expr.Any()}, t.Equal) {
			res.Issues = append(res.Issues, ExprIssue{Line: 1, Col: 1, Message: fmt.Sprintf("switch on a single value (text, a number or true/false), not %s", t)})
		}
	}
	if want == "lead|contact" {
		if name, ok := p.Type().IsObject(); (ok && name != "lead" && name != "contact") || (!ok && !p.Type().Equal(expr.Any())) {
			res.Issues = append(res.Issues, ExprIssue{Line: 1, Col: 1, Message: fmt.Sprintf("this must be a lead or a contact (like lead or activity.contact), not %s", p.Type())})
		}
	}
	if want == "record" {
		if _, ok := p.Type().IsObject(); !ok && !p.Type().Equal(expr.Any()) {
			res.Issues = append(res.Issues, ExprIssue{Line: 1, Col: 1, Message: fmt.Sprintf("this must be a record (like lead or activity.contact), not %s", p.Type())})
		}
	}
	res.Reads, res.Calendars, res.Compiled = p.Reads(), p.Calendars(), p
	res.Object, _ = p.Type().IsObject()
	return res
}

func (c celChecker) CheckTemplate(src string, s Scope) ExprResult {
	t, issues := c.env.CompileTemplate(src, c.scope(s))
	res := ExprResult{Issues: convertIssues(issues)}
	if t != nil {
		res.Reads, res.Compiled = t.Reads(), t
	}
	return res
}

func convertIssues(issues []expr.Issue) []ExprIssue {
	out := make([]ExprIssue, len(issues))
	for i, is := range issues {
		out[i] = ExprIssue{Line: is.Line, Col: is.Col, Message: is.Message}
	}
	return out
}
