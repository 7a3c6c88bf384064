-- A step's touch is looked up by its run and step: once when the gate counts it (a retry must not count
-- it twice) and when a permanently failed send takes it back. Without an index both read every touch.
-- +goose Up
CREATE INDEX ix_touches_run_step ON touches(run_id, step_id);

-- +goose Down
DROP INDEX ix_touches_run_step;
