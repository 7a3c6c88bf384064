-- Sales building blocks (issue 5): the company directory and the enrichment cache, scoring's breakdown,
-- routing state and assignment traces, account matching (a pg_trgm index over account names; the
-- extension is created in schema public, serialised by an advisory lock so parallel migrations do not race) and
-- the touches the contact policy counts.
-- +goose Up
ALTER TABLE leads ADD COLUMN score_breakdown JSONB;
ALTER TABLE leads ADD COLUMN score_model TEXT;
ALTER TABLE leads ADD COLUMN scored_at TIMESTAMPTZ;
ALTER TABLE leads ADD COLUMN matched_account_confidence DOUBLE PRECISION;
ALTER TABLE leads ADD COLUMN enrichment JSONB;
ALTER TABLE leads ADD COLUMN routing_queue TEXT;
ALTER TABLE leads ADD COLUMN merged_into_id TEXT;
ALTER TABLE deals ADD COLUMN routing_queue TEXT;
ALTER TABLE contacts ADD COLUMN routing_queue TEXT;
ALTER TABLE accounts ADD COLUMN routing_queue TEXT;
ALTER TABLE tasks ADD COLUMN pool TEXT;
ALTER TABLE tasks ADD COLUMN snoozed_until TIMESTAMPTZ;
ALTER TABLE tasks ADD COLUMN status_reason TEXT;
CREATE INDEX ix_leads_queue ON leads(routing_queue) WHERE routing_queue IS NOT NULL;
CREATE INDEX ix_leads_score_model ON leads(score_model) WHERE score_model IS NOT NULL;
CREATE TABLE companies (
  domain TEXT PRIMARY KEY,
  name TEXT NOT NULL DEFAULT '',
  industry TEXT NOT NULL DEFAULT '',
  employees DOUBLE PRECISION,
  country TEXT NOT NULL DEFAULT '',
  website TEXT NOT NULL DEFAULT '',
  city TEXT NOT NULL DEFAULT '',
  updated_at TIMESTAMPTZ NOT NULL
);
CREATE TABLE enrich_cache (
  provider TEXT NOT NULL,
  key TEXT NOT NULL,
  data TEXT NOT NULL,
  fetched_at TIMESTAMPTZ NOT NULL,
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
  at TIMESTAMPTZ NOT NULL
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
  at TIMESTAMPTZ NOT NULL
);
CREATE INDEX ix_touches_contact ON touches(contact, at);
CREATE INDEX ix_touches_account ON touches(account, at);
CREATE INDEX ix_touches_rep ON touches(rep, at);
SELECT pg_advisory_xact_lock(7234501);
CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public;
CREATE INDEX ix_accounts_name_trgm ON accounts USING gin (lower(name) public.gin_trgm_ops);

-- +goose Down
DROP INDEX ix_accounts_name_trgm;
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
