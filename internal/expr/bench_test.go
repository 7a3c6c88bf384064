package expr

import (
	"context"
	"testing"
)

const benchCondition = `lead.status == "working" && lead.employees >= 200 && lead.country in ["DE", "FR"] &&
	lead.owner != null && lead.owner.active && !is_free_mail(lead.email)`

func BenchmarkCompile(b *testing.B) {
	env := newTestEnv(b)
	for b.Loop() {
		if _, iss := env.Compile(benchCondition, fullScope(), Bool()); len(iss) > 0 {
			b.Fatal(iss)
		}
	}
}

func BenchmarkEval(b *testing.B) {
	env := newTestEnv(b)
	p := mustCompile(b, env, benchCondition, leadScope(), Bool())
	vars := Vars{"lead": sampleLead()}
	ctx := context.Background()
	for b.Loop() {
		if _, err := p.Eval(ctx, vars); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRender(b *testing.B) {
	env := newTestEnv(b)
	tpl, iss := env.CompileTemplate(`Call {{ lead.first_name }} {{ lead.last_name }} at {{ lead.company }} (score {{ lead.score }})`, leadScope())
	if len(iss) > 0 {
		b.Fatal(iss)
	}
	vars := Vars{"lead": sampleLead()}
	ctx := context.Background()
	for b.Loop() {
		if _, err := tpl.Render(ctx, vars); err != nil {
			b.Fatal(err)
		}
	}
}
