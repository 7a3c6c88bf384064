package engine

import (
	"context"
	"fmt"

	"github.com/salesflow/salesflow/internal/expr"
)

// eval evaluates a plan value: an expression ({expr, at}), a template ({template, at}) or a literal.
func (e *Engine) eval(ctx context.Context, p *Program, node any, vars expr.Vars) (any, error) {
	n, ok := node.(map[string]any)
	if !ok {
		return node, nil
	}
	at, _ := n["at"].(string)
	switch {
	case n["expr"] != nil:
		prg, ok := p.Def.Compiled[at].(*expr.Program)
		if !ok {
			return nil, fmt.Errorf("expression %v at %s was not compiled", n["expr"], at)
		}
		return prg.Eval(ctx, vars)
	case n["template"] != nil:
		t, ok := p.Def.Compiled[at].(*expr.Template)
		if !ok {
			return nil, fmt.Errorf("template at %s was not compiled", at)
		}
		return t.Render(ctx, vars)
	}
	return node, nil
}

func (e *Engine) evalBool(ctx context.Context, p *Program, node any, vars expr.Vars) (bool, error) {
	v, err := e.eval(ctx, p, node, vars)
	if err != nil {
		return false, err
	}
	b, ok := v.(bool)
	if !ok {
		return false, fmt.Errorf("condition gave %v, not true or false", v)
	}
	return b, nil
}

// text evaluates a plan value to text ("" for null).
func (e *Engine) text(ctx context.Context, p *Program, node any, vars expr.Vars) (string, error) {
	if node == nil {
		return "", nil
	}
	v, err := e.eval(ctx, p, node, vars)
	if err != nil || v == nil {
		return "", err
	}
	if s, ok := v.(string); ok {
		return s, nil
	}
	return expr.Format(v), nil
}

// exprSource is how history shows an expression: its text.
func exprSource(node any) any {
	if n, ok := node.(map[string]any); ok {
		if s, ok := n["expr"]; ok {
			return s
		}
		if s, ok := n["template"]; ok {
			return s
		}
	}
	return node
}
