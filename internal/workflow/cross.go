package workflow

import (
	"context"
	"fmt"
	"slices"
	"strings"
)

// definitionKinds are the reference kinds that name documents.
var definitionKinds = []string{"workflow", "routing", "scoring", "policy", "calendar", "template"}

var refNoun = map[string]string{"routing": "routing ruleset", "scoring": "scoring model", "policy": "contact policy",
	"calendar": "calendar", "template": "template", "workflow": "workflow", "team": "team", "user": "user", "pipeline": "pipeline"}

// crossCheck finds what no single document shows: duplicate names, references to things that do not
// exist, workflows that trigger each other in a loop, and workflows writing the same field on the same
// trigger.
func (l *Linter) crossCheck(ctx context.Context, defs []*Definition, ds *Diagnostics) {
	defined := map[string]*Definition{}
	for _, d := range defs {
		key := d.Kind + "/" + d.Name
		if prev, dup := defined[key]; dup && d.Name != "" {
			ds.add(d.File, d.Pos, Error, "%s %q is defined twice (also at %s:%d)", d.Kind, d.Name, prev.File, prev.Pos.Line)
			continue
		}
		defined[key] = d
	}
	for _, d := range defs {
		refs := d.refs
		if d.Owner != "" {
			refs = append(refs, Ref{Kind: "user", Name: d.Owner, File: d.File, Pos: d.Root.Get("owner").Pos})
		}
		for _, r := range refs {
			l.resolve(ctx, r, defined, ds)
		}
	}
	workflows := slices.DeleteFunc(slices.Clone(defs), func(d *Definition) bool { return d.Kind != "workflow" })
	cycles(workflows, ds)
	doubleWriters(workflows, ds)
	thresholds(workflows, defined, ds)
}

// thresholds checks that a lead.score_crossed trigger names a threshold its scoring model has (or, with
// no model named, one of the models in the files has). Models only on the server are not checked.
func thresholds(wfs []*Definition, defined map[string]*Definition, ds *Diagnostics) {
	names := func(model *Definition) []string {
		var out []string
		for _, th := range model.Root.Get("thresholds").ItemsOrNil() {
			out = append(out, th.Get("name").Str())
		}
		return out
	}
	for _, w := range wfs {
		t := w.Root.Get("trigger")
		th := t.Get("threshold")
		if t.Get("on").Str() != "lead.score_crossed" || th == nil {
			continue
		}
		var known []string
		if m := t.Get("model").Str(); m != "" {
			model, ok := defined["scoring/"+m]
			if !ok {
				continue // reported as a missing reference, or on the server
			}
			known = names(model)
		} else {
			for key, d := range defined {
				if strings.HasPrefix(key, "scoring/") {
					known = append(known, names(d)...)
				}
			}
			if len(known) == 0 {
				continue
			}
		}
		if !slices.Contains(known, th.Value) {
			msg := fmt.Sprintf("no scoring threshold named %q (known: %s)", th.Value, strings.Join(known, ", "))
			if near := closest(th.Value, known); near != "" {
				msg = fmt.Sprintf("no scoring threshold named %q (did you mean %s?)", th.Value, near)
			}
			ds.add(w.File, th.Pos, Error, "%s", msg)
		}
	}
}

func (l *Linter) resolve(ctx context.Context, r Ref, defined map[string]*Definition, ds *Diagnostics) {
	if slices.Contains(definitionKinds, r.Kind) {
		if d, ok := defined[r.Kind+"/"+r.Name]; ok {
			if r.Object != "" && d.Object != "" && d.Object != r.Object {
				ds.add(r.File, r.Pos, Error, "%s %q is about %ss, and this sends it to a %s", refNoun[r.Kind], r.Name, d.Object, r.Object)
			}
			return
		}
	}
	if l.Resolver == nil {
		if slices.Contains(definitionKinds, r.Kind) {
			ds.add(r.File, r.Pos, Error, "no %s named %q in these files (lint with --server to check against the server)", refNoun[r.Kind], r.Name)
		}
		return // users, teams and pipelines live in the database: only --server can check them
	}
	ok, err := l.Resolver.Exists(ctx, r.Kind, r.Name)
	switch {
	case err != nil:
		ds.add(r.File, r.Pos, Error, "could not check %s %q: %v", refNoun[r.Kind], r.Name, err)
	case !ok && r.Kind == "stage":
		pipeline, stage, _ := strings.Cut(r.Name, "/")
		if pipeline == "" {
			ds.add(r.File, r.Pos, Error, "no pipeline on the server has a stage %q", stage)
		} else {
			ds.add(r.File, r.Pos, Error, "pipeline %q has no stage %q (or no such pipeline)", pipeline, stage)
		}
	case !ok:
		ds.add(r.File, r.Pos, Error, "no %s named %q (checked against the files and the server)", refNoun[r.Kind], r.Name)
	}
}

// watch is what makes a workflow start: the object, the verb, and the field it watches ("" = any).
type watch struct{ object, verb, field string }

func watchOf(d *Definition) watch {
	t := d.Root.Get("trigger")
	on := t.Get("on").Str()
	w := watch{object: d.Object, field: t.Get("changed").Str()}
	switch {
	case on == "deal.stage_changed":
		w.verb, w.field = "updated", "stage"
	case strings.HasPrefix(on, d.Object+"."):
		w.verb = strings.TrimPrefix(on, d.Object+".")
	default:
		w.verb = on
	}
	return w
}

// triggers reports whether a's steps can start b, and how: by setting a field b watches, by creating a
// record b starts on, or by enrolling records in b.
func triggers(a, b *Definition) (string, bool) {
	if slices.Contains(a.enrolls, b.Name) {
		return "enrolls records in " + b.Name, true
	}
	w := watchOf(b)
	if w.verb == "created" && slices.Contains(a.creates, w.object) {
		return "creates a " + w.object, true
	}
	if w.verb != "updated" {
		return "", false
	}
	to := b.Root.Get("trigger").Get("to").Str()
	for _, wr := range a.writes {
		if wr.Object != w.object || (w.field != "" && w.field != wr.Field) {
			continue
		}
		if to != "" && wr.Value != "" && wr.Value != to && w.field == wr.Field {
			continue // it writes a value the trigger does not wait for
		}
		return "sets " + wr.Field, true
	}
	return "", false
}

// cycles warns about workflows that can trigger each other in a loop: every strongly connected group
// of the "a's writes can start b" graph (Tarjan's algorithm, linear in the edges), and every workflow
// that can start itself.
func cycles(wfs []*Definition, ds *Diagnostics) {
	n := len(wfs)
	edges := make([][]int, n)
	for i, a := range wfs {
		for j, b := range wfs {
			if _, ok := triggers(a, b); ok {
				edges[i] = append(edges[i], j)
			}
		}
	}
	index, low := make([]int, n), make([]int, n)
	onStack := make([]bool, n)
	for i := range index {
		index[i] = -1
	}
	var stack []int
	next := 0
	var connect func(v int)
	connect = func(v int) {
		index[v], low[v] = next, next
		next++
		stack = append(stack, v)
		onStack[v] = true
		for _, w := range edges[v] {
			if index[w] < 0 {
				connect(w)
				low[v] = min(low[v], low[w])
			} else if onStack[w] {
				low[v] = min(low[v], index[w])
			}
		}
		if low[v] != index[v] {
			return
		}
		var group []int
		for {
			w := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			onStack[w] = false
			group = append(group, w)
			if w == v {
				break
			}
		}
		if len(group) > 1 || slices.Contains(edges[v], v) {
			loopWarning(wfs, edges, group, ds)
		}
	}
	for v := range wfs {
		if index[v] < 0 {
			connect(v)
		}
	}
}

func loopWarning(wfs []*Definition, edges [][]int, group []int, ds *Diagnostics) {
	slices.SortFunc(group, func(i, j int) int { return strings.Compare(wfs[i].Name, wfs[j].Name) })
	var names, via []string
	for _, i := range group {
		names = append(names, wfs[i].Name)
		for _, j := range edges[i] {
			if slices.Contains(group, j) {
				how, _ := triggers(wfs[i], wfs[j])
				if strings.HasPrefix(how, "enrolls") {
					via = append(via, wfs[i].Name+" "+how)
				} else {
					via = append(via, fmt.Sprintf("%s %s, which starts %s", wfs[i].Name, how, wfs[j].Name))
				}
			}
		}
	}
	if len(via) > 6 {
		via = append(via[:6], fmt.Sprintf("and %d more", len(via)-6))
	}
	for _, i := range group {
		d := wfs[i]
		what := "workflows " + strings.Join(names, ", ") + " can trigger each other in a loop"
		if len(names) == 1 {
			what = "workflow " + names[0] + " can trigger itself"
		}
		if len(names) > 8 {
			what = fmt.Sprintf("workflows %s and %d more can trigger each other in a loop", strings.Join(names[:8], ", "), len(names)-8)
		}
		ds.add(d.File, d.Root.Get("trigger").Pos, Warning, "%s (%s); the loop guard will cut it, but check the design", what, strings.Join(via, "; "))
	}
}

// doubleWriters warns when two workflows started by the same trigger write the same field: which
// value wins would depend on timing.
func doubleWriters(wfs []*Definition, ds *Diagnostics) {
	byTrigger := map[watch][]*Definition{}
	for _, d := range wfs {
		w := watchOf(d)
		byTrigger[w] = append(byTrigger[w], d)
	}
	for w, group := range byTrigger {
		if len(group) < 2 {
			continue
		}
		writers := map[string][]write{}
		owner := map[string][]*Definition{}
		for _, d := range group {
			seen := map[string]bool{}
			for _, wr := range d.writes {
				if !seen[wr.Field] {
					seen[wr.Field] = true
					writers[wr.Field] = append(writers[wr.Field], wr)
					owner[wr.Field] = append(owner[wr.Field], d)
				}
			}
		}
		for field, ws := range writers {
			if len(ws) < 2 {
				continue
			}
			var names []string
			for _, d := range owner[field] {
				names = append(names, d.Name)
			}
			for i, wr := range ws {
				ds.add(owner[field][i].File, wr.Pos, Warning, "workflows %s all set %s.%s on %s.%s; which value wins depends on timing",
					strings.Join(names, ", "), w.object, field, w.object, w.verb)
			}
		}
	}
}
