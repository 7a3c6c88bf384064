package engine

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/salesflow/salesflow/internal/routing"
	"github.com/salesflow/salesflow/internal/scoring"
	"github.com/salesflow/salesflow/internal/store"
)

// RoutingOverview is a ruleset as an admin inspects it: its rules, each pool's members as routing
// sees them now (away, inactive, in hours, assigned today, load), the rotation state, and the latest
// decisions with their traces.
type RoutingOverview struct {
	Ruleset *routing.Ruleset
	Pools   []PoolView
	State   routing.State
	Recent  []store.Assignment
}

// PoolView is one pool rule's team.
type PoolView struct {
	Rule    string
	Pool    routing.Pool
	Members []routing.Person
}

// RoutingOverview reads a routing ruleset with its pools and its recent assignments (at most recent).
func (e *Engine) RoutingOverview(ctx context.Context, name string, recent int) (RoutingOverview, error) {
	var o RoutingOverview
	err := e.st.Read(ctx, func(tx *store.Tx) error {
		rs, _, err := e.ruleset(ctx, tx, name)
		if err != nil {
			return err
		}
		o.Ruleset = rs
		raw, err := tx.RoutingState(ctx, name)
		if err != nil {
			return err
		}
		if err := json.Unmarshal([]byte(raw), &o.State); err != nil {
			return fmt.Errorf("routing state of %s: %w", name, err)
		}
		ppl := &people{e: e, tx: tx, rs: rs, now: e.now(), seen: map[string]routing.Person{}}
		for _, r := range rs.Rules {
			if r.Pool == nil {
				continue
			}
			members, err := ppl.Team(ctx, r.Pool.Team, r.Pool.Load)
			if err != nil {
				return fmt.Errorf("pool %s of rule %s: %w", r.Pool.Team, r.Name, err)
			}
			o.Pools = append(o.Pools, PoolView{Rule: r.Name, Pool: *r.Pool, Members: members})
		}
		o.Recent, err = tx.RecentAssignments(ctx, name, recent)
		return err
	})
	return o, err
}

// ScoringOverview is a scoring model with how its leads are graded now.
type ScoringOverview struct {
	Model  *scoring.Model
	Grades map[string]int // grade → leads last scored by the model ("" = no grade)
}

// ScoringOverview reads a scoring model and its grade distribution.
func (e *Engine) ScoringOverview(ctx context.Context, name string) (ScoringOverview, error) {
	var o ScoringOverview
	err := e.st.Read(ctx, func(tx *store.Tx) error {
		cm, err := e.scoreModel(ctx, tx, name)
		if err != nil {
			return err
		}
		o.Model = cm.model
		o.Grades, err = tx.GradeCounts(ctx, name)
		return err
	})
	return o, err
}
