package workflow

import (
	"fmt"
	"strconv"
	"strings"
)

// Plan returns the definition in normalised form: durations in seconds, expressions and templates
// marked as such, and every step with an id — its own, or its path ("3/then/1") — so that run
// history can always name a step. It assumes the definition linted without errors.
func (d *Definition) Plan() map[string]any {
	spec := Kinds[d.Kind]
	return planMap(d.Root, spec, "")
}

func planMap(n *Node, s *Spec, path string) map[string]any {
	out := map[string]any{}
	for _, p := range n.Pairs {
		f, ok := s.Field(p.Key)
		if !ok {
			continue
		}
		sub := path + "/" + p.Key
		if path == "" {
			sub = "" // the top-level steps are 1, 2, 3 …
		}
		out[p.Key] = planValue(p.Value, f.Value, sub)
	}
	return out
}

func planValue(n *Node, v *Value, path string) any {
	if n.Kind == NullNode {
		return nil
	}
	switch v.Kind {
	case KOneOf:
		for _, alt := range v.Alts {
			if shape(alt.Kind) == n.Kind && (n.Kind != ScalarNode || alt.Kind == KExpr || scalar(alt, n.Value) == "") {
				return planValue(n, alt, path)
			}
		}
		return n.Value
	case KInt:
		i, _ := strconv.Atoi(n.Value)
		return i
	case KNumber:
		f, _ := strconv.ParseFloat(n.Value, 64)
		return f
	case KBool:
		return n.Value == "true"
	case KDuration:
		dur, _ := ParseDuration(n.Value)
		return map[string]any{"seconds": int64(dur.Seconds()), "text": n.Value}
	case KExpr:
		return map[string]any{"expr": n.Value, "at": n.Pos.String()}
	case KTemplate:
		return map[string]any{"template": n.Value, "at": n.Pos.String()}
	case KObject:
		if v.Spec == nil { // an open map of field values (create_record's fields): as set's
			return planValue(n, &Value{Kind: KFields}, path)
		}
		return planMap(n, v.Spec, path)
	case KList:
		out := make([]any, len(n.Items))
		for i, it := range n.Items {
			out[i] = planValue(it, v.Elem, fmt.Sprintf("%s/%d", path, i+1))
		}
		return out
	case KMap, KFields:
		out := map[string]any{}
		elem := v.Elem
		for _, p := range n.Pairs {
			if elem == nil { // a field → value map: literals, or templates when they hold {{ }}
				out[p.Key] = p.Value.Value
				if strings.Contains(p.Value.Value, "{{") {
					out[p.Key] = map[string]any{"template": p.Value.Value, "at": p.Value.Pos.String()}
				}
				continue
			}
			out[p.Key] = planValue(p.Value, elem, path+"/"+p.Key)
		}
		return out
	case KFieldList:
		out := make([]any, len(n.Items))
		for i, it := range n.Items {
			out[i] = it.Value
		}
		return out
	case KSteps:
		return planSteps(n, path)
	}
	return n.Value
}

func planSteps(n *Node, path string) []any {
	out := make([]any, 0, len(n.Items))
	for i, it := range n.Items {
		out = append(out, planStep(it, fmt.Sprintf("%s%d", prefix(path), i+1)))
	}
	return out
}

func prefix(path string) string {
	if path == "" {
		return ""
	}
	return path + "/"
}

func planStep(n *Node, path string) map[string]any {
	kinds := stepKind(n)
	kind := kinds[0]
	spec := StepSpecs[kind]
	id := n.Get("id").Str()
	if id == "" {
		id = path
	}
	out := planMap(n, spec, path)
	out["id"], out["type"] = id, kind
	switch kind {
	case "action":
		name := n.Get("action").Str()
		if with := n.Get("with"); with != nil {
			if name == "set" {
				out["with"] = planValue(with, &Value{Kind: KFields}, path)
			} else {
				w := planMap(with, ActionSpecs[name], path)
				if name == "notify" && with.Get("channel").Str() == "email" {
					to := with.Get("to") // an expression for a user, checked as one
					w["to"] = map[string]any{"expr": to.Value, "at": to.Pos.String()}
				}
				out["with"] = w
			}
		}
	case "split":
		out["split"] = planValue(n.Get("split"), listOf(object(splitBranch)), path+"/split")
	}
	return out
}
