package engine

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/salesflow/salesflow/internal/expr"
	"github.com/salesflow/salesflow/internal/records"
	"github.com/salesflow/salesflow/internal/store"
	"github.com/salesflow/salesflow/internal/workflow"
)

// loader reads records with the related records a program's expressions reach (lead.owner.manager),
// nested under each relation's name as the expression environment expects.
type loader struct {
	e  *Engine
	tx *store.Tx
}

// record reads one record of object by id with the relations in need (paths below the record, like
// "owner" and "owner.manager"); records.ErrNotFound when it is gone.
func (l loader) record(ctx context.Context, object, id string, need map[string]bool) (records.Values, error) {
	o, err := l.e.crm.Object(ctx, l.tx, object)
	if err != nil {
		return nil, err
	}
	rec, err := l.tx.Get(ctx, o, id)
	if err != nil {
		return nil, fmt.Errorf("read %s %s: %w", object, id, err)
	}
	return rec, l.relations(ctx, object, rec, "", need)
}

// relations nests the related records of rec that some needed path reaches.
func (l loader) relations(ctx context.Context, object string, rec records.Values, path string, need map[string]bool) error {
	for _, r := range expr.Relations() {
		if r.From != object {
			continue
		}
		p := r.Name
		if path != "" {
			p = path + "." + r.Name
		}
		if !need[p] {
			continue
		}
		id := l.relatedID(ctx, r, rec)
		if id == "" {
			rec[r.Name] = nil
			continue
		}
		rel, err := l.record(ctx, r.To, id, nil)
		if errors.Is(err, records.ErrNotFound) {
			rec[r.Name] = nil
			continue
		}
		if err != nil {
			return err
		}
		if err := l.relations(ctx, r.To, rel, p, need); err != nil {
			return err
		}
		rec[r.Name] = map[string]any(rel)
	}
	return nil
}

// relatedID finds the id of a relation's record from rec's fields.
func (l loader) relatedID(ctx context.Context, r expr.Relation, rec records.Values) string {
	switch {
	case r.From == "user" && r.Name == "manager":
		team := rec.String("team_id")
		if team == "" {
			return ""
		}
		t, err := l.record(ctx, "team", team, nil)
		if err != nil {
			return ""
		}
		return t.String("manager_id")
	case (r.From == "task" || r.From == "activity") && r.Name != "owner":
		if rec.String("record_type") == r.To {
			return rec.String("record_id")
		}
		return ""
	}
	return rec.String(r.Name + "_id")
}

// needs turns the paths a program reads ("lead.owner.manager.email") into the relation paths below
// each variable: {"lead": {"owner": true, "owner.manager": true}}.
func needs(reads []string) map[string]map[string]bool {
	out := map[string]map[string]bool{}
	for _, r := range reads {
		parts := strings.Split(r, ".")
		if len(parts) < 2 {
			continue
		}
		root := parts[0]
		if root == "event" && len(parts) > 2 { // event.lead.owner: the record under the event
			root, parts = parts[1], parts[1:]
		}
		if out[root] == nil {
			out[root] = map[string]bool{}
		}
		for i := 2; i <= len(parts); i++ {
			out[root][strings.Join(parts[1:i], ".")] = true
		}
	}
	return out
}

// definitionReads lists what every expression and template of a definition reads.
func definitionReads(d *workflow.Definition) []string {
	var out []string
	for _, c := range d.Compiled {
		switch x := c.(type) {
		case *expr.Program:
			out = append(out, x.Reads()...)
		case *expr.Template:
			out = append(out, x.Reads()...)
		}
	}
	return out
}
