package engine

import (
	"context"

	"github.com/salesflow/salesflow/internal/auth"
	"github.com/salesflow/salesflow/internal/store"
)

// Route routes a record through a ruleset now, as the assign action would, and returns the decision
// with its trace. With dry, nothing changes: the answer to "who would get this, and why" — the
// rotation is read, not moved, so a dry run never takes anyone's turn.
func (e *Engine) Route(ctx context.Context, a auth.Actor, ruleset, object, id string, dry bool) (Routed, error) {
	var r Routed
	do := func(tx *store.Tx) error {
		var err error
		r, err = e.route(ctx, tx, a, ruleset, object, id, "", dry)
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
