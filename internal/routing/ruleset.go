// Package routing decides who gets a record (S3): a ruleset's ordered rules (the first that holds
// decides), each naming a person or a pool that picks one of a team by round robin, weighted round robin
// or least load, skipping people who are inactive, away, outside their working hours or at their daily
// cap; a fallback queue when nobody can take it. Every decision comes with a trace a person can read.
//
// The package is pure: the engine loads people and the rotation state, calls Decide inside the
// transaction that holds the ruleset's state row locked, and writes the result, so two records routed
// at the same instant see each other's turn.
package routing

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/salesflow/salesflow/internal/expr"
	"github.com/salesflow/salesflow/internal/workflow"
)

// Ruleset is a compiled `kind: routing` definition.
type Ruleset struct {
	Name     string
	Version  int
	Object   string
	Rules    []Rule
	Pool     PoolRules
	Fallback Fallback
	exclude  map[string]string // people this decision may not pick, with why (DecideExcluding)
}

// Rule is one rule: a condition and either a person (Assign) or a pool.
type Rule struct {
	Name   string
	When   string // as written; "" = always
	when   *expr.Program
	Assign string
	assign *expr.Program
	Pool   *Pool
}

// Pool picks one member of a team.
type Pool struct {
	Team    string
	Method  string         // round_robin | weighted | least_loaded
	Weights map[string]int // member email → weight (weighted); members not listed weigh 1
	Load    string         // open_leads | open_tasks (least_loaded)
}

// PoolRules are who a pool may pick.
type PoolRules struct {
	WorkingHours bool
	AfterHours   string // assign (default) or queue: when nobody is within their hours
	SkipAway     bool
	DailyCap     int    // 0 = none
	Calendar     string // "" = each person's own working hours
}

// Fallback is where a record waits when nobody can take it.
type Fallback struct {
	Queue  string
	Notify string
}

// Compile builds a ruleset from a linted definition.
func Compile(d *workflow.Definition, version int) (*Ruleset, error) {
	if d.Kind != "routing" {
		return nil, fmt.Errorf("%s is a %s, not a routing ruleset", d.Name, d.Kind)
	}
	root := d.Root
	rs := &Ruleset{Name: d.Name, Version: version, Object: d.Object}
	prog := func(n *workflow.Node) (*expr.Program, error) {
		p, ok := d.Compiled[n.Pos.String()].(*expr.Program)
		if !ok {
			return nil, fmt.Errorf("routing %s: the expression at %s was not compiled", d.Name, n.Pos)
		}
		return p, nil
	}
	for _, it := range root.Get("rules").ItemsOrNil() {
		r := Rule{Name: it.Get("name").Str()}
		var err error
		if w := it.Get("when"); w != nil {
			r.When = strings.TrimSpace(w.Str())
			if r.when, err = prog(w); err != nil {
				return nil, err
			}
		}
		if a := it.Get("assign"); a != nil {
			r.Assign = strings.TrimSpace(a.Str())
			if r.assign, err = prog(a); err != nil {
				return nil, err
			}
		}
		if p := it.Get("pool"); p != nil {
			r.Pool = &Pool{Team: p.Get("team").Str(), Method: p.Get("method").Str(), Load: p.Get("load").Str(), Weights: map[string]int{}}
			if r.Pool.Method == "" {
				r.Pool.Method = "round_robin"
			}
			if r.Pool.Load == "" {
				r.Pool.Load = "open_leads"
			}
			for _, w := range p.Get("weights").PairsOrNil() {
				n, _ := strconv.Atoi(w.Value.Str())
				r.Pool.Weights[strings.ToLower(w.Key)] = n
			}
		}
		rs.Rules = append(rs.Rules, r)
	}
	pr := root.Get("pool_rules")
	rs.Pool = PoolRules{WorkingHours: pr.Get("respect_working_hours").Str() == "true", SkipAway: pr.Get("skip_out_of_office").Str() == "true",
		Calendar: pr.Get("calendar").Str()}
	rs.Pool.DailyCap, _ = strconv.Atoi(pr.Get("daily_cap").Str())
	rs.Pool.AfterHours = pr.Get("after_hours").Str()
	if rs.Pool.AfterHours == "" {
		rs.Pool.AfterHours = "assign"
	}
	fb := root.Get("fallback")
	rs.Fallback = Fallback{Queue: fb.Get("queue").Str(), Notify: fb.Get("notify").Str()}
	return rs, nil
}

// Teams lists the teams the ruleset's pools draw from.
func (rs *Ruleset) Teams() []string {
	var out []string
	for _, r := range rs.Rules {
		if r.Pool != nil {
			out = append(out, r.Pool.Team)
		}
	}
	return out
}
