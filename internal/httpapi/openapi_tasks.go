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
	timing := props(nil, obj{"n": obj{"type": "integer"}, "median_seconds": obj{"type": "number"}, "p95_seconds": obj{"type": "number"},
		"business_median_seconds": obj{"type": "number"}, "business_p95_seconds": obj{"type": "number"}, "business_time": str})
	group := props(nil, obj{"leads": obj{"type": "integer"}, "created_to_assigned": timing, "created_to_first_attempt": timing, "created_to_first_connect": timing,
		"first_attempt_bands": obj{"type": "object", "description": "Leads by wall-clock time to the first attempt: under_5m, 5m_15m, 15m_60m, over_60m, none_yet."}})
	rates := obj{"type": "object", "additionalProperties": props(nil, obj{"tasks": obj{"type": "integer"}, "done_rate": obj{"type": "number"},
		"skip_rate": obj{"type": "number"}, "decline_rate": obj{"type": "number"}, "open_rate": obj{"type": "number"}})}
	paths["/api/v1/analytics/speed-to-lead"] = obj{"get": op("Speed to lead: created → assigned → first attempt → first connect, medians and p95 overall and by source, rep and team, wall-clock and working time, with SLA bands; task outcome rates (managers, admins)", "speedToLead",
		[]obj{param("from", "query", "Leads created from (default 30 days ago).", dateTime), param("to", "query", "… until (default now).", dateTime)}, nil,
		"200", resp("The report.", props([]string{"overall"}, obj{"from": dateTime, "to": dateTime, "overall": group,
			"by_source": obj{"type": "object", "additionalProperties": group}, "by_rep": obj{"type": "object", "additionalProperties": group},
			"by_team": obj{"type": "object", "additionalProperties": group},
			"tasks":   props(nil, obj{"by_workflow": rates, "by_rep": rates})})), "400", "403")}
	if list, ok := paths["/api/v1/tasks"].(obj)["get"].(obj); ok {
		params, _ := list["parameters"].([]obj)
		list["parameters"] = append(params,
			param("record", "query", "Only tasks about this record.", str),
			param("team", "query", "Only tasks whose owner is on this team (its id).", str),
			param("overdue", "query", "true: only open or snoozed tasks due before now.", obj{"type": "string", "enum": []string{"true"}}))
	}
}
