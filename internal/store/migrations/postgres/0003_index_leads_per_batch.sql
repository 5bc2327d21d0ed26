-- SQLite's 0003 moves the indexing of new leads in leads_fts from a
-- trigger to the store. PostgreSQL has no such index; this migration only
-- keeps the numbers of both folders in step.

-- +goose Up
SELECT 1;

-- +goose Down
SELECT 1;
