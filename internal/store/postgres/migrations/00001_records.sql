-- The first schema: CRM records, events (R3), tokens, idempotency keys, custom fields, settings, forms.
-- +goose Up
CREATE TABLE users (
  id TEXT PRIMARY KEY,
  email TEXT NOT NULL,
  name TEXT NOT NULL,
  role TEXT NOT NULL DEFAULT 'rep',
  team_id TEXT,
  timezone TEXT NOT NULL DEFAULT 'UTC',
  working_hours TEXT,
  capacity DOUBLE PRECISION,
  active BOOLEAN NOT NULL DEFAULT TRUE,
  out_of_office_until TIMESTAMPTZ,
  custom JSONB NOT NULL DEFAULT '{}',
  created_at TIMESTAMPTZ NOT NULL,
  updated_at TIMESTAMPTZ NOT NULL
);
CREATE TABLE teams (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  kind TEXT NOT NULL DEFAULT 'other',
  manager_id TEXT REFERENCES users(id),
  custom JSONB NOT NULL DEFAULT '{}',
  created_at TIMESTAMPTZ NOT NULL,
  updated_at TIMESTAMPTZ NOT NULL
);
CREATE TABLE pipelines (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  stages JSONB NOT NULL,
  custom JSONB NOT NULL DEFAULT '{}',
  created_at TIMESTAMPTZ NOT NULL,
  updated_at TIMESTAMPTZ NOT NULL
);
CREATE TABLE accounts (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  domain TEXT,
  website TEXT,
  industry TEXT,
  employees DOUBLE PRECISION,
  annual_revenue DOUBLE PRECISION,
  country TEXT,
  phone TEXT,
  owner_id TEXT REFERENCES users(id),
  custom JSONB NOT NULL DEFAULT '{}',
  created_at TIMESTAMPTZ NOT NULL,
  updated_at TIMESTAMPTZ NOT NULL
);
CREATE TABLE contacts (
  id TEXT PRIMARY KEY,
  first_name TEXT,
  last_name TEXT,
  email TEXT,
  phone TEXT,
  title TEXT,
  account_id TEXT REFERENCES accounts(id),
  owner_id TEXT REFERENCES users(id),
  country TEXT,
  timezone TEXT,
  custom JSONB NOT NULL DEFAULT '{}',
  created_at TIMESTAMPTZ NOT NULL,
  updated_at TIMESTAMPTZ NOT NULL
);
CREATE TABLE leads (
  id TEXT PRIMARY KEY,
  first_name TEXT,
  last_name TEXT,
  email TEXT,
  phone TEXT,
  company TEXT,
  company_domain TEXT,
  website TEXT,
  title TEXT,
  source TEXT,
  status TEXT NOT NULL DEFAULT 'new',
  owner_id TEXT REFERENCES users(id),
  country TEXT,
  industry TEXT,
  employees DOUBLE PRECISION,
  timezone TEXT,
  score DOUBLE PRECISION NOT NULL DEFAULT 0,
  custom JSONB NOT NULL DEFAULT '{}',
  created_at TIMESTAMPTZ NOT NULL,
  updated_at TIMESTAMPTZ NOT NULL
);
CREATE TABLE deals (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  account_id TEXT REFERENCES accounts(id),
  contact_id TEXT REFERENCES contacts(id),
  pipeline_id TEXT REFERENCES pipelines(id),
  stage TEXT,
  amount DOUBLE PRECISION,
  currency TEXT,
  close_date TEXT,
  owner_id TEXT REFERENCES users(id),
  custom JSONB NOT NULL DEFAULT '{}',
  created_at TIMESTAMPTZ NOT NULL,
  updated_at TIMESTAMPTZ NOT NULL
);
CREATE TABLE tasks (
  id TEXT PRIMARY KEY,
  type TEXT NOT NULL DEFAULT 'todo',
  title TEXT NOT NULL,
  why TEXT,
  owner_id TEXT REFERENCES users(id),
  due_at TIMESTAMPTZ,
  priority TEXT NOT NULL DEFAULT 'normal',
  status TEXT NOT NULL DEFAULT 'open',
  outcome TEXT,
  record_type TEXT,
  record_id TEXT,
  completed_at TIMESTAMPTZ,
  custom JSONB NOT NULL DEFAULT '{}',
  created_at TIMESTAMPTZ NOT NULL,
  updated_at TIMESTAMPTZ NOT NULL
);
CREATE TABLE activities (
  id TEXT PRIMARY KEY,
  type TEXT NOT NULL,
  subject TEXT,
  body TEXT,
  record_type TEXT NOT NULL,
  record_id TEXT NOT NULL,
  owner_id TEXT REFERENCES users(id),
  occurred_at TIMESTAMPTZ,
  data JSONB,
  custom JSONB NOT NULL DEFAULT '{}',
  created_at TIMESTAMPTZ NOT NULL,
  updated_at TIMESTAMPTZ NOT NULL
);
ALTER TABLE users ADD CONSTRAINT users_team_id_fkey FOREIGN KEY (team_id) REFERENCES teams(id);
CREATE TABLE events (
  seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  record_type TEXT NOT NULL,
  record_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  changes JSONB NOT NULL,
  actor_type TEXT NOT NULL,
  actor_id TEXT NOT NULL DEFAULT '',
  actor_user_id TEXT,
  occurred_at TIMESTAMPTZ NOT NULL
);
CREATE TABLE api_tokens (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL DEFAULT '',
  hash TEXT NOT NULL UNIQUE,
  role TEXT NOT NULL,
  user_id TEXT REFERENCES users(id),
  created_at TIMESTAMPTZ NOT NULL,
  last_used_at TIMESTAMPTZ,
  revoked_at TIMESTAMPTZ
);
CREATE TABLE idempotency_keys (
  scope TEXT NOT NULL,
  key TEXT NOT NULL,
  request_hash TEXT NOT NULL,
  status INTEGER NOT NULL,
  response TEXT NOT NULL,
  created_at TIMESTAMPTZ NOT NULL,
  PRIMARY KEY (scope, key)
);
CREATE TABLE field_definitions (
  id TEXT PRIMARY KEY,
  object TEXT NOT NULL,
  name TEXT NOT NULL,
  type TEXT NOT NULL,
  label TEXT NOT NULL DEFAULT '',
  required BOOLEAN NOT NULL DEFAULT FALSE,
  options JSONB,
  created_at TIMESTAMPTZ NOT NULL,
  UNIQUE (object, name)
);
CREATE TABLE settings (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL,
  updated_at TIMESTAMPTZ NOT NULL
);
CREATE TABLE forms (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  secret TEXT NOT NULL,
  source TEXT NOT NULL DEFAULT 'web_form',
  created_at TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX uq_users__email ON users(email);
CREATE UNIQUE INDEX uq_teams__name ON teams(name);
CREATE UNIQUE INDEX uq_pipelines__name ON pipelines(name);
CREATE UNIQUE INDEX uq_leads__email ON leads(email) WHERE email IS NOT NULL;
CREATE UNIQUE INDEX uq_accounts__domain ON accounts(domain) WHERE domain IS NOT NULL;
CREATE INDEX ix_leads_owner ON leads(owner_id);
CREATE INDEX ix_leads_status ON leads(status);
CREATE INDEX ix_leads_created ON leads(created_at, id);
CREATE INDEX ix_contacts_email ON contacts(email);
CREATE INDEX ix_contacts_account ON contacts(account_id);
CREATE INDEX ix_accounts_owner ON accounts(owner_id);
CREATE INDEX ix_deals_account ON deals(account_id);
CREATE INDEX ix_deals_owner ON deals(owner_id);
CREATE INDEX ix_tasks_owner_status ON tasks(owner_id, status);
CREATE INDEX ix_tasks_record ON tasks(record_type, record_id);
CREATE INDEX ix_activities_record ON activities(record_type, record_id);
CREATE INDEX ix_users_team ON users(team_id);
CREATE INDEX ix_events_record ON events(record_type, record_id, seq);
CREATE INDEX ix_idempotency_created ON idempotency_keys(created_at);
-- +goose Down
DROP TABLE IF EXISTS forms CASCADE;
DROP TABLE IF EXISTS settings CASCADE;
DROP TABLE IF EXISTS field_definitions CASCADE;
DROP TABLE IF EXISTS idempotency_keys CASCADE;
DROP TABLE IF EXISTS api_tokens CASCADE;
DROP TABLE IF EXISTS events CASCADE;
DROP TABLE IF EXISTS activities CASCADE;
DROP TABLE IF EXISTS tasks CASCADE;
DROP TABLE IF EXISTS deals CASCADE;
DROP TABLE IF EXISTS leads CASCADE;
DROP TABLE IF EXISTS contacts CASCADE;
DROP TABLE IF EXISTS accounts CASCADE;
DROP TABLE IF EXISTS pipelines CASCADE;
DROP TABLE IF EXISTS teams CASCADE;
DROP TABLE IF EXISTS users CASCADE;
