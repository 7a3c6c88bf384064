-- Browser sessions (issue 7): signing in to the web UI makes a token of its own, kind 'session', that
-- expires, remembers the token it came from (parent_id: a token's id, or "env:" and the hash of
-- SALESFLOW_ADMIN_TOKEN) and lives no longer than it; signing out revokes it.
-- +goose Up
ALTER TABLE api_tokens ADD COLUMN kind TEXT NOT NULL DEFAULT 'api';
ALTER TABLE api_tokens ADD COLUMN expires_at TEXT;
ALTER TABLE api_tokens ADD COLUMN parent_id TEXT;

-- +goose Down
ALTER TABLE api_tokens DROP COLUMN parent_id;
ALTER TABLE api_tokens DROP COLUMN expires_at;
ALTER TABLE api_tokens DROP COLUMN kind;
