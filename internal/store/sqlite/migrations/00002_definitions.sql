-- Definitions (W5): one row per definition with its state and current version, and the immutable
-- text of every version ever applied.
-- +goose Up
CREATE TABLE definitions (
  kind TEXT NOT NULL,
  name TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('draft', 'active', 'paused', 'archived')),
  version INTEGER NOT NULL CHECK (version > 0),
  owner TEXT NOT NULL DEFAULT '',
  review_every TEXT NOT NULL DEFAULT '',
  object TEXT NOT NULL DEFAULT '',
  paused_by TEXT NOT NULL DEFAULT '' CHECK (paused_by IN ('', 'kill_switch', 'user')),
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  PRIMARY KEY (kind, name)
);
CREATE TABLE definition_versions (
  kind TEXT NOT NULL,
  name TEXT NOT NULL,
  version INTEGER NOT NULL,
  source TEXT NOT NULL,
  hash TEXT NOT NULL,
  created_at TEXT NOT NULL,
  created_by TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (kind, name, version),
  FOREIGN KEY (kind, name) REFERENCES definitions(kind, name)
);
CREATE INDEX ix_definitions_state ON definitions(kind, state);
-- A version is history: the database refuses to change one, whatever the code does.
-- +goose StatementBegin
CREATE TRIGGER definition_versions_immutable BEFORE UPDATE ON definition_versions
BEGIN
  SELECT RAISE(ABORT, 'definition versions are immutable');
END;
-- +goose StatementEnd
-- +goose Down
DROP TRIGGER IF EXISTS definition_versions_immutable;
DROP TABLE IF EXISTS definition_versions;
DROP TABLE IF EXISTS definitions;
