package workflow

import (
	"fmt"
	"slices"
	"strings"

	"github.com/salesflow/salesflow/internal/records"
)

// ExprChecker type-checks expressions and templated text for lint; internal/expr implements it.
// Positions in the issues are relative to src (1-based).
type ExprChecker interface {
	CheckExpr(src string, scope Scope, want string) ExprResult
	CheckTemplate(src string, scope Scope) ExprResult
}

// ExprResult is what checking an expression or a template found.
type ExprResult struct {
	Issues    []ExprIssue
	Reads     []string // fields read, like lead.status
	Calendars []string // calendars named in business-time functions
	Compiled  any      // the compiled program or template, when there were no issues
	Object    string   // the object an expression yields, when it is a record
}

// ExprIssue is a problem inside an expression.
type ExprIssue struct {
	Line, Col int
	Message   string
}

// Scope is what an expression may read: the run's record by its object's name, `event` in an event
// filter, and earlier steps' outputs as steps.<id>.<output>.
type Scope struct {
	Object string
	Event  string
	Steps  map[string]map[string]string
	Vars   map[string]string
}

func (s Scope) withEvent(event string) Scope { s.Event = event; return s }

// Ref is a reference to something that must exist: a definition, a team, a user or a pipeline.
type Ref struct {
	Kind, Name string
	File       string
	Pos        Pos
	// Object, when set, is the object the referenced definition must be about (a template sent to a
	// contact must read contact fields).
	Object string
}

// write is a field a workflow's step changes, for the cycle and double-writer checks.
type write struct {
	Object, Field string
	Value         string // the literal value written, when known
	Pos           Pos
}

// checker walks one document.
type checker struct {
	file   string
	ds     *Diagnostics
	exprs  ExprChecker
	cat    *records.Catalog
	custom map[string][]records.Field
	object *records.Object
	scope  Scope
	refs   []Ref
	ids    map[string]Pos
	writes []write
	reads  []string
	depth  int
	// compiled keeps each expression's program by its position, so a version is compiled once.
	compiled map[string]any
	// outcomes are the outcomes each task step offers, for checking switch cases.
	outcomes map[string][]string
	// pending are step ids declared inside the branches of the step being checked.
	pending map[string]map[string]string
	// creates and enrolls feed the loop check: records the steps create, workflows they enroll in.
	creates, enrolls []string
	// yields is the record type each expression yields, by its position.
	yields map[Pos]string
}

func (c *checker) errorf(p Pos, format string, args ...any) {
	c.ds.add(c.file, p, Error, format, args...)
}
func (c *checker) warnf(p Pos, format string, args ...any) {
	c.ds.add(c.file, p, Warning, format, args...)
}

// join builds the path of a value for messages: "delay.duration", or "duration" at a step's top.
func join(where, key string) string {
	if where == "" {
		return key
	}
	return where + "." + key
}

// mapNode checks a map against a spec: every key known, required keys present, exclusive keys alone.
// where is the map's path in messages; "" for a step itself.
func (c *checker) mapNode(n *Node, s *Spec, where string) {
	label := where
	if label == "" {
		label = "this step"
	}
	if n.Kind != MapNode {
		c.errorf(n.Pos, "%s must be a map of keys (%s)", label, strings.Join(s.Keys(), ", "))
		return
	}
	seen := map[string]bool{}
	for _, p := range n.Pairs {
		f, ok := s.Field(p.Key)
		if !ok {
			msg := fmt.Sprintf("unknown key %q in %s", p.Key, label)
			if near := closest(p.Key, s.Keys()); near != "" {
				msg += fmt.Sprintf(" (did you mean %s?)", near)
			} else {
				msg += " (known: " + strings.Join(s.Keys(), ", ") + ")"
			}
			c.errorf(p.KeyPos, "%s", msg)
			continue
		}
		seen[p.Key] = true
		c.value(p.Value, f.Value, join(where, p.Key))
	}
	for _, f := range s.Fields {
		if f.Required && !seen[f.Key] {
			c.errorf(n.Pos, "%s needs %q", label, f.Key)
		}
	}
	var given []string
	for _, k := range s.Exclusive {
		if seen[k] {
			given = append(given, k)
		}
	}
	switch {
	case len(given) > 1:
		c.errorf(n.Pos, "%s takes one of %s, not %s", label, strings.Join(s.Exclusive, ", "), strings.Join(given, " and "))
	case len(given) == 0 && s.OneRequired:
		c.errorf(n.Pos, "%s needs one of %s", label, strings.Join(s.Exclusive, ", "))
	}
}

func shape(k Kind) NodeKind {
	switch k {
	case KObject, KMap, KFields:
		return MapNode
	case KList, KSteps, KFieldList:
		return ListNode
	}
	return ScalarNode
}

var shapeName = map[NodeKind]string{ScalarNode: "a single value", MapNode: "a map", ListNode: "a list", NullNode: "empty"}

// value checks one value against its description.
func (c *checker) value(n *Node, v *Value, where string) {
	if v.Kind == KOneOf {
		c.oneOf(n, v, where)
		return
	}
	if want := shape(v.Kind); n.Kind != want {
		c.errorf(n.Pos, "%s must be %s, not %s", where, shapeName[want], shapeName[n.Kind])
		return
	}
	switch v.Kind {
	case KExpr:
		c.expr(n, v.Want, c.scope)
	case KTemplate:
		c.template(n, c.scope)
	case KRef:
		c.refs = append(c.refs, Ref{Kind: v.RefKind, Name: n.Value, File: c.file, Pos: n.Pos})
	case KObject:
		if v.Spec != nil {
			c.mapNode(n, v.Spec, where)
		}
	case KList:
		for i, it := range n.Items {
			c.value(it, v.Elem, fmt.Sprintf("%s[%d]", where, i+1))
		}
	case KMap:
		for _, p := range n.Pairs {
			c.value(p.Value, v.Elem, join(where, p.Key))
		}
	case KSteps:
		c.steps(n)
	case KFields:
		c.fields(n, where)
	case KFieldList:
		for _, it := range n.Items {
			c.writableField(it.Str(), it.Pos)
		}
	default:
		if msg := scalar(v, n.Value); msg != "" {
			c.errorf(n.Pos, "%s: %s", where, msg)
		}
	}
}

// oneOf accepts the first alternative the value fits.
func (c *checker) oneOf(n *Node, v *Value, where string) {
	var forms []string
	for _, alt := range v.Alts {
		if shape(alt.Kind) != n.Kind {
			forms = append(forms, kindName(alt))
			continue
		}
		if n.Kind == ScalarNode && alt.Kind != KExpr && alt.Kind != KTemplate && alt.Kind != KString && alt.Kind != KRef {
			if scalar(alt, n.Value) != "" {
				forms = append(forms, kindName(alt))
				continue
			}
		}
		c.value(n, alt, where)
		return
	}
	c.errorf(n.Pos, "%s must be %s", where, strings.Join(forms, " or "))
}

func kindName(v *Value) string {
	switch v.Kind {
	case KDuration:
		return "a duration (15m, 2d)"
	case KExpr:
		return "an expression"
	case KObject:
		return "a map (" + strings.Join(v.Spec.Keys(), ", ") + ")"
	case KList:
		return "a list"
	case KEnum:
		return "one of " + strings.Join(v.Options, ", ")
	}
	return "a value"
}

func (c *checker) expr(n *Node, want string, scope Scope) {
	if strings.TrimSpace(n.Value) == "" {
		c.errorf(n.Pos, "the expression is empty")
		return
	}
	c.exprResult(n, c.exprs.CheckExpr(n.Value, scope, want))
}

func (c *checker) template(n *Node, scope Scope) {
	c.exprResult(n, c.exprs.CheckTemplate(n.Value, scope))
}

func (c *checker) exprResult(n *Node, r ExprResult) {
	c.reads = append(c.reads, r.Reads...)
	if r.Object != "" {
		if c.yields == nil {
			c.yields = map[Pos]string{}
		}
		c.yields[n.Pos] = r.Object
	}
	c.located(n, r.Issues)
	if r.Compiled != nil && len(r.Issues) == 0 {
		if c.compiled == nil {
			c.compiled = map[string]any{}
		}
		c.compiled[n.Pos.String()] = r.Compiled
	}
	for _, name := range r.Calendars {
		c.refs = append(c.refs, Ref{Kind: "calendar", Name: name, File: c.file, Pos: n.Pos})
	}
}

// located reports expression issues at their place in the file. Issues are located in the decoded
// text; PosAt maps them through the scalar's quoting, escapes, folding and indentation.
func (c *checker) located(n *Node, issues []ExprIssue) {
	for _, is := range issues {
		c.errorf(n.PosAt(is.Line, is.Col), "%s", is.Message)
	}
}

// objectField returns a field of the workflow's object, reporting it when unknown.
func (c *checker) objectField(name string, p Pos) (records.Field, bool) {
	if c.object == nil {
		return records.Field{}, false
	}
	f, ok := c.object.Field(name)
	if !ok {
		var names []string
		for _, f := range c.object.Fields {
			names = append(names, f.Name)
		}
		msg := fmt.Sprintf("%s has no field %q", c.object.Name, name)
		if near := closest(name, names); near != "" {
			msg += fmt.Sprintf(" (did you mean %s?)", near)
		}
		c.errorf(p, "%s", msg)
	}
	return f, ok
}

func (c *checker) writableField(name string, p Pos) (records.Field, bool) {
	f, ok := c.objectField(name, p)
	if ok && f.ReadOnly {
		c.errorf(p, "%s.%s is read-only", c.object.Name, name)
		return f, false
	}
	if ok {
		c.writes = append(c.writes, write{Object: c.object.Name, Field: name, Pos: p})
	}
	return f, ok
}

// fields checks a map of the object's fields to literal values or templates.
func (c *checker) fields(n *Node, where string) {
	if len(n.Pairs) == 0 {
		c.errorf(n.Pos, "%s: name at least one field to set", where)
	}
	for _, p := range n.Pairs {
		f, ok := c.writableField(p.Key, p.KeyPos)
		if !ok {
			continue
		}
		if p.Value.Kind != ScalarNode {
			c.errorf(p.Value.Pos, "%s.%s must be a single value", where, p.Key)
			continue
		}
		if strings.Contains(p.Value.Value, "{{") {
			c.template(p.Value, c.scope)
			continue
		}
		c.writes[len(c.writes)-1].Value = p.Value.Value
		if _, msg := records.CoerceString(f, p.Value.Value); msg != "" {
			c.errorf(p.Value.Pos, "%s.%s: %s", where, p.Key, msg)
		}
	}
}

// literal checks a value given for a field (trigger from/to).
func (c *checker) literal(f records.Field, n *Node) {
	if _, msg := records.CoerceString(f, n.Value); msg != "" {
		c.errorf(n.Pos, "%s: %s", f.Name, msg)
	}
}

func keysOf(n *Node) []string {
	var out []string
	for _, p := range n.Pairs {
		out = append(out, p.Key)
	}
	return out
}

func stepKind(n *Node) []string {
	var kinds []string
	for _, k := range keysOf(n) {
		if slices.Contains(StepKinds, k) {
			kinds = append(kinds, k)
		}
	}
	return kinds
}
