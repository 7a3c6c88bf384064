-- The web UI (issue 7): the workflows list counts the runs each workflow started in the last 7 days.
-- The contact policy finds a step's own touch, so that a retry does not count it twice.
-- +goose Up
CREATE INDEX ix_runs_started ON runs(started_at, workflow);
CREATE INDEX ix_touches_run ON touches(run_id, step_id);

-- +goose Down
DROP INDEX ix_touches_run;
DROP INDEX ix_runs_started;
