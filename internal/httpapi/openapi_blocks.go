package httpapi

import "strings"

func blockSchemas() obj {
	anyObj := obj{"type": "object"}
	number := obj{"type": "number"}
	return obj{
		"Assignment": props([]string{"id", "record_type", "record_id", "ruleset", "trace", "at"}, obj{
			"id": str, "record_type": str, "record_id": str, "ruleset": str, "rule": str, "user_id": str,
			"queue": obj{"type": "string", "description": "The fallback queue, when nobody could take it."}, "run_id": str, "at": dateTime,
			"trace": obj{"type": "object", "description": "Why this rep: summary (one paragraph), rules (each with held and a note), method, team, " +
				"candidates (each eligible or skipped with the reason, with load, weight and assignments today), chosen (who and why), queue, notified."}}),
		"ScoreResult": props([]string{"model", "score", "grade", "breakdown"}, obj{
			"model": str, "version": obj{"type": "integer"}, "score": number, "grade": str,
			"breakdown": obj{"type": "array", "items": props(nil, obj{"kind": obj{"type": "string", "enum": []string{"fit", "engagement", "cap"}},
				"rule": str, "group": str, "points": number, "matches": obj{"type": "integer"}, "note": str})},
			"crossed":  obj{"type": "array", "items": props(nil, obj{"name": str, "at": number}), "description": "Thresholds the score rose through (each also a lead.score_crossed event)."},
			"unscored": strList}),
		"AccountMatch": props([]string{"best", "ranked"}, obj{"best": anyObj, "ranked": obj{"type": "array", "items": props(nil, obj{
			"id": str, "name": str, "domain": str, "website_domain": str, "contacts": obj{"type": "integer"}, "owner_active": boolean, "updated_at": dateTime,
			"confidence": number, "by": obj{"type": "string", "enum": []string{"email_domain", "website", "name"}}, "reason": str})}}),
	}
}

func blockPaths(paths obj) {
	rec := []obj{param("id", "path", "The record's id.", str)}
	lead := []obj{param("id", "path", "The lead's id.", str)}
	for _, objects := range routedObjects {
		name := strings.TrimSuffix(objects, "s")
		paths["/api/v1/"+objects+"/{id}/assignment"] = obj{"get": op("Why this rep: the "+name+"'s routing decisions with their traces, newest first", "getAssignment_"+name, rec, nil,
			"200", resp("The current assignment and its history.", props([]string{"current", "items"}, obj{"current": ref("Assignment"), "items": obj{"type": "array", "items": ref("Assignment")}})), "404")}
		paths["/api/v1/"+objects+"/{id}/route"] = obj{"post": op("Route the "+name+" through a ruleset now; with dry_run, say who would get it and why without changing anything", "route_"+name, rec,
			jsonBody(props([]string{"ruleset"}, obj{"ruleset": str, "dry_run": boolean})),
			"200", resp("The decision.", props([]string{"trace"}, obj{"user_id": str, "queue": str, "rule": str, "dry_run": boolean, "assignment_id": str, "trace": obj{"type": "object"}})), "403", "404", "422")}
	}
	paths["/api/v1/leads/{id}/score"] = obj{"post": op("Score a lead with a model now (the score action by hand)", "scoreLead", lead,
		jsonBody(props([]string{"model"}, obj{"model": str})), "200", resp("The score with its breakdown.", ref("ScoreResult")), "403", "404", "422")}
	paths["/api/v1/leads/{id}/account-match"] = obj{"get": op("The accounts a lead matches, ranked with reasons; nothing is stored", "accountMatch", append(lead,
		param("min_confidence", "query", "0–1, default 0.8: the least confidence for best.", obj{"type": "number"})), nil,
		"200", resp("The ranking.", ref("AccountMatch")), "400", "404")}
	paths["/api/v1/companies/import"] = obj{"post": op("Add or replace company directory entries for enrichment (admin); all or nothing", "importCompanies", nil,
		jsonBody(props([]string{"companies"}, obj{"companies": obj{"type": "array", "maxItems": 1000, "items": props([]string{"domain"}, obj{
			"domain": str, "name": str, "industry": str, "employees": obj{"type": "number"}, "country": str, "website": str, "city": str})}})),
		"200", resp("How many entries were new and how many replaced.", props([]string{"created", "updated"}, obj{"created": obj{"type": "integer"}, "updated": obj{"type": "integer"}})), "403", "422")}
	paths["/api/v1/leads/{id}/merge"] = obj{"post": op("Merge another lead into this one: empty fields filled from it, its activities and tasks moved, its history kept on this lead's timeline", "mergeLead", lead,
		jsonBody(props([]string{"from"}, obj{"from": obj{"type": "string", "description": "The id of the lead merged into this one; it is kept, with merged_into_id set."}})),
		"200", resp("The lead after the merge.", ref("Lead")), "403", "404", "422")}
}
