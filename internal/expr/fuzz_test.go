package expr

import (
	"context"
	"testing"
	"time"
)

// FuzzCompile feeds arbitrary text to Compile and CompileTemplate: no panics, every issue positioned
// at line and column 1 or more, and a compiled program evaluates (to a value or an error) without
// panicking.
func FuzzCompile(f *testing.F) {
	for _, seed := range []string{
		`lead.score >= "high"`, `lead.scroe > 1`, `steps.first-call.outcome == "x"`, "steps.`a-b`.c",
		`Call {{ lead.frist_name }}`, `{{ "}}" }}`, `{{`, `}}`, "lead.score >\n 'x'", `r"x" + b'y'`,
		`at_local(now(), "09:00", "Europe/Berlin") < now()`, `[1,2,3].map(x, x * 2)`, `lead.?email.orValue("")`,
		`"""multi
line"""`, `// comment`, `"é" + lead.first_name`, `{"a": {"b": 1}}`, "\x00\xff", `steps.-`, `steps.a-`,
	} {
		f.Add(seed)
	}
	env := newTestEnv(f)
	sc := fullScope()
	vars := Vars{"lead": sampleLead(), "steps": map[string]map[string]any{"first-call": {"outcome": "x"}}}
	f.Fuzz(func(t *testing.T, src string) {
		p, iss := env.Compile(src, sc, Any())
		checkIssues(t, src, iss)
		if p != nil {
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			_, _ = p.Eval(ctx, vars)
			cancel()
		}
		tpl, iss := env.CompileTemplate(src, sc)
		checkIssues(t, src, iss)
		if tpl != nil {
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			_, _ = tpl.Render(ctx, vars)
			cancel()
		}
	})
}

func checkIssues(t *testing.T, src string, iss []Issue) {
	t.Helper()
	for _, is := range iss {
		if is.Line < 1 || is.Col < 1 || is.Message == "" {
			t.Fatalf("compile %q: bad issue %+v", src, is)
		}
	}
}
