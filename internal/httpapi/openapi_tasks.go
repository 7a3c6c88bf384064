package httpapi

// taskPaths documents a rep's moves on a task and the task list's own filters.
func taskPaths(paths obj) {
	id := []obj{param("id", "path", "The task's id.", str)}
	move := func(summary, opID, field string, schema obj) obj {
		return obj{"post": op(summary, opID, id, jsonBody(props([]string{field}, obj{field: schema})),
			"200", resp("The task after the move.", ref("Task")), "403", "404", "409", "422")}
	}
	paths["/api/v1/tasks/{id}/skip"] = obj{"post": op("Skip an open task; a run waiting on it takes its on_skip path", "skipTask", id,
		jsonBody(props(nil, obj{"reason": str})), "200", resp("The task, skipped.", ref("Task")), "403", "404", "409", "422")}
	paths["/api/v1/tasks/{id}/snooze"] = move("Snooze an open task until a time; it stays open to its run", "snoozeTask", "until", dateTime)
	paths["/api/v1/tasks/{id}/decline"] = move("Decline an open task with a reason; a run waiting on it takes its on_decline path", "declineTask", "reason", str)
	paths["/api/v1/tasks/{id}/reassign"] = move("Give an open task to someone else (reps: a teammate; managers: their team); the run keeps waiting", "reassignTask", "owner_id", str)
	paths["/api/v1/inbox"] = obj{"get": op("The inbox: open tasks by urgency (breached, due soon, then priority) with the reason and the record's key facts; a team's queue and breaches for its manager", "inbox",
		[]obj{param("owner", "query", "me (default) or a user id.", str), param("team", "query", "A team's id: every member's tasks and the team's pool.", str)}, nil,
		"200", resp("The inbox.", props([]string{"items", "breaches"}, obj{
			"items": obj{"type": "array", "items": props([]string{"task", "urgency"}, obj{"task": ref("Task"),
				"urgency":    obj{"type": "string", "enum": []string{"breached", "due_soon", "snoozed_over", "open"}},
				"overdue_by": obj{"type": "integer", "description": "Seconds past due."}, "due_in": obj{"type": "integer", "description": "Seconds until due."},
				"record": obj{"type": "object", "description": "The task's record: name, company, email, phone, status, score, grade …"}})},
			"breaches": obj{"type": "object", "additionalProperties": obj{"type": "integer"}, "description": "Breached tasks by owner id (\"\" for the pool)."}})), "400", "403", "404")}
	if list, ok := paths["/api/v1/tasks"].(obj)["get"].(obj); ok {
		params, _ := list["parameters"].([]obj)
		list["parameters"] = append(params,
			param("record", "query", "Only tasks about this record.", str),
			param("team", "query", "Only tasks whose owner is on this team (its id).", str),
			param("overdue", "query", "true: only open or snoozed tasks due before now.", obj{"type": "string", "enum": []string{"true"}}))
	}
}
