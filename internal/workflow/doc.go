// Package workflow reads, checks and plans definition files: workflows, routing rulesets, scoring
// models, policies, calendars and templates. One Spec per map drives the linter, the reference docs
// (docs/workflows.md) and the JSON Schema.
//
// # Expressions
//
// Expressions and {{ templates }} are CEL, typed against the object schema (internal/expr). In a
// workflow they see the run's record by its object's name (lead), earlier steps' outputs as
// steps.<id>.<output>, and `event`: the triggering event (trigger.on) in trigger.when, goal, exit
// and every step — except wait_for.when, where `event` is the awaited event. Each event's fields
// are typed: EventFields lists them (every event has `type` and `at`; record events add the record,
// `changes` and `actor`; custom events add `name`, `payload`, `record_type` and `record_id`).
package workflow
