-- A browser session remembers the token it was started with (parent_id: a token's id, or "env:" and a
-- slow fingerprint of SALESFLOW_ADMIN_TOKEN) and lives no longer than it.
-- +goose Up
ALTER TABLE api_tokens ADD COLUMN parent_id TEXT;

-- +goose Down
ALTER TABLE api_tokens DROP COLUMN parent_id;
