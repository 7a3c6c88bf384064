package workflow

// JSONSchema returns a JSON Schema (2020-12) of the definition format for editors, generated from the
// same specs the linter uses. It checks shapes and names; types of expressions need `salesflow lint`.
func JSONSchema() map[string]any {
	defs := map[string]any{}
	var kinds []any
	for _, name := range kindNames() {
		defs[name] = specSchema(Kinds[name], defs)
		kinds = append(kinds, map[string]any{"$ref": "#/$defs/" + name})
	}
	var stepsAny []any
	for _, k := range StepKinds {
		s := specSchema(StepSpecs[k], defs)
		if k == "action" {
			s["properties"].(map[string]any)["with"] = map[string]any{"type": "object"}
		}
		defs["step."+k] = s
		stepsAny = append(stepsAny, map[string]any{"$ref": "#/$defs/step." + k})
	}
	defs["steps"] = map[string]any{"type": "array", "items": map[string]any{"oneOf": stepsAny}}
	return map[string]any{
		"$schema":     "https://json-schema.org/draft/2020-12/schema",
		"$id":         "urn:salesflow:definitions",
		"title":       "Salesflow definition",
		"description": "A workflow, routing ruleset, scoring model, contact policy, business calendar or email template.",
		"oneOf":       kinds,
		"$defs":       defs,
	}
}

func specSchema(s *Spec, defs map[string]any) map[string]any {
	props := map[string]any{}
	var required []any
	for _, f := range s.Fields {
		v := valueSchema(f.Value, defs)
		if f.Doc != "" {
			v["description"] = f.Doc
		}
		props[f.Key] = v
		if f.Required {
			required = append(required, f.Key)
		}
	}
	out := map[string]any{"type": "object", "properties": props, "additionalProperties": false}
	if s.Doc != "" {
		out["description"] = s.Doc
	}
	if len(required) > 0 {
		out["required"] = required
	}
	return out
}

func valueSchema(v *Value, defs map[string]any) map[string]any {
	switch v.Kind {
	case KInt:
		if v.Counted {
			return map[string]any{"type": "integer", "minimum": 1}
		}
		return map[string]any{"type": "integer"}
	case KNumber:
		return map[string]any{"type": "number"}
	case KBool:
		return map[string]any{"type": "boolean"}
	case KDuration:
		pattern := `^\d+[wdhms](\d+[wdhms])*$`
		if v.Signed {
			pattern = `^-?\d+[wdhms](\d+[wdhms])*$`
		}
		return map[string]any{"type": "string", "pattern": pattern}
	case KClock:
		return map[string]any{"type": "string", "pattern": `^([01]\d|2[0-3]):[0-5]\d$`}
	case KDate:
		return map[string]any{"type": "string", "format": "date"}
	case KEmail:
		return map[string]any{"type": "string", "format": "email"}
	case KEnum:
		opts := make([]any, len(v.Options))
		for i, o := range v.Options {
			opts[i] = o
		}
		return map[string]any{"enum": opts}
	case KExpr:
		return map[string]any{"type": []any{"string", "number", "boolean"}, "description": "a CEL expression yielding " + v.Want}
	case KObject:
		if v.Spec == nil {
			return map[string]any{"type": "object"}
		}
		return specSchema(v.Spec, defs)
	case KList:
		return map[string]any{"type": "array", "items": valueSchema(v.Elem, defs)}
	case KMap:
		return map[string]any{"type": "object", "additionalProperties": valueSchema(v.Elem, defs)}
	case KFields:
		return map[string]any{"type": "object"}
	case KFieldList:
		return map[string]any{"type": "array", "items": map[string]any{"type": "string"}}
	case KSteps:
		return map[string]any{"$ref": "#/$defs/steps"}
	case KOneOf:
		var alts []any
		for _, a := range v.Alts {
			alts = append(alts, valueSchema(a, defs))
		}
		return map[string]any{"anyOf": alts}
	}
	return map[string]any{"type": []any{"string", "number", "boolean"}}
}
