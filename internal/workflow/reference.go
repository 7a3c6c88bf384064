package workflow

import (
	"fmt"
	"sort"
	"strings"
)

// documentedElsewhere are specs with sections of their own in the reference.
var documentedElsewhere = map[*Spec]bool{triggerSpec: true, dateSpec: true, scheduleSpec: true, delaySpec: true,
	waitSpec: true, taskSpec: true, slaSpec: true, escalateSpec: true, handoffSpec: true}

// FuncDoc documents one expression function, for the reference.
type FuncDoc struct{ Name, Signature, Doc, Example string }

// Relation documents a related record that expressions can follow (lead.owner).
type Relation struct{ Object, Name, Target, Doc string }

// Reference writes docs/workflows.md from the specs, so the documentation is the linter's own
// description of the format. funcs and relations come from the expression environment.
func Reference(funcs []FuncDoc, relations []Relation) string {
	var b strings.Builder
	b.WriteString("# Workflow definition reference\n\n")
	b.WriteString("Generated from the linter's own specs by `go test ./internal/workflow -run TestReference -update`; do not edit by hand.\n")
	b.WriteString("The guide to writing definitions is [definitions.md](definitions.md).\n\n")
	b.WriteString("## Kinds\n\n")
	for _, k := range kindNames() {
		b.WriteString(fmt.Sprintf("- [`%s`](#kind-%s) — %s\n", k, k, Kinds[k].Doc))
	}
	for _, k := range kindNames() {
		specSection(&b, "kind-"+k, "kind: "+k, Kinds[k], 2)
	}
	b.WriteString("\n## Triggers\n\n`trigger.on` is one of:\n\n| event | starts a run when |\n|---|---|\n")
	for _, e := range []struct{ on, doc string }{
		{"<object>.created", "a record of the workflow's object is created (lead.created, deal.created, activity.created = an activity was logged, …)"},
		{"<object>.updated", "it changes; narrow with `changed`, `from`, `to`"},
		{"<object>.deleted", "it is deleted"},
		{"deal.stage_changed", "a deal moves to another stage (`from`/`to` name stages)"},
		{"form.submitted", "an inbound form is submitted (`form` narrows to one form); the record is the lead"},
		{"task.completed", "a task is completed"},
		{"task.overdue", "a task passes its due time undone"},
		{"lead.score_crossed", "a lead's score rises through a scoring threshold (`threshold`, optional `model`)"},
		{"date", "a moment relative to a date field (`date`)"},
		{"schedule", "a cron schedule ticks (`schedule`); every record matching `when` enrolls"},
		{"manual", "only `salesflow enroll` or the API starts it"},
		{"event", "a custom event is posted to /api/v1/events (`event` names it)"},
	} {
		fmt.Fprintf(&b, "| `%s` | %s |\n", e.on, e.doc)
	}
	b.WriteString("\nIn `trigger.when`, `goal`, `exit` and every step, `event` is the event that started the run (in\n`wait_for.when`, the awaited event). Its fields:\n\n| event | fields |\n|---|---|\n")
	for _, on := range []string{"lead.created", "lead.updated", "deal.stage_changed", "form.submitted", "task.completed", "task.overdue",
		"lead.score_crossed", "date", "schedule", "manual", "event"} {
		fmt.Fprintf(&b, "| `%s` | %s |\n", on, outputList(EventFields(on)))
	}
	b.WriteString("\n(`<object>.created`, `.updated` and `.deleted` of every object have the fields shown for leads, with the object's own name.)\n")
	specSection(&b, "trigger", "trigger", triggerSpec, 3)
	specSection(&b, "trigger-date", "trigger.date", dateSpec, 3)
	specSection(&b, "trigger-schedule", "trigger.schedule", scheduleSpec, 3)
	b.WriteString("\n## Steps\n\nEach step is a map with exactly one of these keys; `id` is optional and unique.\n")
	for _, k := range StepKinds {
		specSection(&b, "step-"+k, k, StepSpecs[k], 3)
	}
	for _, sub := range []*Spec{delaySpec, waitSpec, taskSpec, slaSpec, escalateSpec, handoffSpec} {
		specSection(&b, "spec-"+strings.ReplaceAll(sub.Name, ".", "-"), sub.Name, sub, 3)
	}
	b.WriteString("\n## Actions\n\n`- action: NAME` with its parameters under `with`.\n")
	for _, n := range actionNames() {
		specSection(&b, "action-"+n, "action: "+n, ActionSpecs[n], 3)
		if outs := stepOutputs("action", n); len(outs) > 0 {
			b.WriteString("Outputs: " + outputList(outs) + ".\n")
		}
	}
	b.WriteString("\n## Step outputs\n\nLater steps read an earlier step's outputs as `steps.<id>.<output>`:\n\n| step | outputs |\n|---|---|\n")
	for _, k := range []string{"task", "wait_for", "split", "handoff"} {
		fmt.Fprintf(&b, "| %s | %s |\n", k, outputList(stepOutputs(k, "")))
	}
	b.WriteString("\n## Value formats\n\n")
	b.WriteString("- **duration**: a number and a unit — `s`, `m`, `h`, `d` (24 h), `w` — repeated: `90s`, `15m`, `4h`, `2d`, `1w`, `1h30m`; offsets may start with `-`.\n")
	b.WriteString("- **time of day**: `09:00`. **date**: `2026-12-25`. **time zone**: an IANA name (`Europe/Berlin`), or `owner`, `recipient`, `record`.\n")
	b.WriteString("- **cron**: five fields, minute hour day-of-month month day-of-week: `0 9 * * mon-fri`.\n")
	b.WriteString("- **expression**: CEL, type-checked against the records (below). **template**: text with `{{ expression }}`.\n")
	if len(relations) > 0 {
		b.WriteString("\n## Related records in expressions\n\n| from | name | is a | |\n|---|---|---|---|\n")
		for _, r := range relations {
			fmt.Fprintf(&b, "| %s | `%s.%s` | %s | %s |\n", r.Object, r.Object, r.Name, r.Target, r.Doc)
		}
	}
	if len(funcs) > 0 {
		b.WriteString("\n## Expression functions\n\nBesides CEL's standard operators and functions (`in`, `size`, `matches`, `startsWith`, `duration(\"90m\")`, `timestamp(…)`, …):\n\n")
		for _, f := range funcs {
			fmt.Fprintf(&b, "### `%s`\n\n`%s` — %s\n\n```\n%s\n```\n\n", f.Name, f.Signature, f.Doc, f.Example)
		}
	}
	return b.String()
}

func outputList(outs map[string]string) string {
	keys := make([]string, 0, len(outs))
	for k := range outs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("`%s` (%s)", k, outs[k])
	}
	return strings.Join(parts, ", ")
}

// nestedSpecs are the maps a spec's keys hold, each documented once under its own heading.
func nestedSpecs(s *Spec) []*Spec {
	var out []*Spec
	var walk func(v *Value)
	walk = func(v *Value) {
		switch {
		case v == nil:
		case v.Kind == KObject && v.Spec != nil && len(v.Spec.Fields) > 0:
			out = append(out, v.Spec)
		case v.Kind == KList || v.Kind == KMap:
			walk(v.Elem)
		case v.Kind == KOneOf:
			for _, a := range v.Alts {
				walk(a)
			}
		}
	}
	for _, f := range s.Fields {
		walk(f.Value)
	}
	return out
}

func specSection(b *strings.Builder, anchor, title string, s *Spec, level int) {
	specSectionSeen(b, anchor, title, s, level, map[*Spec]bool{})
}

func specSectionSeen(b *strings.Builder, anchor, title string, s *Spec, level int, seen map[*Spec]bool) {
	seen[s] = true
	defer func() {
		for _, sub := range nestedSpecs(s) {
			if !seen[sub] && !documentedElsewhere[sub] {
				specSectionSeen(b, anchor+"-"+strings.ReplaceAll(sub.Name, ".", "-"), title+" › "+sub.Name, sub, min(level+1, 6), seen)
			}
		}
	}()
	fmt.Fprintf(b, "\n%s <a id=\"%s\"></a>`%s`\n\n", strings.Repeat("#", level), anchor, title)
	if s.Doc != "" {
		b.WriteString(s.Doc + "\n\n")
	}
	if len(s.Objects) > 0 {
		fmt.Fprintf(b, "Only in workflows on %s records.\n\n", strings.Join(s.Objects, " or "))
	}
	if len(s.Fields) > 0 {
		b.WriteString("| key | value | required | meaning |\n|---|---|---|---|\n")
		for _, f := range s.Fields {
			reqd := ""
			if f.Required {
				reqd = "yes"
			}
			fmt.Fprintf(b, "| `%s` | %s | %s | %s |\n", f.Key, describe(f.Value), reqd, strings.ReplaceAll(f.Doc, "|", "\\|"))
		}
	}
	if len(s.Exclusive) > 0 {
		word := "at most one"
		if s.OneRequired {
			word = "exactly one"
		}
		fmt.Fprintf(b, "\nGive %s of %s.\n", word, "`"+strings.Join(s.Exclusive, "`, `")+"`")
	}
	if s.Example != "" {
		b.WriteString("\n```yaml\n" + s.Example + "\n```\n")
	}
}

func describe(v *Value) string {
	switch v.Kind {
	case KString:
		return "text"
	case KInt:
		if v.Counted {
			return "whole number ≥ 1"
		}
		return "whole number"
	case KNumber:
		return "number"
	case KBool:
		return "true/false"
	case KDuration:
		return "duration"
	case KCron:
		return "cron"
	case KClock:
		return "time of day"
	case KZone:
		return "time zone"
	case KDate:
		return "date"
	case KEmail:
		return "email"
	case KEnum:
		return "`" + strings.Join(v.Options, "` \\| `") + "`"
	case KExpr:
		return "expression → " + v.Want
	case KTemplate:
		return "template"
	case KRef:
		return refNoun[v.RefKind] + " name"
	case KFields:
		return "field → value"
	case KFieldList:
		return "list of fields"
	case KObject:
		if v.Spec == nil {
			return "map"
		}
		return "map (" + strings.Join(v.Spec.Keys(), ", ") + ")"
	case KList:
		return "list of " + describe(v.Elem)
	case KMap:
		return "map of name → " + describe(v.Elem)
	case KSteps:
		return "steps"
	case KOneOf:
		var alts []string
		for _, a := range v.Alts {
			alts = append(alts, describe(a))
		}
		return strings.Join(alts, " or ")
	}
	return ""
}
