// Package engine runs workflows: it turns events into enrollments (triggers), executes each run's
// steps durably (runs, step history and jobs in the database, committed with the effects they make),
// waits on timers, events and tasks, retries failures and explains itself (run history, enrollment log).
//
// A run is a cursor into its workflow version's steps. The steps are flattened once per version into a
// Program where every step knows the address of the step after it, so a run's whole position is one
// string that survives restarts and can be matched by step id in a newer version.
package engine

import (
	"fmt"
	"strconv"

	"github.com/salesflow/salesflow/internal/workflow"
)

// Program is one workflow version ready to run.
type Program struct {
	Def     *workflow.Definition
	Name    string
	Version int
	Object  string
	Plan    map[string]any
	Trigger map[string]any
	First   string           // the address of the first step
	Steps   map[string]*Step // by address
	ByID    map[string]string
	// Needs are the relation paths its expressions reach below each variable ("lead" → "owner",
	// "owner.manager"): what loading the run's record must fetch, worked out once per version.
	Needs map[string]map[string]bool
}

// byID is the step with id, or nil.
func (p *Program) byID(id string) *Step {
	if addr, ok := p.ByID[id]; ok {
		return p.Steps[addr]
	}
	return nil
}

// Step is one step of a program.
type Step struct {
	Addr string // "3/then/1": where it sits in the definition; also its id when it has none
	ID   string
	Type string // action, if, switch, split, delay, wait_for, task, handoff, enroll, unenroll, stop
	Raw  map[string]any
	Next string // the step after it ("" ends the run)
	// Lists are the first steps of its sub-lists by name ("then", "else", "else_if/1", "cases/connected",
	// "default", "split/a", "on_timeout", "on_skip", "on_decline"); an empty list leads to Next.
	Lists map[string]string
}

// Compile flattens a checked workflow definition.
func Compile(d *workflow.Definition, version int) (*Program, error) {
	if d.Kind != "workflow" {
		return nil, fmt.Errorf("%s is a %s, not a workflow", d.Name, d.Kind)
	}
	plan := d.Plan()
	p := &Program{Def: d, Name: d.Name, Version: version, Object: d.Object, Plan: plan,
		Steps: map[string]*Step{}, ByID: map[string]string{}}
	p.Trigger, _ = plan["trigger"].(map[string]any)
	p.Needs = needs(definitionReads(d))
	steps, _ := plan["steps"].([]any)
	var err error
	if p.First, err = p.flatten(steps, "", ""); err != nil {
		return nil, err
	}
	return p, nil
}

// flatten adds the steps of one list and returns the address of its first step (cont when empty).
// Each step's Next is the following step, or cont after the list's last.
func (p *Program) flatten(list []any, path, cont string) (string, error) {
	next := cont
	for i := len(list) - 1; i >= 0; i-- {
		raw, ok := list[i].(map[string]any)
		if !ok {
			return "", fmt.Errorf("step %s%d is not a map", prefix(path), i+1)
		}
		addr := prefix(path) + strconv.Itoa(i+1)
		s := &Step{Addr: addr, Raw: raw, Next: next, Lists: map[string]string{}}
		s.ID, _ = raw["id"].(string)
		s.Type, _ = raw["type"].(string)
		if err := p.subLists(s); err != nil {
			return "", err
		}
		p.Steps[addr] = s
		p.ByID[s.ID] = addr
		next = addr
	}
	return next, nil
}

func prefix(path string) string {
	if path == "" {
		return ""
	}
	return path + "/"
}

// subLists flattens the lists nested in a step, each continuing at the step's Next.
func (p *Program) subLists(s *Step) error {
	add := func(name string, v any) error {
		list, _ := v.([]any)
		first, err := p.flatten(list, s.Addr+"/"+name, s.Next)
		s.Lists[name] = first
		return err
	}
	var err error
	switch s.Type {
	case "if":
		err = add("then", s.Raw["then"])
		for i, ei := range asList(s.Raw["else_if"]) {
			m, _ := ei.(map[string]any)
			key := fmt.Sprintf("else_if/%d/then", i+1)
			if e := add(key, m["then"]); e != nil {
				return e
			}
		}
		if err == nil {
			err = add("else", s.Raw["else"])
		}
	case "switch":
		cases, _ := s.Raw["cases"].(map[string]any)
		for k, v := range cases {
			if e := add("cases/"+k, v); e != nil {
				return e
			}
		}
		err = add("default", s.Raw["default"])
	case "split":
		for i, b := range asList(s.Raw["split"]) {
			m, _ := b.(map[string]any)
			if e := add(fmt.Sprintf("split/%d/steps", i+1), m["steps"]); e != nil {
				return e
			}
		}
	case "wait_for":
		err = add("on_timeout", s.Raw["on_timeout"])
	case "task":
		if err = add("on_skip", s.Raw["on_skip"]); err == nil {
			err = add("on_decline", s.Raw["on_decline"])
		}
	}
	return err
}

func asList(v any) []any {
	l, _ := v.([]any)
	return l
}
