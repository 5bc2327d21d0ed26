-- PostgreSQL's 0005 adds pg_trgm indexes for the lead list's substring
-- filters; SQLite has had its trigram index since 0002. This migration only
-- keeps the numbers of both folders in step.

-- +goose Up
SELECT 1;

-- +goose Down
SELECT 1;
