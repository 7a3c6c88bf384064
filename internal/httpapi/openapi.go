package httpapi

import (
	"net/http"
	"strings"

	"github.com/salesflow/salesflow/internal/crm"
	"github.com/salesflow/salesflow/internal/records"
)

type obj = map[string]any

// openapi serves the OpenAPI 3.1 document. It is built from the object catalog that also validates
// every request, with the custom fields defined right now, so the document and the server cannot
// disagree about a field.
func (a *API) openapi(w http.ResponseWriter, r *http.Request) {
	var objects []*records.Object
	for _, o := range a.svc.Catalog().All() {
		full, err := a.svc.ObjectSchema(r.Context(), o.Name)
		if err != nil {
			a.fail(w, r, err)
			return
		}
		objects = append(objects, full)
	}
	writeJSON(w, http.StatusOK, OpenAPI(objects))
}

func ref(name string) obj { return obj{"$ref": "#/components/schemas/" + name} }

func jsonBody(schema obj) obj {
	return obj{"required": true, "content": obj{"application/json": obj{"schema": schema}}}
}

func resp(desc string, schema obj) obj {
	r := obj{"description": desc}
	if schema != nil {
		r["content"] = obj{"application/json": obj{"schema": schema}}
	}
	return r
}

var problemResp = obj{"description": "A problem (RFC 9457) naming each invalid field.",
	"content": obj{"application/problem+json": obj{"schema": ref("Problem")}}}

func errorResponses(codes ...string) obj {
	out := obj{}
	for _, c := range codes {
		out[c] = problemResp
	}
	return out
}

func op(summary, id string, params []obj, body obj, ok string, okResp obj, errs ...string) obj {
	o := obj{"summary": summary, "operationId": id, "responses": errorResponses(append(errs, "401")...)}
	o["responses"].(obj)[ok] = okResp
	if len(params) > 0 {
		o["parameters"] = params
	}
	if body != nil {
		o["requestBody"] = body
	}
	return o
}

func param(name, in, desc string, schema obj) obj {
	p := obj{"name": name, "in": in, "description": desc, "schema": schema}
	if in == "path" {
		p["required"] = true
	}
	return p
}

var str = obj{"type": "string"}

// OpenAPI builds the document for the given objects (each with its custom fields).
func OpenAPI(objects []*records.Object) obj {
	paths := obj{}
	schemas := baseSchemas()
	for _, o := range objects {
		name := strings.ToUpper(o.Name[:1]) + o.Name[1:]
		schemas[name] = recordSchema(o, false)
		schemas[name+"Input"] = recordSchema(o, true)
		idParam := param("id", "path", "The "+o.Name+"'s id.", str)
		coll, item := "/api/v1/"+o.Plural, "/api/v1/"+o.Plural+"/{id}"
		list := obj{"type": "object", "required": []string{"items", "next_cursor"}, "properties": obj{
			"items": obj{"type": "array", "items": ref(name)}, "next_cursor": obj{"type": "string", "description": "Empty on the last page."}}}
		paths[coll] = obj{
			"get": op("List "+o.Plural, "list"+name, listParams(o), nil, "200", resp("A page of "+o.Plural+".", list), "400"),
			"post": op("Create a "+o.Name, "create"+name, []obj{param("Idempotency-Key", "header",
				"A replay with the same key and body returns the first response and creates nothing.", str)},
				jsonBody(ref(name+"Input")), "201", resp("Created.", ref(name)), "400", "403", "409", "413", "422"),
		}
		paths[item] = obj{
			"get":    op("Get a "+o.Name, "get"+name, []obj{idParam}, nil, "200", resp("The "+o.Name+".", ref(name)), "404"),
			"patch":  op("Change a "+o.Name+"; only the given fields change, null clears", "update"+name, []obj{idParam}, jsonBody(ref(name+"Input")), "200", resp("The changed "+o.Name+".", ref(name)), "400", "403", "404", "409", "422"),
			"delete": op("Delete a "+o.Name, "delete"+name, []obj{idParam}, nil, "204", resp("Deleted.", nil), "403", "404", "409"),
		}
		paths[item+"/timeline"] = obj{"get": op("The "+o.Name+"'s timeline, newest first", "timeline"+name,
			[]obj{idParam, param("limit", "query", "1–500, default 50.", obj{"type": "integer"}), param("cursor", "query", "next_cursor of the previous page.", str)},
			nil, "200", resp("Events, activities and tasks.", obj{"type": "object", "properties": obj{
				"items": obj{"type": "array", "items": ref("TimelineItem")}, "next_cursor": str}}), "400", "404")}
		if key, ok := crm.NaturalKey(o.Name); ok {
			paths[coll+"/batch"] = obj{"post": op("Create or update up to 1000 "+o.Plural+" by "+key+", each on its own", "batch"+name, nil,
				jsonBody(obj{"type": "object", "required": []string{"records"}, "properties": obj{"records": obj{"type": "array", "items": ref(name + "Input")}}}),
				"200", resp("One result per record, in order.", obj{"type": "object", "properties": obj{"results": obj{"type": "array", "items": ref("BatchResult")}}}), "400", "413")}
		}
	}
	adminPaths(paths)
	return obj{
		"openapi": "3.1.0",
		"info": obj{"title": "Salesflow API", "version": "1",
			"description": "Records, custom fields, tokens and inbound forms of a Salesflow server. Authenticate with `Authorization: Bearer <token>`."},
		"servers":    []obj{{"url": "/"}},
		"security":   []obj{{"bearer": []string{}}},
		"paths":      paths,
		"components": obj{"schemas": schemas, "securitySchemes": obj{"bearer": obj{"type": "http", "scheme": "bearer"}}},
	}
}

func fieldSchema(f records.Field) obj {
	var s obj
	switch f.Type {
	case records.Number:
		s = obj{"type": "number"}
	case records.Bool:
		s = obj{"type": "boolean"}
	case records.Date:
		s = obj{"type": "string", "format": "date"}
	case records.DateTime:
		s = obj{"type": "string", "format": "date-time"}
	case records.Email:
		s = obj{"type": "string", "format": "email", "description": "Parsed and stored lower-case."}
	case records.Phone:
		s = obj{"type": "string", "description": "Stored in E.164; national numbers are read in the record's country (US when none)."}
	case records.URL:
		s = obj{"type": "string", "format": "uri"}
	case records.Enum:
		s = obj{"type": "string", "enum": f.Options}
	case records.JSON:
		s = obj{}
	default:
		s = obj{"type": "string"}
	}
	if f.Ref != "" {
		s["description"] = "The id of a " + f.Ref + "."
	}
	if f.Custom {
		s["description"] = "Custom field. " + f.Label
	}
	if f.ReadOnly {
		s["readOnly"] = true
	}
	if f.Default != nil {
		s["default"] = f.Default
	}
	if _, isJSON := s["type"]; isJSON {
		s["type"] = []string{s["type"].(string), "null"}
	}
	return s
}

func recordSchema(o *records.Object, input bool) obj {
	props := obj{}
	var required []string
	for _, f := range o.Fields {
		if input && f.ReadOnly {
			continue
		}
		props[f.Name] = fieldSchema(f)
		if input && f.Required {
			required = append(required, f.Name)
		}
	}
	s := obj{"type": "object", "properties": props, "additionalProperties": false}
	if input {
		s["description"] = "Fields to set. Required fields apply on create; on PATCH every field is optional."
		if len(required) > 0 {
			s["required"] = required
		}
	}
	return s
}

func listParams(o *records.Object) []obj {
	ps := []obj{
		param("limit", "query", "Page size, 1–500 (default 50).", obj{"type": "integer"}),
		param("cursor", "query", "next_cursor from the previous page; keep the same sort.", str),
		param("sort", "query", "A field, or -field for descending (default -created_at).", str),
		param("q", "query", "Case-insensitive text search in "+strings.Join(o.Search, ", ")+".", str),
	}
	if o.Owned() {
		ps = append(ps, param("owner", "query", "An owner's user id, or me.", str))
	}
	for _, f := range o.Fields {
		if f.Type == records.JSON {
			continue
		}
		ps = append(ps, param(f.Name, "query", "Equals (an empty value matches records without one). Also "+f.Name+"[ne|gt|gte|lt|lte].", str))
		if f.Type == records.Number || f.Type == records.Date || f.Type == records.DateTime {
			for _, op := range []string{"gte", "lte"} {
				ps = append(ps, param(f.Name+"["+op+"]", "query", "Range filter.", str))
			}
		}
	}
	return ps
}
