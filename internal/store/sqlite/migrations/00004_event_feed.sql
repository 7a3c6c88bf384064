-- Kept for the same shape as PostgreSQL; SQLite has one writer, so seq order is commit order and the
-- feed reads by seq alone.
-- +goose Up
ALTER TABLE events ADD COLUMN txid INTEGER NOT NULL DEFAULT 0;
-- +goose Down
ALTER TABLE events DROP COLUMN txid;
