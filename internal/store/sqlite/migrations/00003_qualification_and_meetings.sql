-- Lead qualification fields, the account a lead matched, its grade; the form and meeting an activity is about.
-- +goose Up
ALTER TABLE leads ADD COLUMN score_grade TEXT;
ALTER TABLE leads ADD COLUMN matched_account_id TEXT REFERENCES accounts(id);
ALTER TABLE leads ADD COLUMN qualification_notes TEXT;
ALTER TABLE leads ADD COLUMN budget REAL;
ALTER TABLE leads ADD COLUMN timeline TEXT;
ALTER TABLE leads ADD COLUMN disqualify_reason TEXT;
ALTER TABLE activities ADD COLUMN form TEXT;
ALTER TABLE activities ADD COLUMN meeting_id TEXT;
ALTER TABLE activities ADD COLUMN meeting_start TEXT;
CREATE INDEX ix_activities_meeting ON activities(meeting_id);
-- +goose Down
DROP INDEX ix_activities_meeting;
ALTER TABLE activities DROP COLUMN meeting_start;
ALTER TABLE activities DROP COLUMN meeting_id;
ALTER TABLE activities DROP COLUMN form;
ALTER TABLE leads DROP COLUMN disqualify_reason;
ALTER TABLE leads DROP COLUMN timeline;
ALTER TABLE leads DROP COLUMN budget;
ALTER TABLE leads DROP COLUMN qualification_notes;
ALTER TABLE leads DROP COLUMN matched_account_id;
ALTER TABLE leads DROP COLUMN score_grade;
