package httpapi

import (
	"maps"

	"github.com/salesflow/salesflow/internal/definitions"
	"github.com/salesflow/salesflow/internal/records"
	"github.com/salesflow/salesflow/internal/store"
)

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
	s := obj{
		"FieldError": fieldErr,
		"Problem": props([]string{"type", "title", "status"}, obj{"type": str, "title": str, "status": obj{"type": "integer"},
			"detail": str, "instance": str, "errors": obj{"type": "array", "items": ref("FieldError")},
			"existing_id": obj{"type": "string", "description": "On a duplicate lead: the lead that has this email."}}),
		"BatchResult": props([]string{"index", "status"}, obj{"index": obj{"type": "integer"},
			"status": obj{"type": "string", "enum": []string{"created", "updated", "unchanged", "error"}}, "id": str,
			"errors": obj{"type": "array", "items": ref("FieldError")}}),
		"TimelineItem": props([]string{"at", "kind", "id", "summary"}, obj{"at": dateTime,
			"kind": obj{"type": "string", "enum": []string{"created", "updated", "deleted", "activity", "task", "event", "score_crossed", "step"}},
			"id":   str, "summary": str, "actor": str, "data": obj{"type": "object"}}),
		"FieldDefinition": props([]string{"object", "name", "type"}, obj{"id": obj{"type": "string", "readOnly": true},
			"object": obj{"type": "string", "enum": []string{"lead", "contact", "account", "deal", "task", "activity", "user", "team"}},
			"name":   obj{"type": "string", "pattern": "^[a-z][a-z0-9_]{0,62}$"}, "type": obj{"type": "string", "enum": records.CustomTypes},
			"label": str, "required": boolean, "options": strList, "created_at": obj{"type": "string", "format": "date-time", "readOnly": true}}),
		"Token": props([]string{"id", "role"}, obj{"id": str, "name": str, "role": obj{"type": "string", "enum": records.Roles},
			"user_id": str, "created_at": dateTime, "revoked_at": dateTime,
			"kind":       obj{"type": "string", "enum": []string{"api", "session"}, "description": "session: made by signing in to the web UI, for the browser only (the API refuses it); it expires, and signing out revokes it."},
			"expires_at": dateTime,
			"parent_id":  obj{"type": "string", "description": "For a session: the token it was started with (SALESFLOW_ADMIN_TOKEN for that one); it ends when that token does."}}),
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
	maps.Copy(s, definitionSchemas())
	maps.Copy(s, runSchemas())
	maps.Copy(s, blockSchemas())
	return s
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
	definitionPaths(paths)
	runPaths(paths)
	blockPaths(paths)
	taskPaths(paths)
	paths["/api/v1/openapi.json"] = obj{"get": obj{"summary": "This document", "security": []obj{}, "responses": obj{"200": obj{"description": "OpenAPI 3.1."}}}}
}

func definitionSchemas() obj {
	integer := obj{"type": "integer"}
	kind := obj{"type": "string", "enum": definitions.Kinds()}
	diag := props([]string{"file", "line", "col", "severity", "message"}, obj{"file": str, "line": integer, "col": integer,
		"severity": obj{"type": "string", "enum": []string{"error", "warning"}}, "message": str})
	return obj{
		"Diagnostic": diag,
		"LintProblem": obj{"allOf": []obj{ref("Problem"), props([]string{"diagnostics"}, obj{
			"diagnostics": obj{"type": "array", "items": ref("Diagnostic"), "description": "Every error and warning; `errors` repeats the errors with field FILE:LINE:COL."}})}},
		"Definition": props([]string{"kind", "name", "version", "state"}, obj{"kind": kind, "name": str,
			"version": obj{"type": "integer", "description": "The current version."},
			"state":   obj{"type": "string", "enum": []string{store.StateDraft, store.StateActive, store.StatePaused, store.StateArchived}},
			"owner":   str, "review_every": str, "object": str,
			"paused_by": obj{"type": "string", "enum": []string{"", store.PausedByKillSwitch, store.PausedByUser},
				"description": "Who paused it: resume-all resumes only what the kill switch paused."},
			"created_at": dateTime, "updated_at": dateTime}),
		"DefinitionVersion": props([]string{"kind", "name", "version", "hash"}, obj{"kind": kind, "name": str, "version": integer,
			"hash":       obj{"type": "string", "description": "SHA-256 of the source: identical text is the same version."},
			"created_at": dateTime, "created_by": str,
			"source": obj{"type": "string", "description": "The document's text as applied (only when reading one version)."}}),
		"DefinitionDetail": obj{"allOf": []obj{ref("Definition"), props([]string{"versions"}, obj{
			"versions": obj{"type": "array", "items": ref("DefinitionVersion"), "description": "Oldest first, without sources."}})}},
		"Applied": props([]string{"kind", "name", "version", "status"}, obj{"kind": kind, "name": str, "version": integer,
			"waiting": obj{"type": "object", "description": "For a changed workflow: the waiting-runs policy and how many runs moved, stayed or were cancelled."},
			"status":  obj{"type": "string", "enum": []string{definitions.Created, definitions.Updated, definitions.Unchanged, definitions.Restored, definitions.RolledBack}}}),
		"DefinitionFiles": props([]string{"files"}, obj{"files": obj{"type": "array", "items": props([]string{"name", "content"}, obj{
			"name": obj{"type": "string", "description": "The file's path, used in diagnostics."}, "content": str})}}),
	}
}

func definitionPaths(paths obj) {
	lint := obj{"description": "The documents have errors; nothing was applied.",
		"content": obj{"application/problem+json": obj{"schema": ref("LintProblem")}}}
	warnings := obj{"type": "array", "items": ref("Diagnostic")}
	doc := obj{"type": "string", "description": "One or more YAML documents (separated by ---); JSON is YAML too."}
	applyBody := obj{"required": true, "content": obj{"application/yaml": obj{"schema": doc}, "text/yaml": obj{"schema": doc},
		"application/json": obj{"schema": obj{"type": "object", "description": "One definition as JSON."}},
		FilesMediaType:     obj{"schema": ref("DefinitionFiles")}}}
	apply := op("Lint and apply definitions (admin): new ones become version 1, changed ones the next version, identical ones stay; all or nothing",
		"applyDefinitions", []obj{param("file", "query", "The name diagnostics give a single-document body (default request).", str), param("draft", "query", "true: definitions seen for the first time are stored as drafts, live only after resume.", obj{"type": "boolean"}),
			param("waiting", "query", "Runs waiting on older versions of a changed workflow: finish (default; they stay on their version), move (to the new version at the same step id), cancel.", obj{"type": "string", "enum": []string{"finish", "move", "cancel"}})},
		applyBody, "200", resp("What happened to each definition, and the lint warnings.", props([]string{"results", "warnings"}, obj{
			"results": obj{"type": "array", "items": ref("Applied")}, "warnings": warnings})), "400", "403", "413", "415")
	apply["responses"].(obj)["422"] = lint
	paths["/api/v1/definitions"] = obj{
		"get": op("List definitions with their current version and state", "listDefinitions",
			[]obj{param("kind", "query", "Only this kind.", obj{"type": "string", "enum": definitions.Kinds()})}, nil, "200", resp("Definitions.", items("Definition")), "422"),
		"post": apply,
	}
	counted := func(key, what string) obj {
		return resp(what, props([]string{key}, obj{key: obj{"type": "integer"}}))
	}
	paths["/api/v1/definitions/pause-all"] = obj{"post": op("Kill switch (admin): pause every active workflow", "pauseAllDefinitions", nil, nil, "200",
		counted("paused", "How many workflows were paused."), "403")}
	paths["/api/v1/definitions/resume-all"] = obj{"post": op("Resume the workflows the kill switch paused (admin)", "resumeAllDefinitions", nil, nil, "200",
		counted("resumed", "How many workflows were resumed."), "403")}
	ps := []obj{param("kind", "path", "The definition's kind.", obj{"type": "string", "enum": definitions.Kinds()}), param("name", "path", "The definition's name.", str)}
	item := "/api/v1/definitions/{kind}/{name}"
	paths[item] = obj{"get": op("A definition and its versions", "getDefinition", ps, nil, "200", resp("The definition.", ref("DefinitionDetail")), "404")}
	paths[item+"/versions/{version}"] = obj{"get": op("One version with its source", "getDefinitionVersion",
		append(ps[:2:2], param("version", "path", "The version number (3 or v3).", str)), nil, "200", resp("The version.", ref("DefinitionVersion")), "400", "404")}
	paths[item+"/diff"] = obj{"get": op("Unified diff between two versions", "diffDefinition",
		append(ps[:2:2], param("from", "query", "Default: the version before `to`.", obj{"type": "integer"}), param("to", "query", "Default: the current version.", obj{"type": "integer"})),
		nil, "200", resp("The diff; empty when the texts are identical.", props([]string{"from", "to", "diff"}, obj{"from": obj{"type": "integer"}, "to": obj{"type": "integer"}, "diff": str})), "400", "404", "422")}
	rollback := op("Roll back (admin): a new version with an older version's text, linted again first", "rollbackDefinition", ps,
		jsonBody(props([]string{"version"}, obj{"version": obj{"type": "integer", "minimum": 1}})), "200",
		resp("The new version (status rolled_back), or unchanged when the current text is already that one.", obj{"allOf": []obj{ref("Applied"),
			props(nil, obj{"warnings": warnings})}}), "403", "404")
	rollback["responses"].(obj)["422"] = lint
	paths[item+"/rollback"] = obj{"post": rollback}
	for verb, summary := range map[string]string{
		"pause":   "Pause (admin): no new runs start; resume-all leaves it paused",
		"resume":  "Resume a paused definition (admin); an archived one is restored by applying it again (409)",
		"archive": "Archive (admin): retired; other definitions can no longer refer to it",
	} {
		paths[item+"/"+verb] = obj{"post": op(summary, verb+"Definition", ps, nil, "200", resp("The definition afterwards.", ref("Definition")), "403", "404", "409")}
	}
}
