-- Browser sessions (issue 7): signing in to the web UI makes a token of its own, kind 'session', that
-- expires, and signing out revokes it; the token typed in stays as it was.
-- +goose Up
ALTER TABLE api_tokens ADD COLUMN kind TEXT NOT NULL DEFAULT 'api';
ALTER TABLE api_tokens ADD COLUMN expires_at TEXT;

-- +goose Down
ALTER TABLE api_tokens DROP COLUMN expires_at;
ALTER TABLE api_tokens DROP COLUMN kind;
