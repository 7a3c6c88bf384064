-- Sales building blocks (issue 5): the company directory and the enrichment cache, scoring's breakdown,
-- routing state and assignment traces, account matching (an FTS5 trigram index over account names) and
-- the touches the contact policy counts.
-- +goose Up
ALTER TABLE leads ADD COLUMN score_breakdown TEXT;
ALTER TABLE leads ADD COLUMN score_model TEXT;
ALTER TABLE leads ADD COLUMN scored_at TEXT;
ALTER TABLE leads ADD COLUMN matched_account_confidence REAL;
ALTER TABLE leads ADD COLUMN enrichment TEXT;
ALTER TABLE leads ADD COLUMN routing_queue TEXT;
ALTER TABLE leads ADD COLUMN merged_into_id TEXT;
ALTER TABLE deals ADD COLUMN routing_queue TEXT;
ALTER TABLE contacts ADD COLUMN routing_queue TEXT;
ALTER TABLE accounts ADD COLUMN routing_queue TEXT;
ALTER TABLE tasks ADD COLUMN pool TEXT;
ALTER TABLE tasks ADD COLUMN snoozed_until TEXT;
ALTER TABLE tasks ADD COLUMN status_reason TEXT;
CREATE INDEX ix_leads_queue ON leads(routing_queue) WHERE routing_queue IS NOT NULL;
CREATE INDEX ix_leads_score_model ON leads(score_model) WHERE score_model IS NOT NULL;
CREATE TABLE companies (
  domain TEXT PRIMARY KEY,
  name TEXT NOT NULL DEFAULT '',
  industry TEXT NOT NULL DEFAULT '',
  employees REAL,
  country TEXT NOT NULL DEFAULT '',
  website TEXT NOT NULL DEFAULT '',
  city TEXT NOT NULL DEFAULT '',
  updated_at TEXT NOT NULL
);
CREATE TABLE enrich_cache (
  provider TEXT NOT NULL,
  key TEXT NOT NULL,
  data TEXT NOT NULL,
  fetched_at TEXT NOT NULL,
  PRIMARY KEY (provider, key)
);
CREATE TABLE routing_state (
  ruleset TEXT NOT NULL,
  rule TEXT NOT NULL,
  state TEXT NOT NULL DEFAULT '{}',
  PRIMARY KEY (ruleset, rule)
);
CREATE TABLE assignments (
  id TEXT PRIMARY KEY,
  record_type TEXT NOT NULL,
  record_id TEXT NOT NULL,
  ruleset TEXT NOT NULL,
  rule TEXT NOT NULL DEFAULT '',
  user_id TEXT,
  queue TEXT NOT NULL DEFAULT '',
  run_id TEXT,
  trace TEXT NOT NULL,
  at TEXT NOT NULL
);
CREATE INDEX ix_assignments_record ON assignments(record_type, record_id, at);
CREATE INDEX ix_assignments_user ON assignments(user_id, at);
CREATE INDEX ix_assignments_ruleset ON assignments(ruleset, at);
CREATE TABLE touches (
  id TEXT PRIMARY KEY,
  channel TEXT NOT NULL,
  contact TEXT NOT NULL DEFAULT '',
  account TEXT NOT NULL DEFAULT '',
  rep TEXT NOT NULL DEFAULT '',
  workflow TEXT NOT NULL DEFAULT '',
  run_id TEXT,
  step_id TEXT,
  at TEXT NOT NULL
);
CREATE INDEX ix_touches_contact ON touches(contact, at);
CREATE INDEX ix_touches_account ON touches(account, at);
CREATE INDEX ix_touches_rep ON touches(rep, at);
CREATE VIRTUAL TABLE account_names USING fts5(account_id UNINDEXED, name, tokenize = 'trigram');
INSERT INTO account_names(account_id, name) SELECT id, name FROM accounts;
-- +goose StatementBegin
CREATE TRIGGER account_names_insert AFTER INSERT ON accounts BEGIN
  INSERT INTO account_names(account_id, name) VALUES (new.id, new.name);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER account_names_update AFTER UPDATE OF name ON accounts BEGIN
  DELETE FROM account_names WHERE account_id = old.id;
  INSERT INTO account_names(account_id, name) VALUES (new.id, new.name);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER account_names_delete AFTER DELETE ON accounts BEGIN
  DELETE FROM account_names WHERE account_id = old.id;
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER account_names_delete;
DROP TRIGGER account_names_update;
DROP TRIGGER account_names_insert;
DROP TABLE account_names;
DROP TABLE touches;
DROP TABLE assignments;
DROP TABLE routing_state;
DROP TABLE enrich_cache;
DROP TABLE companies;
DROP INDEX ix_leads_score_model;
DROP INDEX ix_leads_queue;
ALTER TABLE tasks DROP COLUMN status_reason;
ALTER TABLE tasks DROP COLUMN snoozed_until;
ALTER TABLE tasks DROP COLUMN pool;
ALTER TABLE accounts DROP COLUMN routing_queue;
ALTER TABLE contacts DROP COLUMN routing_queue;
ALTER TABLE deals DROP COLUMN routing_queue;
ALTER TABLE leads DROP COLUMN merged_into_id;
ALTER TABLE leads DROP COLUMN routing_queue;
ALTER TABLE leads DROP COLUMN enrichment;
ALTER TABLE leads DROP COLUMN matched_account_confidence;
ALTER TABLE leads DROP COLUMN scored_at;
ALTER TABLE leads DROP COLUMN score_model;
ALTER TABLE leads DROP COLUMN score_breakdown;
