package engine

import (
	"context"
	"fmt"

	"github.com/salesflow/salesflow/internal/auth"
	"github.com/salesflow/salesflow/internal/scoring"
	"github.com/salesflow/salesflow/internal/store"
)

// Route routes a record through a ruleset now, as the assign action would, and returns the decision
// with its trace. With dry, nothing changes: the answer to "who would get this, and why" — the
// rotation is read, not moved, so a dry run never takes anyone's turn.
func (e *Engine) Route(ctx context.Context, a auth.Actor, ruleset, object, id string, dry bool) (Routed, error) {
	var r Routed
	do := func(tx *store.Tx) error {
		var err error
		r, err = e.route(withTx(ctx, tx), tx, a, ruleset, object, id, "", dry)
		return err
	}
	if dry {
		return r, e.st.Read(ctx, do)
	}
	return r, e.st.Write(ctx, do)
}

// Assignments lists a record's routing decisions with their traces, newest first.
func (e *Engine) Assignments(ctx context.Context, object, id string) ([]store.Assignment, error) {
	var out []store.Assignment
	err := e.st.Read(ctx, func(tx *store.Tx) error {
		var err error
		out, err = tx.Assignments(ctx, object, id, 50)
		return err
	})
	if out == nil {
		out = []store.Assignment{}
	}
	return out, err
}

// UnknownDefinitionError names a routing ruleset or scoring model that does not exist (or was
// archived); the API answers it as a bad field rather than a missing record.
type UnknownDefinitionError struct{ Kind, Name string }

func (e *UnknownDefinitionError) Error() string {
	noun := map[string]string{"routing": "routing ruleset", "scoring": "scoring model"}[e.Kind]
	return fmt.Sprintf("no %s named %q", noun, e.Name)
}

// Score scores a lead with a model now, as the score action would.
func (e *Engine) Score(ctx context.Context, a auth.Actor, model, leadID string) (scoring.Result, error) {
	var res scoring.Result
	err := e.write(ctx, func(ctx context.Context, tx *store.Tx) error {
		var err error
		res, err = e.scoreLead(ctx, tx, a, model, leadID)
		return err
	})
	return res, err
}

// MatchAccount finds a lead's account without storing it: the ranking the match_account action would
// act on.
func (e *Engine) MatchAccount(ctx context.Context, leadID string, min float64) (AccountMatch, error) {
	var m AccountMatch
	err := e.st.Read(ctx, func(tx *store.Tx) error {
		o, err := e.crm.Object(ctx, tx, "lead")
		if err != nil {
			return err
		}
		rec, err := tx.Get(ctx, o, leadID)
		if err != nil {
			return err
		}
		m, err = e.matchLead(ctx, tx, rec, min)
		return err
	})
	return m, err
}

// WrongObjectError is a ruleset asked to route a record of another object.
type WrongObjectError struct{ Ruleset, Routes, Got string }

func (e *WrongObjectError) Error() string {
	return fmt.Sprintf("routing ruleset %s routes %ss, not %ss", e.Ruleset, e.Routes, e.Got)
}

// CurrentProgram is the compiled current version of a workflow, for drawing it.
func (e *Engine) CurrentProgram(ctx context.Context, name string) (*Program, error) {
	var p *Program
	err := e.st.Read(ctx, func(tx *store.Tx) error {
		d, err := tx.Definition(ctx, "workflow", name)
		if err != nil {
			return err
		}
		p, err = e.program(ctx, tx, name, d.Version)
		return err
	})
	return p, err
}
