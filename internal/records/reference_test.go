package records

import (
	"flag"
	"fmt"
	"os"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite docs/objects.md from the catalog")

// TestObjectReference keeps docs/objects.md equal to the catalog: the document is generated from the
// same descriptions that validate requests. Run with -update after changing a field.
func TestObjectReference(t *testing.T) {
	var b strings.Builder
	b.WriteString("# Objects and fields\n\nGenerated from `internal/records` by `go test ./internal/records -run TestObjectReference -update`; do not edit by hand.\n\n")
	b.WriteString("Every record also has `id`, `created_at` and `updated_at` (read-only). Custom fields defined through\n`POST /api/v1/fields` appear beside these, in the API, the filters and the OpenAPI document.\n")
	for _, o := range NewCatalog().All() {
		fmt.Fprintf(&b, "\n## %s (`/api/v1/%s`)\n\n", o.Name, o.Plural)
		notes := []string{}
		if o.AdminOnly {
			notes = append(notes, "only admins create, change or delete these")
		}
		if o.Customizable {
			notes = append(notes, "takes custom fields")
		}
		notes = append(notes, "`q` searches "+strings.Join(o.Search, ", "))
		b.WriteString(strings.Join(notes, "; ") + ".\n\n| field | type | rules |\n|---|---|---|\n")
		for _, f := range o.Fields {
			if f.Name == "id" || f.Name == "created_at" || f.Name == "updated_at" {
				continue
			}
			var rules []string
			if f.Required {
				rules = append(rules, "required")
			}
			if f.ReadOnly {
				rules = append(rules, "read-only")
			}
			if f.Default != nil {
				rules = append(rules, fmt.Sprintf("default `%v`", f.Default))
			}
			if len(f.Options) > 0 {
				rules = append(rules, "one of `"+strings.Join(f.Options, "`, `")+"`")
			}
			if f.Ref != "" {
				rules = append(rules, "id of a "+f.Ref)
			}
			fmt.Fprintf(&b, "| `%s` | %s | %s |\n", f.Name, f.Type, strings.Join(rules, "; "))
		}
	}
	path := "../../docs/objects.md"
	if *update {
		if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update)", err)
	}
	if string(got) != b.String() {
		t.Fatalf("docs/objects.md is out of date with the catalog: run go test ./internal/records -run TestObjectReference -update")
	}
}
