-- SQLite's 0007 adds each lead's dealer to its trigram index; PostgreSQL
-- checks the dealer of its pg_trgm matches itself. This migration only
-- keeps the numbers of both folders in step.

-- +goose Up
SELECT 1;

-- +goose Down
SELECT 1;
