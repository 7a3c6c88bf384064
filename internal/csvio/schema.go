// Package csvio is the logic of CSV import and export, without HTTP: mapping a file's header to an
// object's fields, turning rows into API records typed the way the API expects, writing the error
// report, and formatting records back into CSV. The field names and types come from the server's
// OpenAPI document, so custom fields import and export like built-in ones.
package csvio

import (
	"fmt"
	"slices"
	"strings"
)

// Kind is the JSON type the API expects for a field: a CSV cell is text, and the API refuses "12" for a
// number field, so every cell is converted by its field's kind.
type Kind int

// The kinds of field values.
const (
	KindString Kind = iota
	KindNumber
	KindBool
	KindJSON // no declared type: any JSON value
)

// Field is one field of an object as the OpenAPI document describes it.
type Field struct {
	Name     string
	Kind     Kind
	ReadOnly bool // set by the server only (id, timestamps, derived values): exported, never imported
}

// Schema is an object's fields: id first, then the writable fields, then the read-only ones, each group
// in alphabetical order. The server's document is a JSON object whose property order does not survive
// decoding, so a fixed rule is what keeps export columns stable from run to run.
type Schema struct {
	Name   string // singular, as in messages: "lead"
	Plural string // the API collection: "leads"
	Fields []Field
}

// Field returns the named field.
func (s *Schema) Field(name string) (Field, bool) {
	for _, f := range s.Fields {
		if f.Name == name {
			return f, true
		}
	}
	return Field{}, false
}

// writable returns the names of the fields an import may set.
func (s *Schema) writable() []string {
	var names []string
	for _, f := range s.Fields {
		if !f.ReadOnly {
			names = append(names, f.Name)
		}
	}
	return names
}

// SchemaFromOpenAPI reads the fields of the collection plural ("leads") from a decoded OpenAPI document
// as the server serves it at /api/v1/openapi.json: the record schema the list operation returns gives
// every field, and its "<Name>Input" schema the writable ones.
func SchemaFromOpenAPI(doc map[string]any, plural string) (*Schema, error) {
	ref, _ := dig(doc, "paths", "/api/v1/"+plural, "get", "responses", "200", "content", "application/json",
		"schema", "properties", "items", "items", "$ref").(string)
	name, ok := strings.CutPrefix(ref, "#/components/schemas/")
	if !ok || name == "" {
		return nil, fmt.Errorf("the server's API document has no collection %q", plural)
	}
	full, _ := dig(doc, "components", "schemas", name, "properties").(map[string]any)
	input, _ := dig(doc, "components", "schemas", name+"Input", "properties").(map[string]any)
	if full == nil || input == nil {
		return nil, fmt.Errorf("the server's API document does not describe the fields of %s (schemas %s and %sInput)", plural, name, name)
	}
	s := &Schema{Name: strings.ToLower(name), Plural: plural}
	for fname, prop := range full {
		_, writable := input[fname]
		p, _ := prop.(map[string]any)
		s.Fields = append(s.Fields, Field{Name: fname, Kind: kindOf(p), ReadOnly: !writable})
	}
	for fname, prop := range input { // a writable field missing from the record schema still imports
		if _, ok := full[fname]; !ok {
			p, _ := prop.(map[string]any)
			s.Fields = append(s.Fields, Field{Name: fname, Kind: kindOf(p)})
		}
	}
	slices.SortFunc(s.Fields, func(a, b Field) int {
		return cmpKeys(fieldRank(a), fieldRank(b), a.Name, b.Name)
	})
	return s, nil
}

func fieldRank(f Field) int {
	switch {
	case f.Name == "id":
		return 0
	case !f.ReadOnly:
		return 1
	}
	return 2
}

func cmpKeys(ra, rb int, a, b string) int {
	if ra != rb {
		return ra - rb
	}
	return strings.Compare(a, b)
}

// kindOf reads a property's "type", which the server writes as ["number", "null"] and which may be a
// plain string in other documents.
func kindOf(prop map[string]any) Kind {
	var types []string
	switch t := prop["type"].(type) {
	case string:
		types = []string{t}
	case []any:
		for _, x := range t {
			if s, ok := x.(string); ok && s != "null" {
				types = append(types, s)
			}
		}
	case []string:
		for _, s := range t {
			if s != "null" {
				types = append(types, s)
			}
		}
	}
	if len(types) != 1 {
		return KindJSON
	}
	switch types[0] {
	case "number", "integer":
		return KindNumber
	case "boolean":
		return KindBool
	case "string":
		return KindString
	}
	return KindJSON
}

func dig(v any, keys ...string) any {
	for _, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}
