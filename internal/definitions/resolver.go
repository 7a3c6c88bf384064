package definitions

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/salesflow/salesflow/internal/crm"
	"github.com/salesflow/salesflow/internal/records"
	"github.com/salesflow/salesflow/internal/store"
)

// resolver answers the linter's questions about what exists, from one read transaction: definitions
// already applied (archived ones no longer count), teams and pipelines by name, users by email.
type resolver struct {
	tx  *store.Tx
	cat *records.Catalog
}

func (r *resolver) Exists(ctx context.Context, kind, name string) (bool, error) {
	switch kind {
	case "stage":
		return r.stage(ctx, name)
	case "team", "pipeline":
		return r.record(ctx, kind, "name", name)
	case "user":
		return r.record(ctx, kind, "email", strings.ToLower(strings.TrimSpace(name)))
	}
	if CheckKind("kind", kind) != nil {
		return false, fmt.Errorf("cannot look up a %q", kind)
	}
	d, err := r.tx.Definition(ctx, kind, name)
	if errors.Is(err, records.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return d.State != store.StateArchived, nil
}

func (r *resolver) record(ctx context.Context, object, field, value string) (bool, error) {
	o, ok := r.cat.Get(object)
	if !ok {
		return false, fmt.Errorf("no %s object", object)
	}
	_, err := r.tx.GetBy(ctx, o, field, value)
	if errors.Is(err, records.ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}

// stage answers for "PIPELINE/STAGE": does that pipeline (any pipeline, when PIPELINE is empty) have
// the stage.
func (r *resolver) stage(ctx context.Context, ref string) (bool, error) {
	pipeline, stage, _ := strings.Cut(ref, "/")
	o, _ := r.cat.Get("pipeline")
	q := store.ListQuery{Sort: "name", Limit: 500}
	if pipeline != "" {
		q.Filters = []store.Filter{{Field: "name", Op: store.Eq, Value: pipeline}}
	}
	pipes, _, err := r.tx.List(ctx, o, q)
	if err != nil {
		return false, err
	}
	for _, p := range pipes {
		if crm.HasStage(p["stages"], stage) {
			return true, nil
		}
	}
	return false, nil
}
