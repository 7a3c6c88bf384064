package httpapi

import "github.com/salesflow/salesflow/internal/records"

func props(required []string, p obj) obj {
	s := obj{"type": "object", "properties": p}
	if len(required) > 0 {
		s["required"] = required
	}
	return s
}

var (
	dateTime = obj{"type": "string", "format": "date-time"}
	boolean  = obj{"type": "boolean"}
	strList  = obj{"type": "array", "items": str}
)

func baseSchemas() obj {
	fieldErr := props([]string{"field", "message"}, obj{"field": str, "message": str})
	return obj{
		"FieldError": fieldErr,
		"Problem": props([]string{"type", "title", "status"}, obj{"type": str, "title": str, "status": obj{"type": "integer"},
			"detail": str, "instance": str, "errors": obj{"type": "array", "items": ref("FieldError")},
			"existing_id": obj{"type": "string", "description": "On a duplicate lead: the lead that has this email."}}),
		"BatchResult": props([]string{"index", "status"}, obj{"index": obj{"type": "integer"},
			"status": obj{"type": "string", "enum": []string{"created", "updated", "unchanged", "error"}}, "id": str,
			"errors": obj{"type": "array", "items": ref("FieldError")}}),
		"TimelineItem": props([]string{"at", "kind", "id", "summary"}, obj{"at": dateTime,
			"kind": obj{"type": "string", "enum": []string{"created", "updated", "deleted", "activity", "task"}},
			"id":   str, "summary": str, "actor": str, "data": obj{"type": "object"}}),
		"FieldDefinition": props([]string{"object", "name", "type"}, obj{"id": obj{"type": "string", "readOnly": true},
			"object": obj{"type": "string", "enum": []string{"lead", "contact", "account", "deal", "task", "activity"}},
			"name":   obj{"type": "string", "pattern": "^[a-z][a-z0-9_]{0,62}$"}, "type": obj{"type": "string", "enum": records.CustomTypes},
			"label": str, "required": boolean, "options": strList, "created_at": obj{"type": "string", "format": "date-time", "readOnly": true}}),
		"Token": props([]string{"id", "role"}, obj{"id": str, "name": str, "role": obj{"type": "string", "enum": records.Roles},
			"user_id": str, "created_at": dateTime, "revoked_at": dateTime}),
		"TokenInput": props([]string{"role"}, obj{"role": obj{"type": "string", "enum": records.Roles},
			"user": obj{"type": "string", "format": "email", "description": "The user's email; required except for admin tokens."}, "name": str}),
		"NewToken": props([]string{"id", "token"}, obj{"id": str, "role": str, "user_id": str, "name": str, "created_at": dateTime,
			"token": obj{"type": "string", "description": "The secret, shown once."}}),
		"Form": props([]string{"name"}, obj{"id": str, "name": obj{"type": "string", "pattern": "^[a-z0-9][a-z0-9_-]{0,62}$"},
			"source": obj{"type": "string", "description": "The source given to leads this form creates (default web_form)."},
			"secret": obj{"type": "string", "description": "The HMAC signing secret; returned once, on create."}, "created_at": dateTime}),
		"Settings": props(nil, obj{"lead_dedupe": obj{"type": "string", "enum": []string{"reject", "merge"},
			"description": "What creating a lead with an existing email does: reject with 409 naming the lead, or merge into it."},
			"default_pipeline_id": obj{"type": "string", "description": "The pipeline a deal joins when none is given."}}),
	}
}

func items(schema string) obj {
	return props([]string{"items"}, obj{"items": obj{"type": "array", "items": ref(schema)}})
}

func adminPaths(paths obj) {
	nameParam := []obj{param("object", "path", "Object name.", str), param("name", "path", "Field name.", str)}
	paths["/api/v1/me"] = obj{"get": op("Who the token belongs to", "me", nil, nil, "200",
		resp("The caller.", props(nil, obj{"kind": str, "id": str, "user_id": str, "role": str})))}
	paths["/api/v1/fields"] = obj{
		"get":  op("List custom field definitions", "listFields", []obj{param("object", "query", "Only this object's.", str)}, nil, "200", resp("Definitions.", items("FieldDefinition")), "422"),
		"post": op("Define a custom field (admin)", "createField", nil, jsonBody(ref("FieldDefinition")), "201", resp("Defined.", ref("FieldDefinition")), "403", "422"),
	}
	paths["/api/v1/fields/{object}/{name}"] = obj{"delete": op("Remove a custom field definition (admin)", "deleteField", nameParam, nil, "204", resp("Removed.", nil), "403", "404")}
	paths["/api/v1/settings"] = obj{
		"get":   op("Read settings", "getSettings", nil, nil, "200", resp("Settings.", ref("Settings"))),
		"patch": op("Change settings (admin)", "patchSettings", nil, jsonBody(ref("Settings")), "200", resp("Settings.", ref("Settings")), "403", "422"),
	}
	paths["/api/v1/tokens"] = obj{
		"get":  op("List API tokens (admin)", "listTokens", nil, nil, "200", resp("Tokens, without secrets.", items("Token")), "403"),
		"post": op("Create an API token (admin)", "createToken", nil, jsonBody(ref("TokenInput")), "201", resp("The token with its secret, shown once.", ref("NewToken")), "403", "422"),
	}
	paths["/api/v1/tokens/{id}"] = obj{"delete": op("Revoke a token (admin)", "revokeToken", []obj{param("id", "path", "Token id.", str)}, nil, "204", resp("Revoked.", nil), "403", "404")}
	paths["/api/v1/forms"] = obj{
		"get":  op("List inbound forms", "listForms", nil, nil, "200", resp("Forms, without secrets.", items("Form"))),
		"post": op("Create an inbound form (admin)", "createForm", nil, jsonBody(ref("Form")), "201", resp("The form with its signing secret, shown once.", ref("Form")), "403", "409", "422"),
	}
	paths["/hooks/forms/{form}"] = obj{"post": obj{
		"summary": "Submit a form: creates or updates the lead by email and logs a form_submitted activity", "operationId": "submitForm",
		"security":    []obj{},
		"parameters":  []obj{param("form", "path", "Form name.", str), param("X-Salesflow-Signature", "header", "sha256=<hex HMAC-SHA256 of the raw body with the form's secret>.", str)},
		"requestBody": jsonBody(obj{"type": "object", "description": "Lead fields (email required); other keys are kept on the activity."}),
		"responses": obj{"200": resp("Updated an existing lead.", props(nil, obj{"lead_id": str, "created": boolean})),
			"201": resp("Created a lead.", props(nil, obj{"lead_id": str, "created": boolean})),
			"400": problemResp, "401": problemResp, "413": problemResp, "422": problemResp},
	}}
	for _, p := range []string{"/healthz", "/readyz"} {
		paths[p] = obj{"get": obj{"summary": "Liveness / readiness (database reachable, no migration pending)", "security": []obj{},
			"responses": obj{"200": resp("OK.", nil), "503": resp("Not ready.", nil)}}}
	}
	paths["/metrics"] = obj{"get": obj{"summary": "Prometheus metrics", "security": []obj{}, "responses": obj{"200": obj{"description": "Prometheus text format."}}}}
	paths["/api/v1/openapi.json"] = obj{"get": obj{"summary": "This document", "security": []obj{}, "responses": obj{"200": obj{"description": "OpenAPI 3.1."}}}}
}
