package engine_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/salesflow/salesflow/internal/engine"
	"github.com/salesflow/salesflow/internal/store"
)

// TestAVersionCompilesOncePerTransaction: a workflow version used twice in one transaction compiles
// once (moving a thousand waiting runs compiled it a thousand times; found by review), is shared by
// every transaction once the one that compiled it committed, and is not kept when it rolled back.
func TestAVersionCompilesOncePerTransaction(t *testing.T) {
	eachDB(t, func(t *testing.T, db string) {
		h := newHarness(t, db)
		h.apply(leadFlow("w", "{ on: lead.created }", "  - action: set\n    with: { status: working }\n"))
		e := engine.New(h.a.Service, engine.Options{Now: h.now}) // its caches are empty
		compile := func(tx *store.Tx) *engine.Program {
			p, err := e.CompileIn(h.ctx, tx, "w", 1)
			require.NoError(t, err)
			return p
		}
		var undone *engine.Program
		err := h.a.Store.Write(h.ctx, func(tx *store.Tx) error {
			undone = compile(tx)
			require.Same(t, undone, compile(tx), "twice in one transaction")
			return errors.New("roll back")
		})
		require.Error(t, err)
		var kept *engine.Program
		require.NoError(t, h.a.Store.Read(h.ctx, func(tx *store.Tx) error {
			kept = compile(tx)
			require.NotSame(t, undone, kept, "compiled in a transaction that rolled back")
			return nil
		}))
		require.NoError(t, h.a.Store.Write(h.ctx, func(tx *store.Tx) error {
			require.Same(t, kept, compile(tx), "compiled in a transaction that committed")
			return nil
		}))
	})
}
