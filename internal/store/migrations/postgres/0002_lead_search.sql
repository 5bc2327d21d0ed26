-- SQLite's 0002 adds a trigram full-text index for the lead list's
-- substring filters. PostgreSQL scans leads with strpos() instead, which
-- is fast enough there without requiring the pg_trgm extension; this
-- migration only keeps the numbers of both folders in step.

-- +goose Up
SELECT 1;

-- +goose Down
SELECT 1;
