-- The transaction that wrote each event, so the trigger feed can read in an order no late commit can
-- skip: (txid, seq), only below the oldest transaction still running (see store.Tx.Feed).
-- +goose Up
ALTER TABLE events ADD COLUMN txid BIGINT NOT NULL DEFAULT (pg_current_xact_id()::text::bigint);
CREATE INDEX ix_events_feed ON events(txid, seq);
-- +goose Down
DROP INDEX ix_events_feed;
ALTER TABLE events DROP COLUMN txid;
