package workflow

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/goccy/go-yaml"
	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/stretchr/testify/require"

	"github.com/salesflow/salesflow/internal/expr"
)

// referenceDoc is docs/workflows.md as generated from the specs and the expression environment.
func referenceDoc() string {
	var funcs []FuncDoc
	for _, f := range append(expr.Functions(), expr.StandardFunctions()...) {
		funcs = append(funcs, FuncDoc{Name: f.Name, Signature: f.Signature, Doc: f.Doc, Example: f.Example})
	}
	var rels []Relation
	for _, r := range expr.Relations() {
		rels = append(rels, Relation{Object: r.From, Name: r.Name, Target: r.To, Doc: r.Via})
	}
	return Reference(funcs, rels)
}

// TestReference keeps docs/workflows.md equal to what the specs say. Run with -update after a change.
func TestReference(t *testing.T) {
	const path = "../../docs/workflows.md"
	doc := referenceDoc()
	if *update {
		require.NoError(t, os.WriteFile(path, []byte(doc), 0o644))
	}
	got, err := os.ReadFile(path)
	require.NoError(t, err)
	require.Equal(t, doc, string(got), "docs/workflows.md is stale: go test ./internal/workflow -run TestReference -update")
	for _, k := range StepKinds {
		require.Contains(t, doc, "`"+k+"`", "every step kind is documented")
	}
	for _, a := range actionNames() {
		require.Contains(t, doc, "action: "+a)
	}
}

// The JSON Schema compiles, and every example validates against it.
func TestJSONSchemaAcceptsTheExamples(t *testing.T) {
	b, err := json.Marshal(JSONSchema())
	require.NoError(t, err)
	doc, err := jsonschema.UnmarshalJSON(strings.NewReader(string(b)))
	require.NoError(t, err)
	c := jsonschema.NewCompiler()
	require.NoError(t, c.AddResource("urn:salesflow:definitions", doc))
	schema, err := c.Compile("urn:salesflow:definitions")
	require.NoError(t, err)
	sources, err := ReadSources([]string{"../../examples"})
	require.NoError(t, err)
	for _, src := range sources {
		docs, diags := ParseFile(src.File, src.Content)
		require.Empty(t, diags)
		for _, doc := range docs {
			part := doc.Text
			var v any
			require.NoError(t, yaml.Unmarshal([]byte(part), &v), src.File)
			jb, _ := json.Marshal(v)
			inst, err := jsonschema.UnmarshalJSON(strings.NewReader(string(jb)))
			require.NoError(t, err)
			require.NoError(t, schema.Validate(inst), src.File)
		}
	}
	var bad any
	require.NoError(t, yaml.Unmarshal([]byte("kind: calendar\nname: x\ntimezone: UTC\nhours: {mon: \"9-5\"}\ncolour: red\n"), &bad))
	jb, _ := json.Marshal(bad)
	inst, _ := jsonschema.UnmarshalJSON(strings.NewReader(string(jb)))
	require.Error(t, schema.Validate(inst), "unknown keys are refused")
}
