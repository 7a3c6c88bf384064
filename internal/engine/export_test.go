package engine

import (
	"context"

	"github.com/salesflow/salesflow/internal/store"
)

// CompileIn is program, for the tests of the caches.
func (e *Engine) CompileIn(ctx context.Context, tx *store.Tx, name string, version int) (*Program, error) {
	return e.program(ctx, tx, name, version)
}
