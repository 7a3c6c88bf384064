package expr

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"
	_ "time/tzdata" // at_local and friends must work on hosts without a zoneinfo database

	"cel.dev/cel-go/cel"
	"cel.dev/cel-go/common/types"
	"cel.dev/cel-go/ext"
)

// DefaultCostLimit is the run-time cost limit when Options.CostLimit is 0. A cost unit is roughly one
// operation; ordinary conditions cost well under 100, so this only stops runaway loops.
const DefaultCostLimit = 100_000

// Options configure an Env.
type Options struct {
	// CostLimit bounds the work of one evaluation (0: DefaultCostLimit).
	CostLimit uint64
	// Now is the clock now() reads (nil: time.Now). The engine passes its own so runs replay.
	Now func() time.Time
	// Calendars resolves business calendars by name. Nil at lint time: the business-time functions
	// still type-check, and evaluating one returns an error.
	Calendars CalendarResolver
	// TrustCalendarNames skips the check, when an expression compiles, that a calendar it names exists:
	// for stored versions, whose names were checked when they were applied (a calendar applied with
	// them is not visible outside that transaction). Evaluating with a calendar that is gone fails.
	TrustCalendarNames bool
}

// CalendarResolver finds a business calendar by name. ctx is the evaluation's (Program.Eval): the
// engine reads the calendar through the transaction it carries.
type CalendarResolver interface {
	Calendar(ctx context.Context, name string) (BusinessCalendar, error)
}

// BusinessCalendar is the business-time arithmetic the expression functions need.
type BusinessCalendar interface {
	AddBusinessHours(t time.Time, h float64) time.Time
	AddBusinessDays(t time.Time, d int) time.Time
	BusinessHoursBetween(a, b time.Time) float64
}

// Scope is the variables one expression may use.
type Scope struct {
	// Object is the workflow's object ("lead"), bound as a variable of that name; "" binds none.
	Object string
	// Event is the triggering event, bound as `event`; nil binds none.
	Event *EventScope
	// Steps are the earlier steps' outputs (step id → output → type), read as steps.<id>.<output>.
	Steps map[string]map[string]Type
	// Extra are more variables, e.g. `record` in a scoring rule.
	Extra map[string]Type
}

// EventScope describes the triggering event: its type ("activity.created") and its fields, e.g.
// activity: Object("activity") for a wait_for on activity.created.
type EventScope struct {
	Type   string
	Fields map[string]Type
}

// Env compiles expressions against one schema. It is immutable and safe for concurrent use; build one
// per schema version (custom fields change the schema) and compile each expression once.
type Env struct {
	schema  *Schema
	opts    Options
	reg     *types.Registry
	base    *cel.Env
	objects map[string]*structDecl // CEL type name → object declaration, shared by every compile
	zones   *zoneCache
}

// NewEnv builds the CEL environment: the standard library, the strings and math extensions, optional
// field access (lead.?email.orValue("")) and the Salesflow functions (see Functions).
func NewEnv(s *Schema, opts Options) (*Env, error) {
	if opts.CostLimit == 0 {
		opts.CostLimit = DefaultCostLimit
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	reg, err := types.NewRegistry()
	if err != nil {
		return nil, fmt.Errorf("expression environment: %w", err)
	}
	e := &Env{schema: s, opts: opts, reg: reg, objects: map[string]*structDecl{}, zones: &zoneCache{m: map[string]*time.Location{}}}
	for _, name := range s.order {
		o := s.objects[name]
		d := newStructDecl(objectTypeName(name), name, "field")
		for _, m := range o.members {
			d.add(m.Name, m.Type, m.Field)
		}
		e.objects[d.celName] = d
	}
	envOpts := []cel.EnvOption{
		cel.CustomTypeProvider(reg), cel.CustomTypeAdapter(reg),
		cel.CrossTypeNumericComparisons(true),
		cel.EnableIdentifierEscapeSyntax(),
		cel.OptionalTypes(),
		cel.DefaultUTCTimeZone(true),
		ext.Strings(), ext.Math(),
	}
	for _, h := range e.helpers() {
		envOpts = append(envOpts, h.decl)
	}
	if e.base, err = cel.NewEnv(envOpts...); err != nil {
		return nil, fmt.Errorf("expression environment: %w", err)
	}
	return e, nil
}

// Schema returns the schema the Env was built from.
func (e *Env) Schema() *Schema { return e.schema }

// scopeEnv is what one Compile checks against: the CEL environment extended with the scope's
// variables, the provider that knows the scope's step and event types, and the variables' types.
type scopeEnv struct {
	cel  *cel.Env
	prov *provider
	vars map[string]Type
}

// scopeEnv extends the base environment with a scope. Problems with the scope itself (an unknown
// object, a variable declared twice) are the caller's, reported as issues at 1:1.
func (e *Env) scopeEnv(sc Scope) (*scopeEnv, []Issue) {
	var issues []Issue
	p := &provider{Registry: e.reg, structs: maps.Clone(e.objects), misses: map[string][]*structDecl{}}
	vars := map[string]Type{}
	declare := func(name string, t Type) {
		if _, dup := vars[name]; dup {
			issues = append(issues, Issue{Line: 1, Col: 1, Message: fmt.Sprintf("variable %s is declared twice in this scope", name)})
			return
		}
		if obj, ok := t.IsObject(); ok && e.schema.objects[obj] == nil {
			issues = append(issues, Issue{Line: 1, Col: 1, Message: fmt.Sprintf("variable %s: unknown object %s", name, obj)})
			return
		}
		vars[name] = t
	}
	if sc.Object != "" {
		declare(sc.Object, Object(sc.Object))
	}
	if sc.Event != nil {
		d := newStructDecl(eventTypeName, "event", "field")
		if sc.Event.Type != "" {
			d.label = "event " + sc.Event.Type
		}
		for _, name := range slices.Sorted(maps.Keys(sc.Event.Fields)) {
			d.add(name, sc.Event.Fields[name], "")
		}
		p.structs[eventTypeName] = d
		declare("event", Type{kind: kindOther, name: eventTypeName})
	}
	if sc.Steps != nil {
		steps := newStructDecl(stepsTypeName, "steps", "step")
		for _, id := range slices.Sorted(maps.Keys(sc.Steps)) {
			d := newStructDecl(stepTypePre+id, "step "+id, "output")
			for _, out := range slices.Sorted(maps.Keys(sc.Steps[id])) {
				d.add(out, sc.Steps[id][out], "")
			}
			p.structs[d.celName] = d
			steps.add(id, Type{kind: kindOther, name: d.celName}, "")
		}
		p.structs[stepsTypeName] = steps
		declare("steps", Type{kind: kindOther, name: stepsTypeName})
	}
	for _, name := range slices.Sorted(maps.Keys(sc.Extra)) {
		declare(name, sc.Extra[name])
	}
	opts := []cel.EnvOption{cel.CustomTypeProvider(p)}
	for name, t := range vars {
		opts = append(opts, cel.Variable(name, t.celType(false)))
	}
	env, err := e.base.Extend(opts...)
	if err != nil {
		issues = append(issues, Issue{Line: 1, Col: 1, Message: fmt.Sprintf("scope: %v", err)})
		return nil, issues
	}
	return &scopeEnv{cel: env, prov: p, vars: vars}, issues
}

// zoneCache keeps loaded time zones: a zone name comes from record data on every evaluation, and
// time.LoadLocation reads and parses a file each time.
type zoneCache struct {
	mu sync.Mutex
	m  map[string]*time.Location
}

func (z *zoneCache) load(name string) (*time.Location, error) {
	z.mu.Lock()
	defer z.mu.Unlock()
	if loc, ok := z.m[name]; ok {
		return loc, nil
	}
	if name == "" || strings.EqualFold(name, "local") {
		return nil, fmt.Errorf("time zone %q: name an IANA zone such as Europe/Berlin", name)
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, fmt.Errorf("unknown time zone %q", name)
	}
	z.m[name] = loc
	return loc, nil
}
