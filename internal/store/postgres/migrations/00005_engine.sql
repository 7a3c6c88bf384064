-- The workflow engine (issue 4): runs, their step history, durable jobs (run segments, timers, date and
-- cron triggers), the trigger feed's position and the enrollment log that answers "why (not)".
-- Events gain a name and a payload for custom events and score crossings; tasks name the run that made them.
-- +goose Up
ALTER TABLE events ADD COLUMN name TEXT NOT NULL DEFAULT '';
ALTER TABLE events ADD COLUMN payload TEXT;
ALTER TABLE tasks ADD COLUMN run_id TEXT;
ALTER TABLE tasks ADD COLUMN step_id TEXT;
ALTER TABLE tasks ADD COLUMN outcomes TEXT;
CREATE INDEX ix_tasks_run ON tasks(run_id);
CREATE TABLE runs (
  id TEXT PRIMARY KEY,
  workflow TEXT NOT NULL,
  version INTEGER NOT NULL,
  record_type TEXT NOT NULL,
  record_id TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('running', 'waiting', 'completed', 'failed', 'cancelled', 'exited')),
  active INTEGER NOT NULL DEFAULT 1,
  rev INTEGER NOT NULL DEFAULT 1,
  cursor TEXT NOT NULL DEFAULT '',
  state TEXT NOT NULL DEFAULT '{}',
  wait_kind TEXT NOT NULL DEFAULT '',
  wait_key TEXT NOT NULL DEFAULT '',
  wait_until TIMESTAMPTZ,
  depth INTEGER NOT NULL DEFAULT 0,
  parent_run_id TEXT,
  trigger_event TEXT NOT NULL DEFAULT '',
  error TEXT NOT NULL DEFAULT '',
  end_reason TEXT NOT NULL DEFAULT '',
  started_at TIMESTAMPTZ NOT NULL,
  updated_at TIMESTAMPTZ NOT NULL,
  ended_at TIMESTAMPTZ
);
CREATE UNIQUE INDEX ux_runs_active ON runs(workflow, record_id) WHERE active = 1;
CREATE INDEX ix_runs_record ON runs(record_id, workflow);
CREATE INDEX ix_runs_workflow ON runs(workflow, status, started_at);
CREATE INDEX ix_runs_status ON runs(status, started_at);
CREATE INDEX ix_runs_wait ON runs(wait_key) WHERE active = 1;
CREATE TABLE run_steps (
  run_id TEXT NOT NULL REFERENCES runs(id),
  seq INTEGER NOT NULL,
  version INTEGER NOT NULL,
  step_id TEXT NOT NULL,
  addr TEXT NOT NULL,
  type TEXT NOT NULL,
  status TEXT NOT NULL,
  input TEXT,
  output TEXT,
  decision TEXT,
  attempts INTEGER NOT NULL DEFAULT 1,
  error TEXT NOT NULL DEFAULT '',
  started_at TIMESTAMPTZ NOT NULL,
  finished_at TIMESTAMPTZ,
  PRIMARY KEY (run_id, seq)
);
CREATE TABLE jobs (
  id BIGSERIAL PRIMARY KEY,
  key TEXT NOT NULL UNIQUE,
  kind TEXT NOT NULL,
  gen INTEGER NOT NULL DEFAULT 1,
  payload TEXT NOT NULL DEFAULT '{}',
  due_at TIMESTAMPTZ NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  locked_until TIMESTAMPTZ,
  created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX ix_jobs_due ON jobs(due_at);
CREATE TABLE engine_cursors (
  name TEXT PRIMARY KEY,
  txid BIGINT NOT NULL,
  seq BIGINT NOT NULL
);
CREATE TABLE enrollment_log (
  id BIGSERIAL PRIMARY KEY,
  workflow TEXT NOT NULL,
  version INTEGER NOT NULL,
  record_type TEXT NOT NULL,
  record_id TEXT NOT NULL,
  event_id TEXT NOT NULL DEFAULT '',
  trigger TEXT NOT NULL,
  enrolled INTEGER NOT NULL,
  run_id TEXT,
  reason TEXT NOT NULL,
  details TEXT NOT NULL DEFAULT '{}',
  at TIMESTAMPTZ NOT NULL
);
CREATE INDEX ix_enrollment_log_record ON enrollment_log(record_id, workflow, id);
CREATE TABLE alerts (
  key TEXT PRIMARY KEY,
  sent_at TIMESTAMPTZ NOT NULL,
  pending INTEGER NOT NULL DEFAULT 0
);
-- +goose Down
DROP TABLE alerts;
DROP TABLE enrollment_log;
DROP TABLE engine_cursors;
DROP TABLE jobs;
DROP TABLE run_steps;
DROP TABLE runs;
DROP INDEX ix_tasks_run;
ALTER TABLE tasks DROP COLUMN outcomes;
ALTER TABLE tasks DROP COLUMN step_id;
ALTER TABLE tasks DROP COLUMN run_id;
ALTER TABLE events DROP COLUMN payload;
ALTER TABLE events DROP COLUMN name;
