package crm

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/salesflow/salesflow/internal/records"
	"github.com/salesflow/salesflow/internal/store"
)

// SettingDefaultPipeline names the pipeline a deal joins when none is given.
const SettingDefaultPipeline = "default_pipeline_id"

// check validates what needs the database: references to other records, a deal's stage in its
// pipeline, a pipeline's stage list. changed holds the fields this write sets.
func (s *Service) check(ctx context.Context, tx *store.Tx, o *records.Object, rec, changed records.Values, create bool) error {
	var errs []records.FieldError
	add := func(field, format string, args ...any) {
		errs = append(errs, records.FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
	}
	for _, f := range o.Fields {
		id, ok := changed[f.Name].(string)
		if f.Type != records.Ref || !ok {
			continue
		}
		target, _ := s.cat.Get(f.Ref)
		if f.Ref == "user" {
			u, err := tx.Get(ctx, target, id)
			switch {
			case errors.Is(err, records.ErrNotFound):
				add(f.Name, "no user with id %q", id)
			case err != nil:
				return err
			case u["active"] == false:
				add(f.Name, "%s is deactivated: records cannot be given to them", u.String("email"))
			}
			continue
		}
		found, err := tx.Exists(ctx, target, id)
		if err != nil {
			return err
		}
		if !found {
			add(f.Name, "no %s with id %q", f.Ref, id)
		}
	}
	if _, ok := o.Field("record_id"); ok {
		if err := s.checkSubject(ctx, tx, rec, changed, add); err != nil {
			return err
		}
	}
	switch o.Name {
	case "deal":
		if err := s.checkStage(ctx, tx, rec, changed, create, add); err != nil {
			return err
		}
	case "pipeline":
		if _, set := changed["stages"]; set {
			stages, msg := ParseStages(rec["stages"])
			if msg != "" {
				add("stages", "%s", msg)
			} else {
				rec["stages"] = stages
			}
		}
	}
	if len(errs) > 0 {
		return &records.ValidationError{Errors: errs}
	}
	return nil
}

// checkSubject checks that a task's or activity's record_type and record_id name an existing record.
func (s *Service) checkSubject(ctx context.Context, tx *store.Tx, rec, changed records.Values, add func(string, string, ...any)) error {
	_, t := changed["record_type"]
	_, i := changed["record_id"]
	if !t && !i {
		return nil
	}
	typ, id := rec.String("record_type"), rec.String("record_id")
	switch {
	case typ == "" && id == "":
		return nil
	case typ == "":
		add("record_type", "is required with record_id (one of %s)", strings.Join(records.RecordTypes, ", "))
		return nil
	case id == "":
		add("record_id", "is required with record_type")
		return nil
	}
	target, _ := s.cat.Get(typ)
	found, err := tx.Exists(ctx, target, id)
	if err == nil && !found {
		add("record_id", "no %s with id %q", typ, id)
	}
	return err
}

func (s *Service) checkStage(ctx context.Context, tx *store.Tx, rec, changed records.Values, create bool, add func(string, string, ...any)) error {
	_, p := changed["pipeline_id"]
	_, st := changed["stage"]
	if !create && !p && !st {
		return nil
	}
	pipeObj, _ := s.cat.Get("pipeline")
	if rec["pipeline_id"] == nil {
		def, err := s.defaultPipeline(ctx, tx)
		if err != nil || def == "" {
			if err == nil {
				add("pipeline_id", "is required: no default pipeline is configured")
			}
			return err
		}
		rec["pipeline_id"] = def
	}
	pipe, err := tx.Get(ctx, pipeObj, rec.String("pipeline_id"))
	if err != nil {
		return nil // the reference check has reported the missing pipeline
	}
	stages, _ := ParseStages(pipe["stages"])
	names := make([]string, len(stages))
	for i, st := range stages {
		names[i], _ = st.(map[string]any)["name"].(string)
	}
	if rec["stage"] == nil && len(names) > 0 {
		rec["stage"] = names[0]
	}
	if !slices.Contains(names, rec.String("stage")) {
		add("stage", "%q is not a stage of pipeline %s (%s)", rec.String("stage"), pipe.String("name"), strings.Join(names, ", "))
	}
	return nil
}

func (s *Service) defaultPipeline(ctx context.Context, tx *store.Tx) (string, error) {
	id, err := tx.Setting(ctx, SettingDefaultPipeline)
	if err != nil || id != "" {
		return id, err
	}
	pipeObj, _ := s.cat.Get("pipeline")
	first, _, err := tx.List(ctx, pipeObj, store.ListQuery{Sort: "created_at", Limit: 1})
	if err != nil || len(first) == 0 {
		return "", err
	}
	return first[0].ID(), nil
}

// HasStage reports whether a pipeline's stages (as stored, or as the API returns them) include name.
func HasStage(stages any, name string) bool {
	list, _ := ParseStages(stages)
	for _, st := range list {
		if m, ok := st.(map[string]any); ok && m["name"] == name {
			return true
		}
	}
	return false
}

// ParseStages checks a pipeline's stages: a non-empty list of unique names, each a string or an object
// {name, probability (0–100), won, lost}. It returns them as objects.
func ParseStages(v any) ([]any, string) {
	list, ok := v.([]any)
	if !ok || len(list) == 0 {
		return nil, "must be a non-empty list of stages"
	}
	var out []any
	seen := map[string]bool{}
	for i, item := range list {
		st := map[string]any{}
		switch x := item.(type) {
		case string:
			st["name"] = x
		case map[string]any:
			for k, val := range x {
				switch k {
				case "name":
				case "probability":
					if n, _ := records.Coerce(records.Field{Type: records.Number}, val); n == nil || n.(float64) < 0 || n.(float64) > 100 {
						return nil, fmt.Sprintf("stage %d: probability must be a number from 0 to 100", i+1)
					}
					val, _ = records.Coerce(records.Field{Type: records.Number}, val)
				case "won", "lost":
					if _, ok := val.(bool); !ok {
						return nil, fmt.Sprintf("stage %d: %s must be true or false", i+1, k)
					}
				default:
					return nil, fmt.Sprintf("stage %d: unknown key %q (name, probability, won, lost)", i+1, k)
				}
				st[k] = val
			}
		default:
			return nil, fmt.Sprintf("stage %d: must be a name or an object with a name", i+1)
		}
		name, _ := st["name"].(string)
		if strings.TrimSpace(name) == "" {
			return nil, fmt.Sprintf("stage %d: needs a name", i+1)
		}
		if seen[name] {
			return nil, fmt.Sprintf("stage %q appears twice", name)
		}
		seen[name] = true
		out = append(out, st)
	}
	return out, ""
}
