package httpapi

func runSchemas() obj {
	integer := obj{"type": "integer"}
	anyObj := obj{"type": "object"}
	status := obj{"type": "string", "enum": runStatuses}
	return obj{
		"Run": props([]string{"id", "workflow", "version", "record_type", "record_id", "status"}, obj{
			"id": str, "workflow": str, "version": integer, "record_type": str, "record_id": str, "status": status,
			"cursor":    obj{"type": "string", "description": "The address of the step it runs or waits at next (\"3/then/1\"); empty when ended."},
			"state":     obj{"type": "object", "description": "steps (each step's outputs by id) and event (the triggering event)."},
			"wait_kind": obj{"type": "string", "enum": []string{"", "delay", "event", "condition", "task"}}, "wait_key": str, "wait_until": dateTime,
			"depth":         obj{"type": "integer", "description": "How many workflow-caused triggers led to it (loop guard)."},
			"parent_run_id": str, "trigger_event": str, "error": str, "end_reason": str,
			"started_at": dateTime, "updated_at": dateTime, "ended_at": dateTime}),
		"RunStep": props([]string{"seq", "step_id", "type", "status", "attempts"}, obj{
			"seq": integer, "version": integer, "step_id": str, "addr": str,
			"type":   obj{"type": "string", "description": "The step kind; action:<name> for actions; loop_guard and retry for notes."},
			"status": obj{"type": "string", "enum": []string{"done", "waiting", "retrying", "interrupted", "failed", "dry_run", "blocked", "deferred", "skipped"}, "description": "interrupted: the server stopped during this outside call, which is made again with the same idempotency key. deferred and skipped: stopped by the contact policy, named in decision."},
			"input":  anyObj, "output": anyObj,
			"decision": obj{"type": "object", "description": "The values that chose a branch: conditions and their values, the switch value, the split bucket."},
			"attempts": integer, "error": str, "started_at": dateTime, "finished_at": dateTime}),
		"EnrollmentCheck": props([]string{"workflow", "record_id", "enrolled", "reason"}, obj{
			"workflow": str, "version": integer, "record_type": str, "record_id": str, "event_id": str, "trigger": str,
			"enrolled": boolean, "run_id": str, "reason": str,
			"details": obj{"type": "object", "description": "The filter and its value (before and after, for edge triggers), the re-enrollment rule, the previous run."},
			"at":      dateTime}),
		"RunDetail": obj{"allOf": []obj{ref("Run"), props([]string{"steps"}, obj{
			"steps": obj{"type": "array", "items": ref("RunStep")}, "enrollment": ref("EnrollmentCheck")})}},
		"Explanation": props([]string{"workflow", "summary", "decisions", "runs"}, obj{
			"workflow": str, "version": integer, "state": str, "trigger": anyObj, "reenroll": str, "summary": str,
			"filter_now": obj{"type": "object", "description": "The trigger filter evaluated on the record as it is now."},
			"decisions":  obj{"type": "array", "items": ref("EnrollmentCheck")}, "runs": obj{"type": "array", "items": ref("Run")}}),
	}
}

func runPaths(paths obj) {
	id := []obj{param("id", "path", "The run's id.", str)}
	on := jsonBody(props(nil, obj{"on": obj{"type": "string", "enum": []string{"original", "current"},
		"description": "original (default): on the run's own version; current: moved to the current version at the same step id."}}))
	paths["/api/v1/runs"] = obj{"get": op("List runs, newest first", "listRuns", []obj{
		param("workflow", "query", "Only this workflow's.", str), param("record", "query", "Only this record's.", str),
		param("status", "query", "Only runs in this status.", obj{"type": "string", "enum": runStatuses}),
		param("limit", "query", "1–500, default 50.", obj{"type": "integer"}), param("cursor", "query", "next_cursor of the previous page.", str)},
		nil, "200", resp("A page of runs.", props([]string{"items", "next_cursor"}, obj{"items": obj{"type": "array", "items": ref("Run")}, "next_cursor": str})), "400")}
	paths["/api/v1/runs/{id}"] = obj{"get": op("A run with its step history and the decision that enrolled it", "getRun", id, nil, "200", resp("The run.", ref("RunDetail")), "404")}
	paths["/api/v1/runs/{id}/retry"] = obj{"post": op("Retry a failed run from the step that failed (admin, manager)", "retryRun", id, on, "200", resp("The run, running again.", ref("Run")), "403", "404", "409", "422")}
	paths["/api/v1/runs/retry"] = obj{"post": op("Retry every failed run of a workflow (admin, manager)", "retryRuns", nil,
		jsonBody(props([]string{"workflow"}, obj{"workflow": str, "status": obj{"type": "string", "enum": []string{"failed"}}, "on": obj{"type": "string", "enum": []string{"original", "current"}}})),
		"200", resp("How many restarted, and why others could not.", props([]string{"retried", "problems"}, obj{"retried": obj{"type": "integer"}, "problems": strList})), "403", "422")}
	paths["/api/v1/records/{type}/{id}/enrollment"] = obj{"get": op("Why a record did or did not enroll in a workflow", "explainEnrollment", []obj{
		param("type", "path", "The record type (lead, contact, …).", str), param("id", "path", "The record's id.", str),
		param("workflow", "query", "The workflow (required).", str)}, nil, "200", resp("The explanation.", ref("Explanation")), "400", "404")}
	paths["/api/v1/workflows/{name}/enroll"] = obj{"post": op("Enroll a record by hand (admin, manager); the workflow's re-enrollment rule and one-active-run rule apply", "enrollRecord",
		[]obj{param("name", "path", "The workflow.", str)}, jsonBody(props([]string{"record_id"}, obj{"record_id": str})),
		"201", resp("Enrolled (200 with enrolled false and the reason when not).", props([]string{"enrolled"}, obj{"enrolled": boolean, "run_id": str, "reason": str})), "403", "404", "422")}
	paths["/api/v1/workflows/{name}/waiting"] = obj{"get": op("Where a workflow's active runs sit, by version and step: the preview before an apply's waiting=move|cancel", "waitingRuns",
		[]obj{param("name", "path", "The workflow.", str)}, nil, "200", resp("Counts by version and step.", props([]string{"items"}, obj{"items": obj{"type": "array", "items": props(nil, obj{
			"version": obj{"type": "integer"}, "step_id": str, "addr": str, "runs": obj{"type": "integer"},
			"type":       obj{"type": "string", "description": "The step's kind; for an action, which one (action:webhook)."},
			"in_current": obj{"type": "boolean", "description": "The current version has a step with this id and kind, for an action the same action (where move puts them)."}})}})), "404")}
	paths["/api/v1/events"] = obj{"post": op("Post a custom event about a record; workflows with `on: event` and waits for it react", "postEvent", nil,
		jsonBody(props([]string{"name", "record_type", "record_id"}, obj{"name": obj{"type": "string", "pattern": "^[a-z][a-z0-9_.-]{0,99}$"},
			"record_type": obj{"type": "string", "enum": []string{"lead", "contact", "account", "deal", "task", "activity"}}, "record_id": str, "payload": obj{"type": "object"}})),
		"202", resp("Accepted: the event is stored and triggers run from it.", props(nil, obj{"id": str, "name": str, "record_type": str, "record_id": str, "occurred_at": dateTime})), "404", "422")}
	paths["/api/v1/tasks/{id}/complete"] = obj{"post": op("Complete an open task with an outcome; a run waiting on it resumes (reps: their own tasks; managers: their team's)", "completeTask",
		[]obj{param("id", "path", "The task's id.", str)}, jsonBody(props(nil, obj{"outcome": obj{"type": "string", "description": "One of the task's outcomes, when it has a list."}})),
		"200", resp("The task, done.", ref("Task")), "403", "404", "409", "422")}
}
