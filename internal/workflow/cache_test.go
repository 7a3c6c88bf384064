package workflow

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/salesflow/salesflow/internal/expr"
)

// countingExprs counts compilations, to show a version is compiled once.
type countingExprs struct {
	ExprChecker
	n atomic.Int64
}

func (c *countingExprs) CheckExpr(src string, s Scope, want string) ExprResult {
	c.n.Add(1)
	return c.ExprChecker.CheckExpr(src, s, want)
}

func TestCacheCompilesEachVersionOnce(t *testing.T) {
	l := testLinter(t)
	counting := &countingExprs{ExprChecker: l.Exprs}
	l.Exprs = counting
	cache := NewCache(l)
	v1 := "kind: workflow\nname: w\nowner: a@b.co\nreview_every: 1d\nobject: lead\ntrigger: { on: lead.created, when: lead.score > 10 }\nsteps:\n  - if: lead.employees >= 50\n    then: [{ stop: big }]\n"
	d, err := cache.Get(context.Background(), "workflow/w v1", v1)
	require.NoError(t, err)
	compiled := counting.n.Load()
	require.EqualValues(t, 2, compiled)
	for range 5 {
		again, err := cache.Get(context.Background(), "workflow/w v1", v1)
		require.NoError(t, err)
		require.Same(t, d, again)
	}
	require.Equal(t, compiled, counting.n.Load(), "a cached version compiles nothing")

	// The plan names each expression's position; the program for it is ready to run.
	when := d.Plan()["trigger"].(map[string]any)["when"].(map[string]any)
	prog, ok := d.Compiled[when["at"].(string)].(*expr.Program)
	require.True(t, ok)
	out, err := prog.Eval(context.Background(), expr.Vars{"lead": map[string]any{"score": 42.0}})
	require.NoError(t, err)
	require.Equal(t, true, out)

	_, err = cache.Get(context.Background(), "workflow/w v2", strings.Replace(v1, "lead.score", "lead.scroe", 1))
	require.ErrorContains(t, err, "unknown field scroe", "a version that does not compile is refused")
}
